import HotlineCore

/// An open-addressing table from fixed-width digests to entry numbers.
///
/// Digests are uniformly distributed, so their own first eight bytes (mixed once) choose
/// the slot: no hashing of the key. Each slot holds the entry number (0 = empty, else
/// entry + 1) followed by the digest, in one flat byte array, so a lookup touches one cache
/// line: ten million MD5s take 20 bytes a slot.
/// Built once by one writer, then only read, so it may be shared between threads.
struct DigestTable: @unchecked Sendable {
    let width: Int
    private let stride: Int
    private(set) var count = 0
    private var storage: LargeBuffer
    private var mask: Int

    init(width: Int, capacity: Int = 16) {
        self.width = width
        stride = 4 + width
        var size = 16
        while size < capacity * 4 / 3 + 1 { size <<= 1 }
        storage = LargeBuffer(byteCount: size * stride)
        mask = size - 1
    }

    private var slotCount: Int { mask + 1 }

    @inline(__always)
    private func start(_ key: UnsafeRawBufferPointer) -> Int {
        let prefix = key.loadUnaligned(as: UInt64.self)
        return Int(truncatingIfNeeded: (prefix &* 0x9E37_79B9_7F4A_7C15) >> 20) & mask
    }

    /// The entry stored for `key`, if any.
    @inline(__always)
    func lookup(_ key: UnsafeRawBufferPointer) -> UInt32? {
        var slot = start(key)
        let table = storage.base
        while true {
            let base = table + slot * stride
            let value = base.loadUnaligned(as: UInt32.self)
            if value == 0 { return nil }
            if memcmp(base + 4, key.baseAddress!, width) == 0 { return value - 1 }
            slot = (slot + 1) & mask
        }
    }

    /// Stores `entry` for `key`; returns the entry already stored for it instead, if any.
    mutating func insert(_ key: UnsafeRawBufferPointer, entry: UInt32) -> UInt32? {
        if (count + 1) * 4 > slotCount * 3 { grow() }
        var slot = start(key)
        let table = storage.base
        while true {
            let base = table + slot * stride
            let value = base.loadUnaligned(as: UInt32.self)
            if value == 0 {
                base.storeBytes(of: entry + 1, as: UInt32.self)
                (base + 4).copyMemory(from: key.baseAddress!, byteCount: width)
                count += 1
                return nil
            }
            if memcmp(base + 4, key.baseAddress!, width) == 0 { return value - 1 }
            slot = (slot + 1) & mask
        }
    }

    private mutating func grow() {
        var bigger = DigestTable(width: width, capacity: slotCount * 2)
        for slot in 0..<slotCount {
            let base = storage.base + slot * stride
            let value = base.loadUnaligned(as: UInt32.self)
            if value != 0 { _ = bigger.insert(UnsafeRawBufferPointer(start: base + 4, count: width), entry: value - 1) }
        }
        self = bigger
    }

    /// Bytes of memory held.
    var memoryBytes: Int { storage.byteCount }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Hex text to bytes; `nil` when not hex of the expected length.
func hexBytes(_ text: String, count: Int) -> [UInt8]? {
    let utf8 = Array(text.utf8)
    guard utf8.count == count * 2 else { return nil }
    var bytes = [UInt8](repeating: 0, count: count)
    for index in 0..<count {
        guard let high = HexDigit.value(utf8[index * 2]), let low = HexDigit.value(utf8[index * 2 + 1]) else { return nil }
        bytes[index] = high << 4 | low
    }
    return bytes
}
