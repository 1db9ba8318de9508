import CFFmpeg
import Foundation
import HotlineCore
import HotlineHashing

/// One open video: FFmpeg's demuxer on a ``MemoryReader``, the first video stream's decoder,
/// and the scaler for sampled frames. Everything is freed in `deinit`; nothing is written.
final class VideoDecoder {
    private let reader: MemoryReader
    private let limits: VideoLimits
    private var io: UnsafeMutablePointer<AVIOContext>?
    private var format: UnsafeMutablePointer<AVFormatContext>?
    private var codec: UnsafeMutablePointer<AVCodecContext>?
    private var frame: UnsafeMutablePointer<AVFrame>?
    private var packet: UnsafeMutablePointer<AVPacket>?
    private let streamIndex: Int32
    private let frameRate: Double
    private let width: Int
    private let height: Int
    private let timeBase: Double
    /// The stream's first timestamp, when frames may be numbered from their timestamps
    /// (a constant frame rate): then frames that are not sampled and that no other frame
    /// refers to are not decoded at all.
    private let start: Int64?

    init(reader: MemoryReader, limits: VideoLimits, threads: Int) throws(VideoHashError) {
        self.reader = reader
        self.limits = limits
        let bufferSize = 64 << 10
        guard let buffer = av_malloc(bufferSize)?.assumingMemoryBound(to: UInt8.self) else { throw .decodeFailed("out of memory") }
        io = avio_alloc_context(buffer, Int32(bufferSize), 0, Unmanaged.passUnretained(reader).toOpaque(), MemoryReader.read, nil, MemoryReader.seek)
        guard io != nil else {
            var unowned: UnsafeMutableRawPointer? = UnsafeMutableRawPointer(buffer)
            av_freep(&unowned)
            throw .decodeFailed("out of memory")
        }
        format = avformat_alloc_context()
        guard let format else { throw .decodeFailed("out of memory") }
        format.pointee.pb = io
        format.pointee.flags |= AVFMT_FLAG_CUSTOM_IO
        var options: OpaquePointer?
        av_dict_set(&options, "format_whitelist", VideoHasher.allowedFormats, 0)
        av_dict_set(&options, "protocol_whitelist", "none", 0)
        let opened = avformat_open_input(&self.format, nil, nil, &options)
        av_dict_free(&options)
        guard opened >= 0, let format = self.format else {
            self.format = nil
            throw .notAVideo("not a container the gateway opens (\(VideoHasher.allowedFormats))")
        }
        guard avformat_find_stream_info(format, nil) >= 0 else { throw .notAVideo("no stream information") }
        if format.pointee.duration != hotline_av_nopts_value(), format.pointee.duration > 0 {
            let seconds = Double(format.pointee.duration) / Double(hotline_av_time_base())
            guard seconds <= limits.maximumSeconds else { throw .tooLarge("\(Int(seconds)) s long, more than \(Int(limits.maximumSeconds)) s") }
        }
        var found: Int32 = -1
        for index in 0..<Int(format.pointee.nb_streams) where format.pointee.streams[index]!.pointee.codecpar.pointee.codec_type == AVMEDIA_TYPE_VIDEO {
            found = Int32(index)
            break
        }
        guard found >= 0 else { throw .noVideoStream("no video stream") }
        streamIndex = found
        let stream = format.pointee.streams[Int(found)]!
        let parameters = stream.pointee.codecpar!
        width = Int(parameters.pointee.width)
        height = Int(parameters.pointee.height)
        guard width > 0, height > 0 else { throw .noVideoStream("the video stream has no size") }
        guard width * height <= limits.maximumPixels else { throw .tooLarge("\(width)×\(height) pixels a frame, more than \(limits.maximumPixels)") }
        var rate = stream.pointee.avg_frame_rate
        if rate.num == 0 || rate.den == 0 { rate = stream.pointee.r_frame_rate }
        guard rate.num > 0, rate.den > 0 else { throw .noVideoStream("the video stream has no frame rate") }
        frameRate = Double(rate.num) / Double(rate.den)
        timeBase = Double(stream.pointee.time_base.num) / Double(max(1, stream.pointee.time_base.den))
        let constantRate = av_cmp_q(stream.pointee.avg_frame_rate, stream.pointee.r_frame_rate) == 0
        start = constantRate && stream.pointee.start_time != hotline_av_nopts_value() && timeBase > 0 ? stream.pointee.start_time : nil
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
        packet = av_packet_alloc()
        guard frame != nil, packet != nil else { throw .decodeFailed("out of memory") }
    }

    deinit {
        if frame != nil { av_frame_free(&frame) }
        if packet != nil { av_packet_free(&packet) }
        if codec != nil { avcodec_free_context(&codec) }
        if format != nil { avformat_close_input(&format) }
        if let context = io {
            var buffer: UnsafeMutableRawPointer? = UnsafeMutableRawPointer(context.pointee.buffer)
            av_freep(&buffer)
            avio_context_free(&io)
        }
    }

    /// Decodes every frame and hashes one every `secondsPerHash`.
    func hashFrames(secondsPerHash: Double) throws(VideoHashError) -> VideoHash {
        guard let format, let packet else { throw .decodeFailed("not open") }
        let every = max(1, Int(secondsPerHash * frameRate))
        var state = Sampling(every: every, hasher: FrameHasher(width: width, height: height, maximumPixels: limits.maximumPixels))
        defer { state.hasher.cancel() }
        while av_read_frame(format, packet) >= 0 {
            defer { av_packet_unref(packet) }
            guard packet.pointee.stream_index == streamIndex else { continue }
            if every > 1 {
                let sampled = number(at: packet.pointee.pts).map { $0 % every == 0 } ?? true
                codec?.pointee.skip_frame = sampled ? AVDISCARD_DEFAULT : AVDISCARD_NONREF
            }
            guard avcodec_send_packet(codec, packet) >= 0 else { throw .decodeFailed("the decoder refused a packet") }
            try receive(&state)
        }
        codec?.pointee.skip_frame = AVDISCARD_DEFAULT
        // An empty packet drains the frames the decoder still holds.
        guard avcodec_send_packet(codec, nil) >= 0 else { throw .decodeFailed("the decoder refused the end of the stream") }
        try receive(&state)
        guard state.decoded > 0 else { throw .decodeFailed("no frame decoded") }
        return VideoHash(frames: try state.hasher.finish())
    }

    /// The number of the frame at `timestamp` (in the stream's time base), as vpdq counts
    /// decoded frames, when the rate is constant and the timestamp known.
    private func number(at timestamp: Int64) -> Int? {
        guard let start, timestamp != hotline_av_nopts_value() else { return nil }
        let number = (Double(timestamp - start) * timeBase * frameRate).rounded()
        return number >= 0 && number < Double(Int32.max) ? Int(number) : nil
    }

    private struct Sampling {
        let every: Int
        let hasher: FrameHasher
        var decoded = 0
    }

    private func receive(_ state: inout Sampling) throws(VideoHashError) {
        guard let frame else { return }
        while true {
            let received = avcodec_receive_frame(codec, frame)
            if received == hotline_averror_eagain() || received == hotline_averror_eof() { return }
            guard received >= 0 else { throw .decodeFailed("a frame did not decode") }
            let number = number(at: frame.pointee.best_effort_timestamp) ?? state.decoded
            state.decoded += 1
            guard state.decoded <= limits.maximumDecodedFrames else { throw .tooLarge("more than \(limits.maximumDecodedFrames) frames") }
            let timestamp = Double(number) / frameRate
            guard timestamp <= limits.maximumSeconds else { throw .tooLarge("longer than \(Int(limits.maximumSeconds)) s") }
            guard number % state.every == 0 else { continue }
            guard let copy = av_frame_clone(frame) else { throw .decodeFailed("out of memory") }
            try state.hasher.submit(copy, number: number, timestamp: timestamp)
        }
    }

}
