/// A 256-bit PDQ perceptual hash.
///
/// Bit `16 * i + j` is DCT coefficient (i, j) above the median. The text form is Meta's:
/// 64 lowercase hex digits, bit 255 first.
public struct PDQHash: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// Bits 0-63, 64-127, 128-191, 192-255.
    public var parts: (UInt64, UInt64, UInt64, UInt64)

    /// The all-zero hash (what PDQ gives images too small or too flat to hash).
    public static let zero = PDQHash(parts: (0, 0, 0, 0))

    /// Creates a hash from its four 64-bit parts, lowest bits first.
    public init(parts: (UInt64, UInt64, UInt64, UInt64)) { self.parts = parts }

    /// Parses 64 hex digits (either case).
    public init?(hex: String) {
        let bytes = Array(hex.utf8)
        guard bytes.count == 64 else { return nil }
        var words: [UInt64] = []
        for chunk in 0..<4 {
            var value: UInt64 = 0
            for byte in bytes[(chunk * 16)..<(chunk * 16 + 16)] {
                guard let digit = HexDigit.value(byte) else { return nil }
                value = value << 4 | UInt64(digit)
            }
            words.append(value)
        }
        parts = (words[3], words[2], words[1], words[0])
    }

    /// Whether bit `index` (0-255) is set.
    public func bit(_ index: Int) -> Bool {
        let word = index < 64 ? parts.0 : index < 128 ? parts.1 : index < 192 ? parts.2 : parts.3
        return (word >> UInt64(index & 63)) & 1 == 1
    }

    /// Sets bit `index` (0-255).
    public mutating func setBit(_ index: Int) {
        let mask = UInt64(1) << UInt64(index & 63)
        switch index >> 6 {
        case 0: parts.0 |= mask
        case 1: parts.1 |= mask
        case 2: parts.2 |= mask
        default: parts.3 |= mask
        }
    }

    /// Number of differing bits.
    @inline(__always)
    public func distance(to other: PDQHash) -> Int {
        (parts.0 ^ other.parts.0).nonzeroBitCount + (parts.1 ^ other.parts.1).nonzeroBitCount
            + (parts.2 ^ other.parts.2).nonzeroBitCount + (parts.3 ^ other.parts.3).nonzeroBitCount
    }

    /// 64 lowercase hex digits, bit 255 first.
    public var description: String {
        func hex(_ value: UInt64) -> String {
            let text = String(value, radix: 16)
            return String(repeating: "0", count: 16 - text.count) + text
        }
        return hex(parts.3) + hex(parts.2) + hex(parts.1) + hex(parts.0)
    }

    /// Whether the two are the same.
    public static func == (lhs: PDQHash, rhs: PDQHash) -> Bool {
        lhs.parts.0 == rhs.parts.0 && lhs.parts.1 == rhs.parts.1 && lhs.parts.2 == rhs.parts.2 && lhs.parts.3 == rhs.parts.3
    }

    /// Whether the left one sorts first.
    public static func < (lhs: PDQHash, rhs: PDQHash) -> Bool {
        (lhs.parts.3, lhs.parts.2, lhs.parts.1, lhs.parts.0) < (rhs.parts.3, rhs.parts.2, rhs.parts.1, rhs.parts.0)
    }

    /// Hashes what equality compares.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(parts.0)
        hasher.combine(parts.1)
        hasher.combine(parts.2)
        hasher.combine(parts.3)
    }
}
