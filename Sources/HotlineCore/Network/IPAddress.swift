/// An IPv4 or IPv6 address, stored as 128 bits (IPv4 as its mapped form) so networks of both
/// families compare with the same code.
public struct IPAddress: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The high 64 bits.
    public var high: UInt64
    /// The low 64 bits.
    public var low: UInt64
    /// Whether this is an IPv4 address.
    public var isV4: Bool

    /// Creates an IPv4 address from its 32-bit value.
    public init(v4 value: UInt32) {
        high = 0
        low = 0x0000_FFFF_0000_0000 | UInt64(value)
        isV4 = true
    }

    /// Creates an IPv6 address from its two halves.
    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
        isV4 = false
    }

    /// Parses dotted-quad IPv4 or RFC 4291 IPv6 text (with `::` and an embedded IPv4 tail).
    public init?(_ text: String) {
        if text.contains(":") {
            guard let (high, low) = IPAddress.parseV6(text) else { return nil }
            self.init(high: high, low: low)
        } else {
            guard let value = IPAddress.parseV4(Substring(text)) else { return nil }
            self.init(v4: value)
        }
    }

    /// The IPv4 value, for IPv4 addresses.
    public var v4Value: UInt32? { isV4 ? UInt32(truncatingIfNeeded: low) : nil }

    static func parseV4(_ text: Substring) -> UInt32? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var value: UInt32 = 0
        for part in parts {
            guard !part.isEmpty, part.count <= 3, part.allSatisfy({ $0.isASCII && $0.isNumber }), let octet = UInt32(part), octet <= 255 else { return nil }
            // Leading zeros are refused: some parsers read them as octal.
            if part.count > 1 && part.hasPrefix("0") { return nil }
            value = value << 8 | octet
        }
        return value
    }

    static func parseV6(_ text: String) -> (UInt64, UInt64)? {
        var groups: [UInt16] = []
        let halves = text.components(separatedBy: "::")
        guard halves.count <= 2 else { return nil }
        func parseGroups(_ part: String, allowV4Tail: Bool) -> [UInt16]? {
            if part.isEmpty { return [] }
            var result: [UInt16] = []
            let pieces = part.split(separator: ":", omittingEmptySubsequences: false)
            for (index, piece) in pieces.enumerated() {
                if index == pieces.count - 1, allowV4Tail, piece.contains(".") {
                    guard let v4 = parseV4(piece) else { return nil }
                    result.append(UInt16(v4 >> 16))
                    result.append(UInt16(v4 & 0xFFFF))
                    continue
                }
                guard !piece.isEmpty, piece.count <= 4, let value = UInt16(piece, radix: 16) else { return nil }
                result.append(value)
            }
            return result
        }
        if halves.count == 2 {
            guard let head = parseGroups(halves[0], allowV4Tail: false), let tail = parseGroups(halves[1], allowV4Tail: true) else { return nil }
            guard head.count + tail.count <= 7 else { return nil }
            groups = head + Array(repeating: 0, count: 8 - head.count - tail.count) + tail
        } else {
            guard let all = parseGroups(halves[0], allowV4Tail: true), all.count == 8 else { return nil }
            groups = all
        }
        var high: UInt64 = 0
        var low: UInt64 = 0
        for index in 0..<4 { high = high << 16 | UInt64(groups[index]) }
        for index in 4..<8 { low = low << 16 | UInt64(groups[index]) }
        return (high, low)
    }

    /// Dotted quad for IPv4; RFC 5952 text for IPv6 (lowercase, longest zero run as `::`).
    public var description: String {
        if let v4 = v4Value {
            return "\(v4 >> 24).\(v4 >> 16 & 0xFF).\(v4 >> 8 & 0xFF).\(v4 & 0xFF)"
        }
        var groups: [UInt16] = []
        for shift in stride(from: 48, through: 0, by: -16) { groups.append(UInt16(truncatingIfNeeded: high >> UInt64(shift))) }
        for shift in stride(from: 48, through: 0, by: -16) { groups.append(UInt16(truncatingIfNeeded: low >> UInt64(shift))) }
        var bestStart = -1
        var bestLength = 0
        var index = 0
        while index < 8 {
            if groups[index] == 0 {
                var end = index
                while end < 8 && groups[end] == 0 { end += 1 }
                if end - index > bestLength && end - index >= 2 {
                    bestStart = index
                    bestLength = end - index
                }
                index = end
            } else {
                index += 1
            }
        }
        func hex(_ range: Range<Int>) -> String { groups[range].map { String($0, radix: 16) }.joined(separator: ":") }
        if bestStart < 0 { return hex(0..<8) }
        return hex(0..<bestStart) + "::" + hex((bestStart + bestLength)..<8)
    }

    /// Whether the left one sorts first.
    public static func < (lhs: IPAddress, rhs: IPAddress) -> Bool {
        (lhs.high, lhs.low) < (rhs.high, rhs.low)
    }

    /// The address with all but the first `bits` of its 128-bit form cleared (for IPv4,
    /// `bits` counts the 96 bits of the mapped prefix too).
    public func masked(toBits bits: Int) -> IPAddress {
        var result = self
        if bits <= 64 {
            result.high = bits <= 0 ? 0 : high & (UInt64.max << UInt64(64 - bits))
            result.low = 0
        } else if bits < 128 {
            result.low = low & (UInt64.max << UInt64(128 - bits))
        }
        return result
    }

    /// The next address (wrapping at the end of the space).
    public var successor: IPAddress {
        var result = self
        result.low &+= 1
        if result.low == 0 { result.high &+= 1 }
        return result
    }
}

/// An IP network in CIDR notation (`192.0.2.0/24`, `2001:db8::/32`); a bare address is a /32 or /128.
public struct IPNetwork: Hashable, Sendable, CustomStringConvertible {
    /// The first address, with host bits cleared.
    public var address: IPAddress
    /// The prefix length in the address's own family (0-32 or 0-128).
    public var prefixLength: Int

    /// Parses CIDR text; host bits set below the prefix are refused, because they usually mean a typo.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2, let address = IPAddress(String(parts[0])) else { return nil }
        let maximum = address.isV4 ? 32 : 128
        var length = maximum
        if parts.count == 2 {
            guard !parts[1].isEmpty, parts[1].allSatisfy({ $0.isASCII && $0.isNumber }), let value = Int(parts[1]), value <= maximum else { return nil }
            length = value
        }
        self.address = address
        self.prefixLength = length
        guard address.masked(toBits: IPNetwork.bitsIn128(length, v4: address.isV4)) == address else { return nil }
    }

    private static func bitsIn128(_ length: Int, v4: Bool) -> Int { v4 ? length + 96 : length }

    /// Whether `other` lies in this network; addresses of the other family never do.
    public func contains(_ other: IPAddress) -> Bool {
        guard other.isV4 == address.isV4 else { return false }
        return other.masked(toBits: IPNetwork.bitsIn128(prefixLength, v4: address.isV4)) == address
    }

    /// `ADDRESS/LENGTH`.
    public var description: String { "\(address)/\(prefixLength)" }
}
