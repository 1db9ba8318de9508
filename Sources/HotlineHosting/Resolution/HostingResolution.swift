import Foundation
import HotlineCore

/// One step of a resolution, with where the answer came from and when.
public struct ResolutionStep: Hashable, Sendable {
    /// `address`, `network`, `contact`, `partner`.
    public var step: String
    /// The source: `literal`, `dns`, `ipdb:NAME`, `directory`, `rdap:SERVER`, or `none`.
    public var source: String
    /// What it said.
    public var detail: String
    /// When it was looked up.
    public var at: Date

    /// Creates a step.
    public init(step: String, source: String, detail: String, at: Date) {
        self.step = step
        self.source = source
        self.detail = detail
        self.at = at
    }
}

/// Where a URL's content is hosted and who is responsible for it.
public struct HostingResolution: Hashable, Sendable {
    /// The host.
    public var host: String
    /// Whether the host resolved to at least one address.
    public var resolved = false
    /// Whether a lookup failed on the way (no DNS answer, SERVFAIL, RDAP error or malformed
    /// answer) rather than finding nothing: such a resolution is kept only briefly, so reports
    /// after the outage are resolved afresh.
    public var incomplete = false
    /// Its addresses.
    public var addresses: [IPAddress] = []
    /// The network of the first address, in CIDR notation.
    public var network: String?
    /// The AS announcing it.
    public var asn: Int?
    /// The AS's name.
    public var asName: String?
    /// Country of the network.
    public var country: String?
    /// The hoster's name.
    public var org: String?
    /// The abuse address.
    public var abuseEmail: String?
    /// `directory`, `rdap` or `rdap_fallback`.
    public var contactSource: String?
    /// 0-100.
    public var confidence: Int?
    /// The directory entry that matched.
    public var directoryContact: String?
    /// A CDN or reverse proxy.
    public var cdn: Bool?
    /// Signed the national code of conduct.
    public var ntdMember: Bool?
    /// The partner hotline for the hosting country.
    public var partnerHotline: String?
    /// The registrable domain.
    public var domain: String?
    /// The domain's registrar.
    public var registrar: String?
    /// The registrar's abuse address.
    public var registrarAbuseEmail: String?
    /// The registrar's IANA id.
    public var registrarIANAID: Int?
    /// How each part was found.
    public var steps: [ResolutionStep] = []

    /// Creates an empty resolution of `host`.
    public init(host: String) { self.host = host }

    /// Writes `hosting.*` facts.
    public func apply(to facts: inout Facts) {
        facts[.hostingResolved] = .bool(resolved)
        facts[.hostingLookupFailed] = .bool(incomplete)
        if let ip = addresses.first { facts[.hostingIP] = .ip(ip) }
        if !addresses.isEmpty { facts[.hostingIPs] = .ips(addresses) }
        if let network { facts[.hostingNetwork] = .string(network) }
        if let asn { facts[.hostingASN] = .number(Double(asn)) }
        if let asName { facts[.hostingASName] = .string(asName) }
        if let country { facts[.hostingCountry] = .string(country) }
        if let org { facts[.hostingOrg] = .string(org) }
        if let abuseEmail { facts[.hostingAbuseEmail] = .string(abuseEmail) }
        if let directoryContact { facts[.hostingContactID] = .string(directoryContact) }
        if let contactSource { facts[.hostingContactSource] = .string(contactSource) }
        if let confidence { facts[.hostingConfidence] = .number(Double(confidence)) }
        if let cdn { facts[.hostingCDN] = .bool(cdn) }
        if let ntdMember { facts[.hostingNTDMember] = .bool(ntdMember) }
        if let partnerHotline { facts[.hostingPartnerHotline] = .string(partnerHotline) }
        if let domain { facts[.reportDomain] = .string(domain) }
        if let registrar { facts[.registrarName] = .string(registrar) }
        if let registrarAbuseEmail { facts[.registrarAbuseEmail] = .string(registrarAbuseEmail) }
        if let registrarIANAID { facts[.registrarIANAID] = .number(Double(registrarIANAID)) }
    }

    /// The chain as JSON for `hotline resolve --json`.
    public var json: JSONValue {
        var object: JSONObject = ["host": .string(host), "resolved": .bool(resolved), "addresses": .array(addresses.map { .string($0.description) })]
        var facts = Facts()
        apply(to: &facts)
        object.append("facts", .object(facts.json))
        if let directoryContact { object.append("directory_contact", .string(directoryContact)) }
        object.append(
            "steps",
            .array(
                steps.map { step in
                    .object([
                        "step": .string(step.step), "source": .string(step.source), "detail": .string(step.detail), "at": .string(RFC3339.format(step.at)),
                    ])
                }))
        return .object(object)
    }
}
