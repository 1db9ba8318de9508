/// What a table knows about a range of addresses.
public struct IPRangeInfo: Hashable, Sendable {
    /// The announcing autonomous system, when known (0 is "not routed" in iptoasn data and is kept as `nil`).
    public var asn: Int?
    /// ISO 3166 country, uppercase, when known.
    public var country: String?
    /// The AS's description (usually the network's owner).
    public var description: String?
    /// Where this came from: the imported file's source name.
    public var source: String

    /// Creates info.
    public init(asn: Int? = nil, country: String? = nil, description: String? = nil, source: String) {
        self.asn = asn
        self.country = country
        self.description = description
        self.source = source
    }
}

/// An inclusive range of addresses of one family with what is known about it.
public struct IPRange: Hashable, Sendable {
    /// First address.
    public var start: IPAddress
    /// Last address.
    public var end: IPAddress
    /// What is known.
    public var info: IPRangeInfo

    /// Creates a range.
    public init(start: IPAddress, end: IPAddress, info: IPRangeInfo) {
        self.start = start
        self.end = end
        self.info = info
    }

    /// The smallest CIDR network that covers the range (`hosting.network`); registry ranges
    /// are not always CIDR-aligned, so this may be wider than the range.
    public var coveringNetwork: String {
        let high = start.high ^ end.high
        let low = start.low ^ end.low
        let common = high != 0 ? high.leadingZeroBitCount : 64 + low.leadingZeroBitCount
        let familyPrefix = start.isV4 ? max(0, common - 96) : common
        return "\(start.masked(toBits: start.isV4 ? familyPrefix + 96 : familyPrefix))/\(familyPrefix)"
    }
}
