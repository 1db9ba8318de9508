import CFFmpeg
import Dispatch
import HotlineCore
import HotlineHashing

/// Converts and hashes sampled frames on a thread of its own while the decoder goes on:
/// frame threads leave part of the second core idle, and converting and hashing a frame
/// costs as much as decoding several. At most ``inFlight`` frames wait, each a reference to
/// a decoded frame, so memory stays flat whatever the length. Frames are hashed in order,
/// so a hash that repeats the one before can be left out as it comes.
final class FrameHasher: @unchecked Sendable {
    /// Decoded frames waiting at most.
    static let inFlight = 3

    private let width: Int
    private let height: Int
    private let maximumPixels: Int
    private let queue = DispatchQueue(label: "hotline.video.frames")
    private let slots = DispatchSemaphore(value: FrameHasher.inFlight)
    // Touched only on `queue`.
    private var scaler: OpaquePointer?
    private var frames: [VideoFrameHash] = []
    private var failure: VideoHashError?
    private var cancelled = false

    init(width: Int, height: Int, maximumPixels: Int) {
        self.width = width
        self.height = height
        self.maximumPixels = maximumPixels
    }

    deinit {
        if scaler != nil { sws_freeContext(scaler) }
    }

    /// Queues `frame` (a reference this takes over and frees) for hashing.
    func submit(_ frame: UnsafeMutablePointer<AVFrame>, number: Int, timestamp: Double) throws(VideoHashError) {
        if let failure = queue.sync(execute: { self.failure }) {
            var owned: UnsafeMutablePointer<AVFrame>? = frame
            av_frame_free(&owned)
            throw failure
        }
        slots.wait()
        let box = FrameBox(frame)
        queue.async {
            defer {
                var owned: UnsafeMutablePointer<AVFrame>? = box.frame
                av_frame_free(&owned)
                self.slots.signal()
            }
            guard !self.cancelled, self.failure == nil else { return }
            switch Result(catching: { () throws(VideoHashError) in try self.hash(box.frame) }) {
            case .success(let result):
                if let last = self.frames.last, last.pdq == result.hash { return }
                self.frames.append(VideoFrameHash(frame: number, pdq: result.hash, quality: result.quality, timestamp: timestamp))
            case .failure(let error):
                self.failure = error
            }
        }
    }

    /// Waits for the frames queued and returns their hashes in order.
    func finish() throws(VideoHashError) -> [VideoFrameHash] {
        let (frames, failure) = queue.sync { (self.frames, self.failure) }
        if let failure { throw failure }
        return frames
    }

    /// Drops whatever is still queued (the decoder stopped on an error).
    func cancel() {
        queue.sync { cancelled = true }
    }

    /// The frame converted to RGB at about ``VideoHasher/hashedSide`` (at the stream's size,
    /// as vpdq scales every frame to it) and hashed as if at that full size.
    private func hash(_ frame: UnsafeMutablePointer<AVFrame>) throws(VideoHashError) -> PDQResult {
        let sourceWidth = Int(frame.pointee.width)
        let sourceHeight = Int(frame.pointee.height)
        guard sourceWidth * sourceHeight <= maximumPixels else { throw .tooLarge("a frame of \(sourceWidth)×\(sourceHeight) pixels") }
        guard min(width, height) >= PDQ.minimumDimension else { throw .decodeFailed("frames smaller than \(PDQ.minimumDimension) pixels") }
        let (outWidth, outHeight) = Self.hashedSize(width: width, height: height)
        scaler = sws_getCachedContext(
            scaler, Int32(sourceWidth), Int32(sourceHeight), AVPixelFormat(frame.pointee.format), Int32(outWidth), Int32(outHeight), AV_PIX_FMT_RGB24,
            SWS_AREA, nil, nil, nil)
        guard let scaler else { throw .decodeFailed("no conversion from the frame's pixel format") }
        var rgb = [UInt8](repeating: 0, count: outWidth * outHeight * 3)
        let scaled: Int32 = rgb.withUnsafeMutableBufferPointer { output in
            var destination: [UnsafeMutablePointer<UInt8>?] = [output.baseAddress, nil, nil, nil]
            var strides: [Int32] = [Int32(outWidth * 3), 0, 0, 0]
            return withUnsafePointer(to: &frame.pointee.data) { data in
                data.withMemoryRebound(to: UnsafePointer<UInt8>?.self, capacity: 8) { planes in
                    withUnsafePointer(to: &frame.pointee.linesize) { lines in
                        lines.withMemoryRebound(to: Int32.self, capacity: 8) { lineSizes in
                            sws_scale(scaler, planes, lineSizes, 0, Int32(sourceHeight), &destination, &strides)
                        }
                    }
                }
            }
        }
        guard scaled > 0 else { throw .decodeFailed("a frame did not convert") }
        return PDQ.hash(DecodedImage(width: outWidth, height: outHeight, rgb: rgb, sourceWidth: width, sourceHeight: height))
    }

    /// The size a frame of `width` × `height` is hashed at: its shorter side brought down to
    /// about ``VideoHasher/hashedSide`` when it is more than a third above that, the width a multiple
    /// of 16 so that each RGB row stays aligned for the scaler.
    static func hashedSize(width: Int, height: Int) -> (Int, Int) {
        let side = VideoHasher.hashedSide
        guard min(width, height) * 3 > side * 4 else { return (width, height) }
        let scale = Double(side) / Double(min(width, height))
        let outWidth = max(16, Int((Double(width) * scale / 16).rounded()) * 16)
        let outHeight = max(PDQ.minimumDimension, Int((Double(height) * scale).rounded()))
        return (outWidth, outHeight)
    }
}

/// A decoded frame handed to the hashing thread, which alone touches it from then on.
private final class FrameBox: @unchecked Sendable {
    let frame: UnsafeMutablePointer<AVFrame>
    init(_ frame: UnsafeMutablePointer<AVFrame>) { self.frame = frame }
}
