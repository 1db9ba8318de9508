/// Which addresses the gateway may connect to when it fetches a URL from a report.
///
/// Reports come from the public, so a URL may point at the gateway's own network (a
/// router, a metadata service, a database on loopback). Only public unicast addresses are
/// fetched, unless an operator allows a network explicitly, as the tests do for loopback.
public struct AddressPolicy: Hashable, Sendable {
    /// Networks allowed despite being special-purpose.
    public var allowed: [IPNetwork]

    /// Creates a policy.
    public init(allowed: [IPNetwork] = []) {
        self.allowed = allowed
    }

    /// Special-purpose ranges (RFC 6890 and its updates): private, loopback, link-local
    /// (cloud metadata lives there), shared, multicast, reserved, documentation; and the
    /// deprecated IPv4-compatible (`::/96`) and site-local (`fec0::/10`) IPv6 ranges, which
    /// some stacks still route to IPv4 or to the local site.
    public static let specialPurpose: [IPNetwork] = [
        "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
        "192.0.0.0/24", "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24",
        "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4",
        "::/128", "::1/128", "::/96", "::ffff:0:0/96", "64:ff9b::/96", "64:ff9b:1::/48", "100::/64", "2001::/23",
        "2001:db8::/32", "2002::/16", "fc00::/7", "fe80::/10", "fec0::/10", "ff00::/8",
    ].map { IPNetwork($0)! }

    /// Why `address` may not be fetched, or `nil` when it may.
    public func refusal(_ address: IPAddress) -> String? {
        if allowed.contains(where: { $0.contains(address) }) { return nil }
        // An IPv4-mapped IPv6 address is judged as the IPv4 address it carries.
        if !address.isV4, address.high == 0, address.low >> 32 == 0xffff {
            return refusal(IPAddress(v4: UInt32(truncatingIfNeeded: address.low)))
        }
        if let network = Self.specialPurpose.first(where: { $0.contains(address) }) {
            return "\(address) is in special-purpose network \(network)"
        }
        return nil
    }
}
