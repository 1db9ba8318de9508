import HotlineCore

/// Which RDAP server answers for which addresses and domains (RFC 9224 bootstrap files).
public struct RDAPBootstrap: Sendable {
    var networks: [(network: IPNetwork, base: String)] = []
    var domains: [(suffix: String, base: String)] = []
    var everything: String?

    /// An empty bootstrap.
    public init() {}

    /// Sends every query to one server (tests, or a hotline's own RDAP proxy).
    public init(singleServer base: String) {
        everything = base.hasSuffix("/") ? base : base + "/"
    }

    /// Reads IANA's `ipv4.json`, `ipv6.json` and `dns.json` (any may be absent).
    public static func parse(ipv4: [UInt8]?, ipv6: [UInt8]?, dns: [UInt8]?) throws(RDAPError) -> RDAPBootstrap {
        var bootstrap = RDAPBootstrap()
        func services(_ bytes: [UInt8]?, _ name: String) throws(RDAPError) -> [([String], String)] {
            guard let bytes else { return [] }
            guard case .object(let object)? = try? JSONValue.parse(bytes), case .array(let list)? = object["services"] else {
                throw RDAPError(message: "\(name) is not an RDAP bootstrap file (no \"services\")")
            }
            return list.compactMap { service -> ([String], String)? in
                guard case .array(let pair) = service, pair.count == 2, case .array(let keys) = pair[0], case .array(let urls) = pair[1] else { return nil }
                let links = urls.compactMap(\.stringValue)
                // Prefer https where the registry offers both.
                guard let base = links.first(where: { $0.hasPrefix("https://") }) ?? links.first else { return nil }
                return (keys.compactMap(\.stringValue), base.hasSuffix("/") ? base : base + "/")
            }
        }
        for (keys, base) in try services(ipv4, "ipv4.json") + services(ipv6, "ipv6.json") {
            for key in keys { if let network = IPNetwork(key) { bootstrap.networks.append((network, base)) } }
        }
        for (keys, base) in try services(dns, "dns.json") {
            for key in keys { bootstrap.domains.append((key.lowercased(), base)) }
        }
        return bootstrap
    }

    /// The server for an address: the most specific network that contains it.
    public func server(for address: IPAddress) -> String? {
        if let everything { return everything }
        return networks.filter { $0.network.contains(address) }.max { $0.network.prefixLength < $1.network.prefixLength }?.base
    }

    /// The server for a domain: the longest matching suffix (usually the TLD).
    public func server(forDomain name: String) -> String? {
        if let everything { return everything }
        return domains.filter { name == $0.suffix || name.hasSuffix("." + $0.suffix) }.max { $0.suffix.count < $1.suffix.count }?.base
    }

    /// Entries read (for figures and checks).
    public var count: Int { networks.count + domains.count }
}

/// Looks up registry data for an address; the RDAP client implements it, tests fake it.
public protocol NetworkContactLookup: Sendable {
    /// What the registry says about the network of `address`, with the server asked; or why not.
    func network(for address: IPAddress) -> Result<(network: RDAPNetwork, server: String), RDAPError>
    /// The enclosing network named by a record's `parentHandle`.
    func parentNetwork(of handle: String) -> Result<(network: RDAPNetwork, server: String), RDAPError>
}

/// Looks up a domain's registrar; the RDAP client implements it.
public protocol DomainRegistrarLookup: Sendable {
    /// What the registry says about `domain`'s registrar, or why not.
    func registrar(of domain: String) -> Result<RDAPDomain, RDAPError>
}
