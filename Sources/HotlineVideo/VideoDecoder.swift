import CFFmpeg
import Foundation
import HotlineCore
import HotlineHashing

/// One open video: FFmpeg's demuxer on a ``MemoryReader`` and the first video stream's
/// parameters. The stream is decoded by one ``StreamDecoder``, or, when frames are numbered
/// by timestamps and more than one thread is asked for, by one per thread, each from a
/// keyframe of its own. Everything is freed in `deinit`; nothing is written.
final class VideoDecoder {
    private let reader: MemoryReader
    private let limits: VideoLimits
    private let threads: Int
    private var io: UnsafeMutablePointer<AVIOContext>?
    private var format: UnsafeMutablePointer<AVFormatContext>?
    private let streamIndex: Int32
    private let parameters: UnsafeMutablePointer<AVCodecParameters>
    private let frameRate: Double
    private let width: Int
    private let height: Int
    private let timeBase: Double
    /// The stream's first timestamp, when frames may be numbered from their timestamps
    /// (a constant frame rate): then frames that are not sampled and that no other frame
    /// refers to are not decoded at all, and the stream may be decoded in parts.
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
        self.parameters = parameters
        self.threads = threads == 0 ? ProcessInfo.processInfo.activeProcessorCount : max(1, threads)
        // Refuses a codec the gateway does not decode before any packet is read.
        _ = try StreamDecoder(
            parameters: parameters, threads: 1, numbering: FrameNumbering(frameRate: frameRate, timeBase: timeBase, start: start, every: 1), limits: limits,
            window: .init(), size: (width, height))
    }

    deinit {
        if format != nil { avformat_close_input(&format) }
        if let context = io {
            var buffer: UnsafeMutableRawPointer? = UnsafeMutableRawPointer(context.pointee.buffer)
            av_freep(&buffer)
            avio_context_free(&io)
        }
    }

    /// Decodes every frame and hashes one every `secondsPerHash`.
    func hashFrames(secondsPerHash: Double) throws(VideoHashError) -> VideoHash {
        guard let format else { throw .decodeFailed("not open") }
        let numbering = FrameNumbering(frameRate: frameRate, timeBase: timeBase, start: start, every: max(1, Int(secondsPerHash * frameRate)))
        guard let packet = av_packet_alloc() else { throw .decodeFailed("out of memory") }
        var owned: UnsafeMutablePointer<AVPacket>? = packet
        defer { av_packet_free(&owned) }
        if threads > 1, start != nil {
            let packets = PacketList()
            while av_read_frame(format, packet) >= 0 {
                guard packet.pointee.stream_index == streamIndex else {
                    av_packet_unref(packet)
                    continue
                }
                guard packets.count < limits.maximumDecodedFrames else { throw .tooLarge("more than \(limits.maximumDecodedFrames) frames") }
                try packets.append(moving: packet)
            }
            return VideoHash(frames: try decodeInParts(packets, numbering: numbering))
        }
        let decoder = try StreamDecoder(parameters: parameters, threads: threads, numbering: numbering, limits: limits, window: .init(), size: (width, height))
        while av_read_frame(format, packet) >= 0 {
            defer { av_packet_unref(packet) }
            guard packet.pointee.stream_index == streamIndex else { continue }
            try decoder.decode(packet)
        }
        let frames = try decoder.finish()
        guard decoder.decoded > 0 else { throw .decodeFailed("no frame decoded") }
        return VideoHash(frames: frames)
    }

    /// Decodes `packets` in up to ``threads`` parts, each from a keyframe, on threads of
    /// their own. A part also decodes the next part's keyframe and the frames after it that
    /// come before it on screen (an open GOP's leading frames refer to both), and keeps
    /// only frames timed within its own part. A frame repeating the one before across a
    /// part's edge is left out as within a part.
    private func decodeInParts(_ packets: PacketList, numbering: FrameNumbering) throws(VideoHashError) -> [VideoFrameHash] {
        let parts = packets.parts(threads)
        let size = (width, height)
        let outcome = PartOutcomes(count: parts.count)
        let parameters = UnsafeSendable(parameters)
        let limits = limits
        let codecThreads = max(1, threads / parts.count)
        DispatchQueue.concurrentPerform(iterations: parts.count) { index in
            let part = parts[index]
            outcome.set(
                index,
                Result(catching: { () throws(VideoHashError) -> ([VideoFrameHash], Int) in
                    let decoder = try StreamDecoder(
                        parameters: parameters.value, threads: codecThreads, numbering: numbering, limits: limits, window: part.window, size: size)
                    for position in part.packets { try decoder.decode(packets[position]) }
                    return (try decoder.finish(), decoder.decoded)
                }))
        }
        var frames: [VideoFrameHash] = []
        var decoded = 0
        for result in outcome.results {
            let (part, count) = try result.get()
            decoded += count
            for frame in part {
                if let last = frames.last, last.pdq == frame.pdq { continue }
                frames.append(frame)
            }
        }
        guard decoded > 0 else { throw .decodeFailed("no frame decoded") }
        guard decoded <= limits.maximumDecodedFrames else { throw .tooLarge("more than \(limits.maximumDecodedFrames) frames") }
        return frames
    }
}
