import CFFmpeg
import Foundation

/// The file's bytes as FFmpeg's I/O callbacks read them.
final class MemoryReader {
    let base: UnsafeRawPointer?
    let count: Int
    var position = 0

    init(_ raw: UnsafeRawBufferPointer) {
        base = raw.baseAddress
        count = raw.count
    }

    static let read: @convention(c) (UnsafeMutableRawPointer?, UnsafeMutablePointer<UInt8>?, Int32) -> Int32 = { opaque, buffer, size in
        guard let opaque, let buffer else { return hotline_averror_eof() }
        let reader = Unmanaged<MemoryReader>.fromOpaque(opaque).takeUnretainedValue()
        let length = min(Int(size), reader.count - reader.position)
        guard length > 0, let base = reader.base else { return hotline_averror_eof() }
        memcpy(buffer, base + reader.position, length)
        reader.position += length
        return Int32(length)
    }

    static let seek: @convention(c) (UnsafeMutableRawPointer?, Int64, Int32) -> Int64 = { opaque, offset, whence in
        guard let opaque else { return -1 }
        let reader = Unmanaged<MemoryReader>.fromOpaque(opaque).takeUnretainedValue()
        if whence & hotline_avseek_size() != 0 { return Int64(reader.count) }
        let target: Int64
        switch whence & ~Int32(AVSEEK_FORCE) {
        case SEEK_SET: target = offset
        case SEEK_CUR: target = Int64(reader.position) + offset
        case SEEK_END: target = Int64(reader.count) + offset
        default: return -1
        }
        guard target >= 0, target <= Int64(reader.count) else { return -1 }
        reader.position = Int(target)
        return target
    }
}
