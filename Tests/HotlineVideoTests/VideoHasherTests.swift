import CFFmpeg
import Foundation
import HotlineCore
import HotlineHashing
import Testing

@testable import HotlineVideo

/// What the hasher refuses and how it samples, on files made here.
@Suite struct VideoHasherTests {
    /// A clip of `seconds` from ffmpeg's own test pattern, in memory.
    static func clip(seconds: Int, size: String = "320x240", rate: Int = 10, format: String = "mp4", encoder: [String] = []) throws -> [UInt8]? {
        guard VPDQReferenceTests.ffmpegAvailable else { return nil }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("clip-\(UUID().uuidString).\(format)")
        defer { try? FileManager.default.removeItem(at: file) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments =
            [
                "ffmpeg", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=\(size):rate=\(rate):duration=\(seconds)", "-pix_fmt", "yuv420p",
            ] + encoder + [file.path]
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        return [UInt8](try Data(contentsOf: file))
    }

    @Test func refusesWhatIsNotAVideo() throws {
        #expect(throws: VideoHashError.self) { try VideoHasher.hash(Array("not a video at all".utf8)) }
        #expect(throws: VideoHashError.self) { try VideoHasher.hash([]) }
        let png = try #require(ImageEncoder.png(GeneratedImages.gradient(width: 32, height: 32)))
        do {
            _ = try VideoHasher.hash(png)
            Issue.record("a PNG was hashed as a video")
        } catch {
            #expect(error.code == "video.not_a_video" || error.code == "video.no_stream", "\(error)")
        }
    }

    @Test(.enabled(if: VPDQReferenceTests.ffmpegAvailable || VPDQReferenceTests.required))
    func samplesOneFrameASecondAndHonoursTheLimits() throws {
        let bytes = try #require(try Self.clip(seconds: 6))
        let hash = try VideoHasher.hash(bytes)
        #expect(hash.frames.map(\.frame) == [0, 10, 20, 30, 40, 50])
        #expect(hash.frames.map(\.timestamp) == [0, 1, 2, 3, 4, 5])
        #expect(hash.frames.allSatisfy { $0.quality > 50 })
        let everyFrame = try VideoHasher.hash(bytes, secondsPerHash: 0)
        #expect(everyFrame.frames.count > 50)
        let halfSecond = try VideoHasher.hash(bytes, secondsPerHash: 0.5)
        #expect(halfSecond.frames.map(\.frame).prefix(3) == [0, 5, 10])

        var limits = VideoLimits.standard
        limits.maximumSeconds = 3
        #expect(throws: VideoHashError.tooLarge("6 s long, more than 3 s")) { try VideoHasher.hash(bytes, limits: limits) }
        limits = .standard
        limits.maximumDecodedFrames = 20
        #expect(throws: VideoHashError.tooLarge("more than 20 frames")) { try VideoHasher.hash(bytes, limits: limits) }
        limits = .standard
        limits.maximumPixels = 320 * 239
        #expect(throws: VideoHashError.tooLarge("320×240 pixels a frame, more than \(320 * 239)")) { try VideoHasher.hash(bytes, limits: limits) }
        limits = .standard
        limits.maximumBytes = bytes.count - 1
        #expect(throws: VideoHashError.self) { try VideoHasher.hash(bytes, limits: limits) }
        // A truncated file still hashes what it holds, or fails cleanly: never crashes.
        _ = try? VideoHasher.hash(Array(bytes.prefix(bytes.count / 2)))
    }

    @Test(.enabled(if: VPDQReferenceTests.ffmpegAvailable || VPDQReferenceTests.required))
    func sameHashFromMP4AndWebMOfOneSource() throws {
        let mp4 = try #require(try Self.clip(seconds: 4, format: "mp4"))
        let webm = try #require(try Self.clip(seconds: 4, format: "webm"))
        let shares = VPDQ.compare(try VideoHasher.hash(mp4).frames, try VideoHasher.hash(webm).frames)
        #expect(shares.matches())
        #expect(shares.query == 100)
    }

    /// Decoded in parts, each from a keyframe on a thread of its own, a video gives the
    /// hashes it gives decoded from start to end: also with an open GOP, whose leading
    /// frames after a keyframe refer to the part before, and with every frame hashed.
    @Test(.enabled(if: VPDQReferenceTests.ffmpegAvailable || VPDQReferenceTests.required))
    func decodingInPartsGivesTheHashesOfOneDecoder() throws {
        let openGOP = ["-c:v", "libx264", "-g", "12", "-bf", "3", "-x264-params", "open-gop=1:scenecut=0"]
        let closedGOP = ["-c:v", "libx264", "-g", "7"]
        for encoder in [openGOP, closedGOP] {
            let bytes = try #require(try Self.clip(seconds: 8, encoder: encoder))
            for seconds in [0.0, 1.0] {
                let whole = try VideoHasher.hash(bytes, secondsPerHash: seconds, threads: 1)
                #expect(whole.frames.count > (seconds == 0 ? 70 : 7))
                for threads in [2, 3] {
                    #expect(try VideoHasher.hash(bytes, secondsPerHash: seconds, threads: threads) == whole, "\(encoder) \(seconds) s, \(threads) threads")
                }
            }
        }
    }

    /// Parts start at keyframes with timestamps; a part takes the next keyframe and the
    /// packets up to the last one shown before it, and keeps frames timed before it.
    @Test func partsStartAtKeyframesAndTakeTheLeadingFrames() throws {
        // Decoding order of an open GOP: keyframe 0, then 4 2 1 3; keyframe 8, its leading
        // 6 5 7, then 12 10 9 11; keyframe 16 with none.
        let order: [(pts: Int64, key: Bool)] = [
            (0, true), (4, false), (2, false), (1, false), (3, false), (8, true), (6, false), (5, false), (7, false), (12, false), (10, false), (9, false),
            (11, false), (16, true), (20, false), (18, false), (17, false), (19, false),
        ]
        let list = PacketList()
        for (pts, key) in order {
            let packet = try #require(av_packet_alloc())
            packet.pointee.pts = pts
            if key { packet.pointee.flags |= AV_PKT_FLAG_KEY }
            try list.append(moving: packet)
            var owned: UnsafeMutablePointer<AVPacket>? = packet
            av_packet_free(&owned)
        }
        let three = list.parts(3)
        #expect(three.map(\.packets) == [Array(0...8), Array(5...12), Array(13...17)])
        #expect(three.map(\.window.lower) == [nil, 8, 16])
        #expect(three.map(\.window.upper) == [8, 16, nil])
        #expect(list.parts(1).map(\.packets) == [Array(0...17)])
        // More parts than keyframes: one a keyframe.
        #expect(list.parts(8).count == 3)
    }

    @Test func hashedSizeKeepsSmallFramesAndAlignsLargeOnes() {
        #expect(FrameHasher.hashedSize(width: 480, height: 270) == (480, 270))
        let (width, height) = FrameHasher.hashedSize(width: 1280, height: 720)
        #expect(width % 16 == 0 && height == 384)
        #expect(FrameHasher.hashedSize(width: 720, height: 1280) == (384, 683))
    }
}
