import CFFmpeg
import HotlineCore

/// One decoder of the video stream and the hasher of the frames it samples. A video is
/// decoded by one of these from start to end, or by several, each from a keyframe of its
/// own, when frames are numbered by their timestamps (``VideoDecoder``): reference frames
/// dominate the decoding of a low-bitrate stream, and frame threads cannot share them out.
final class StreamDecoder {
    /// Timestamps (in the stream's time base) of the frames this decoder keeps: frames
    /// before `lower` or at or after `upper` are another decoder's.
    struct Window {
        var lower: Int64?
        var upper: Int64?

        func contains(_ timestamp: Int64) -> Bool {
            if let lower, timestamp < lower { return false }
            if let upper, timestamp >= upper { return false }
            return true
        }
    }

    private var codec: UnsafeMutablePointer<AVCodecContext>?
    private var frame: UnsafeMutablePointer<AVFrame>?
    private let numbering: FrameNumbering
    private let limits: VideoLimits
    private let window: Window
    let hasher: FrameHasher
    private(set) var decoded = 0

    init(
        parameters: UnsafePointer<AVCodecParameters>, threads: Int, numbering: FrameNumbering, limits: VideoLimits, window: Window,
        size: (width: Int, height: Int)
    ) throws(VideoHashError) {
        self.numbering = numbering
        self.limits = limits
        self.window = window
        hasher = FrameHasher(width: size.width, height: size.height, maximumPixels: limits.maximumPixels)
        guard let decoder = avcodec_find_decoder(parameters.pointee.codec_id) else { throw .noVideoStream("no decoder for the video stream") }
        let name = String(cString: decoder.pointee.name)
        guard VideoHasher.allowedCodecs.contains(name) else { throw .noVideoStream("codec \(name) is not one the gateway decodes") }
        codec = avcodec_alloc_context3(decoder)
        guard let codec, avcodec_parameters_to_context(codec, parameters) >= 0 else { throw .decodeFailed("cannot set up the decoder") }
        // Frame threads, unlike the slice threads vpdq asks for, keep both cores decoding
        // streams encoded with one slice a frame (x264's default).
        codec.pointee.thread_count = Int32(max(0, threads))
        codec.pointee.thread_type = FF_THREAD_FRAME | FF_THREAD_SLICE
        guard avcodec_open2(codec, decoder, nil) >= 0 else { throw .decodeFailed("cannot open the \(name) decoder") }
        frame = av_frame_alloc()
        guard frame != nil else { throw .decodeFailed("out of memory") }
    }

    deinit {
        hasher.cancel()
        if frame != nil { av_frame_free(&frame) }
        if codec != nil { avcodec_free_context(&codec) }
    }

    /// Decodes `packet`. A frame that is not hashed here (not sampled, or another decoder's)
    /// is skipped when no other frame refers to it.
    func decode(_ packet: UnsafeMutablePointer<AVPacket>) throws(VideoHashError) {
        let timestamp = packet.pointee.pts
        let kept =
            timestamp == hotline_av_nopts_value() || (window.contains(timestamp) && (numbering.number(at: timestamp).map(numbering.isSampled) ?? true))
        codec?.pointee.skip_frame = kept ? AVDISCARD_DEFAULT : AVDISCARD_NONREF
        guard avcodec_send_packet(codec, packet) >= 0 else { throw .decodeFailed("the decoder refused a packet") }
        try receive()
    }

    /// Drains the frames the decoder still holds and returns the hashes, in order.
    func finish() throws(VideoHashError) -> [VideoFrameHash] {
        codec?.pointee.skip_frame = AVDISCARD_DEFAULT
        // An empty packet drains the frames the decoder still holds.
        guard avcodec_send_packet(codec, nil) >= 0 else { throw .decodeFailed("the decoder refused the end of the stream") }
        try receive()
        return try hasher.finish()
    }

    private func receive() throws(VideoHashError) {
        guard let frame else { return }
        while true {
            let received = avcodec_receive_frame(codec, frame)
            if received == hotline_averror_eagain() || received == hotline_averror_eof() { return }
            guard received >= 0 else { throw .decodeFailed("a frame did not decode") }
            let timestamp = frame.pointee.best_effort_timestamp
            if timestamp != hotline_av_nopts_value(), !window.contains(timestamp) {
                av_frame_unref(frame)
                continue
            }
            let number = numbering.number(at: timestamp) ?? decoded
            decoded += 1
            guard decoded <= limits.maximumDecodedFrames else { throw .tooLarge("more than \(limits.maximumDecodedFrames) frames") }
            let seconds = numbering.seconds(number)
            guard seconds <= limits.maximumSeconds else { throw .tooLarge("longer than \(Int(limits.maximumSeconds)) s") }
            guard numbering.isSampled(number) else { continue }
            guard let copy = av_frame_clone(frame) else { throw .decodeFailed("out of memory") }
            try hasher.submit(copy, number: number, timestamp: seconds)
        }
    }
}

/// How frames are numbered and which are hashed: vpdq counts decoded frames, and a frame's
/// second is its number over the frame rate. When the rate is constant and timestamps are
/// known (`start`), the number follows from the timestamp, so a frame can be numbered before
/// it is decoded, and by a decoder that did not start at the beginning.
struct FrameNumbering: Sendable {
    let frameRate: Double
    let timeBase: Double
    let start: Int64?
    let every: Int

    /// The number of the frame at `timestamp` (in the stream's time base), when the rate
    /// is constant and the timestamp known.
    func number(at timestamp: Int64) -> Int? {
        guard let start, timestamp != hotline_av_nopts_value() else { return nil }
        let number = (Double(timestamp - start) * timeBase * frameRate).rounded()
        return number >= 0 && number < Double(Int32.max) ? Int(number) : nil
    }

    func isSampled(_ number: Int) -> Bool { number % every == 0 }

    func seconds(_ number: Int) -> Double { Double(number) / frameRate }
}
