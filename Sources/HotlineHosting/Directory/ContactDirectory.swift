import HotlineCore

/// How a party prefers to receive notices.
public enum NoticeChannel: String, Hashable, Sendable, CaseIterable {
    /// E-mail with a text part and X-ARF attachments.
    case email
    /// JSON (X-ARF) POSTed to their endpoint.
    case webhook
    /// E-mail carrying X-ARF only, for automated abuse desks.
    case xarf
}

/// A hoster, CDN or registrar the hotline knows, from `Config/contacts.yaml`.
public struct DirectoryContact: Hashable, Sendable {
    /// Stable id, used as `contact:ID` in rules.
    public var id: String
    /// The organisation's name.
    public var name: String
    /// Autonomous systems it operates.
    public var asns: [Int]
    /// Networks it operates.
    public var prefixes: [IPNetwork]
    /// Domains it hosts (suffix match on the URL's host).
    public var domains: [String]
    /// Country of the organisation, uppercase, if known.
    public var country: String?
    /// Abuse addresses, first preferred.
    public var abuse: [String]
    /// Preferred channel.
    public var channel: NoticeChannel
    /// Endpoint for the webhook channel.
    public var webhook: String?
    /// The environment variable holding the webhook's HMAC secret.
    public var webhookSecretEnvironment: String?
    /// Language of notices (`nl`, `en`, …).
    public var language: String
    /// Signed the national NTD code of conduct.
    public var ntdMember: Bool
    /// A CDN or reverse proxy: notices also ask for the origin host.
    public var cdn: Bool
    /// Who to turn to when the abuse desk does not act.
    public var escalation: [String]
    /// Where the entry is written.
    public var location: SourceLocation

    /// Creates an entry.
    public init(
        id: String, name: String, asns: [Int] = [], prefixes: [IPNetwork] = [], domains: [String] = [], country: String? = nil, abuse: [String],
        channel: NoticeChannel = .email, webhook: String? = nil, webhookSecretEnvironment: String? = nil, language: String = "en", ntdMember: Bool = false,
        cdn: Bool = false, escalation: [String] = [], location: SourceLocation
    ) {
        self.id = id
        self.name = name
        self.asns = asns
        self.prefixes = prefixes
        self.domains = domains
        self.country = country
        self.abuse = abuse
        self.channel = channel
        self.webhook = webhook
        self.webhookSecretEnvironment = webhookSecretEnvironment
        self.language = language
        self.ntdMember = ntdMember
        self.cdn = cdn
        self.escalation = escalation
        self.location = location
    }
}

/// A partner hotline (INHOPE) and the countries it covers.
public struct PartnerHotline: Hashable, Sendable {
    /// Stable id.
    public var id: String
    /// Name.
    public var name: String
    /// Countries, uppercase ISO 3166.
    public var countries: [String]
    /// Where forwarded reports go.
    public var email: String
    /// Language of forwards.
    public var language: String
    /// Where the entry is written.
    public var location: SourceLocation

    /// Creates an entry.
    public init(id: String, name: String, countries: [String], email: String, language: String = "en", location: SourceLocation) {
        self.id = id
        self.name = name
        self.countries = countries
        self.email = email
        self.language = language
        self.location = location
    }
}

/// The operators' own knowledge of who is responsible, which overrides public registry data.
public struct ContactDirectory: Sendable {
    /// Hosters, CDNs, registrars.
    public var contacts: [DirectoryContact]
    /// Partner hotlines.
    public var hotlines: [PartnerHotline]

    /// Creates a directory.
    public init(contacts: [DirectoryContact] = [], hotlines: [PartnerHotline] = []) {
        self.contacts = contacts
        self.hotlines = hotlines
    }

    /// The entry that covers a URL host or an address, with why: a domain suffix match
    /// first (the longest), then the most specific prefix, then the ASN.
    public func match(host: String?, address: IPAddress?, asn: Int?) -> (contact: DirectoryContact, reason: String)? {
        if let host {
            var best: (DirectoryContact, String)?
            for contact in contacts {
                for domain in contact.domains where host == domain || host.hasSuffix("." + domain) {
                    if best == nil || domain.count > best!.1.count { best = (contact, domain) }
                }
            }
            if let best { return (best.0, "domain \(best.1)") }
        }
        if let address {
            var best: (DirectoryContact, IPNetwork)?
            for contact in contacts {
                for prefix in contact.prefixes where prefix.contains(address) {
                    if best == nil || prefix.prefixLength > best!.1.prefixLength { best = (contact, prefix) }
                }
            }
            if let best { return (best.0, "prefix \(best.1)") }
        }
        if let asn, let contact = contacts.first(where: { $0.asns.contains(asn) }) {
            return (contact, "AS\(asn)")
        }
        return nil
    }

    /// The entry with this id.
    public func contact(id: String) -> DirectoryContact? { contacts.first { $0.id == id } }

    /// The partner hotline covering a country.
    public func hotline(country: String) -> PartnerHotline? { hotlines.first { $0.countries.contains(country) } }
}
