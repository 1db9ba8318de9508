import Foundation
import HotlineCore
import HotlineHashing
import Testing

@testable import HotlineVideo

/// What the hasher refuses and how it samples, on files made here.
@Suite struct VideoHasherTests {
    /// A clip of `seconds` from ffmpeg's own test pattern, in memory.
    static func clip(seconds: Int, size: String = "320x240", rate: Int = 10, format: String = "mp4") throws -> [UInt8]? {
        guard VPDQReferenceTests.ffmpegAvailable else { return nil }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("clip-\(UUID().uuidString).\(format)")
        defer { try? FileManager.default.removeItem(at: file) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "ffmpeg", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=\(size):rate=\(rate):duration=\(seconds)", "-pix_fmt", "yuv420p",
            file.path,
        ]
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

    @Test func hashedSizeKeepsSmallFramesAndAlignsLargeOnes() {
        #expect(FrameHasher.hashedSize(width: 480, height: 270) == (480, 270))
        let (width, height) = FrameHasher.hashedSize(width: 1280, height: 720)
        #expect(width % 16 == 0 && height == 384)
        #expect(FrameHasher.hashedSize(width: 720, height: 1280) == (384, 683))
    }
}
