import CFFmpeg
import Foundation

/// The video stream's packets, read ahead so the stream can be decoded in parts: compressed,
/// they take about what the file does. Read only once filled, by the parts' threads.
final class PacketList: @unchecked Sendable {
    /// A stretch of packets one decoder takes, and the timestamps of the frames it keeps.
    struct Part: Sendable {
        var packets: [Int]
        var window: StreamDecoder.Window
    }

    private var packets: [UnsafeMutablePointer<AVPacket>] = []

    deinit {
        for packet in packets {
            var owned: UnsafeMutablePointer<AVPacket>? = packet
            av_packet_free(&owned)
        }
    }

    var count: Int { packets.count }

    subscript(position: Int) -> UnsafeMutablePointer<AVPacket> { packets[position] }

    /// Takes over `packet`'s data, leaving it blank for the next read.
    func append(moving packet: UnsafeMutablePointer<AVPacket>) throws(VideoHashError) {
        guard let kept = av_packet_alloc() else {
            av_packet_unref(packet)
            throw .decodeFailed("out of memory")
        }
        av_packet_move_ref(kept, packet)
        packets.append(kept)
    }

    /// At most `count` parts of about equal length, each starting at a keyframe with a
    /// timestamp (the first at the first packet). A part ends where the next starts, plus
    /// that keyframe and what follows it up to the last packet, before the keyframe after,
    /// shown before it: frames an open GOP's leading pictures need.
    func parts(_ count: Int) -> [Part] {
        let none = hotline_av_nopts_value()
        let keyframes = packets.indices.filter { $0 > 0 && packets[$0].pointee.flags & AV_PKT_FLAG_KEY != 0 && packets[$0].pointee.pts != none }
        var starts = [0]
        if count > 1, !keyframes.isEmpty {
            for part in 1..<count {
                let target = packets.count * part / count
                let nearest = keyframes.min { abs($0 - target) < abs($1 - target) }!
                if nearest > starts.last! { starts.append(nearest) }
            }
        }
        return starts.indices.map { index in
            let first = starts[index]
            guard index + 1 < starts.count else {
                return Part(packets: Array(first..<packets.count), window: .init(lower: index == 0 ? nil : packets[first].pointee.pts, upper: nil))
            }
            let next = starts[index + 1]
            let edge = packets[next].pointee.pts
            let following = keyframes.first { $0 > next } ?? packets.count
            let leading = (next + 1..<following).last { packets[$0].pointee.pts != none && packets[$0].pointee.pts < edge }
            let end = leading.map { $0 + 1 } ?? next
            return Part(packets: Array(first..<end), window: .init(lower: index == 0 ? nil : packets[first].pointee.pts, upper: edge))
        }
    }
}
