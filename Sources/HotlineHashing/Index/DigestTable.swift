/// An open-addressing table from fixed-width digests to entry numbers.
///
/// Digests are uniformly distributed, so their own first eight bytes (mixed once) choose
/// the slot: no hashing of the key, and a lookup is one or two cache misses. Keys live in
/// one flat byte array, so ten million MD5s take 16 bytes each plus a 4-byte slot.
struct DigestTable: Sendable {
    let width: Int
    private(set) var count = 0
    private var keys: [UInt8]
    private var slots: [UInt32]
    private var mask: Int

    init(width: Int, capacity: Int = 16) {
        self.width = width
        var size = 16
        while size < capacity * 4 / 3 + 1 { size <<= 1 }
        keys = [UInt8](repeating: 0, count: size * width)
        slots = [UInt32](repeating: 0, count: size)
        mask = size - 1
    }

    @inline(__always)
    private func start(_ key: UnsafeRawBufferPointer) -> Int {
        let prefix = key.loadUnaligned(as: UInt64.self)
        return Int(truncatingIfNeeded: (prefix &* 0x9E37_79B9_7F4A_7C15) >> 20) & mask
    }

    /// The entry stored for `key`, if any.
    func lookup(_ key: UnsafeRawBufferPointer) -> UInt32? {
        var slot = start(key)
        return keys.withUnsafeBytes { stored in
            while true {
                let value = slots[slot]
                if value == 0 { return nil }
                if memcmp(stored.baseAddress! + slot * width, key.baseAddress!, width) == 0 { return value - 1 }
                slot = (slot + 1) & mask
            }
        }
    }

    /// Stores `entry` for `key`; returns the entry already stored for it instead, if any.
    mutating func insert(_ key: UnsafeRawBufferPointer, entry: UInt32) -> UInt32? {
        if (count + 1) * 4 > slots.count * 3 { grow() }
        var slot = start(key)
        while slots[slot] != 0 {
            let existing = keys.withUnsafeBytes { memcmp($0.baseAddress! + slot * width, key.baseAddress!, width) }
            if existing == 0 { return slots[slot] - 1 }
            slot = (slot + 1) & mask
        }
        keys.withUnsafeMutableBytes { $0.baseAddress!.advanced(by: slot * width).copyMemory(from: key.baseAddress!, byteCount: width) }
        slots[slot] = entry + 1
        count += 1
        return nil
    }

    private mutating func grow() {
        var bigger = DigestTable(width: width, capacity: slots.count * 2)
        keys.withUnsafeBytes { stored in
            for slot in 0..<slots.count where slots[slot] != 0 {
                _ = bigger.insert(UnsafeRawBufferPointer(rebasing: stored[(slot * width)..<(slot * width + width)]), entry: slots[slot] - 1)
            }
        }
        self = bigger
    }

    /// Bytes of memory held.
    var memoryBytes: Int { keys.count + slots.count * 4 }
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
        guard let high = hexNibble(utf8[index * 2]), let low = hexNibble(utf8[index * 2 + 1]) else { return nil }
        bytes[index] = high << 4 | low
    }
    return bytes
}

@inline(__always)
func hexNibble(_ byte: UInt8) -> UInt8? {
    switch byte {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
    default: nil
    }
}
