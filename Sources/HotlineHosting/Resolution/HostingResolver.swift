import Foundation
import HotlineCore

/// A host's addresses as DNS gave them.
public struct AddressAnswer: Hashable, Sendable {
    /// The addresses (empty: the name does not exist or has none).
    public var addresses: [IPAddress]
    /// Who answered, e.g. `dns:127.0.0.1`.
    public var source: String
    /// What happened, for the resolution's record (CNAME chain, NXDOMAIN, timeout).
    public var detail: String

    /// Whether nobody answered (timeout, SERVFAIL), as opposed to "no such name".
    public var isFailure: Bool { addresses.isEmpty && detail.hasPrefix("no answer") }

    /// Creates an answer.
    public init(addresses: [IPAddress], source: String, detail: String) {
        self.addresses = addresses
        self.source = source
        self.detail = detail
    }
}

/// Looks up a host's addresses (DNS); `nil` means "not available here" (offline).
public protocol AddressResolving: Sendable {
    /// The host's addresses, or `nil` when not looked up.
    func addresses(for host: String) -> AddressAnswer?
}

/// URL host → address → network, ASN, country → abuse contact, from the contact directory
/// and the imported IP tables, with every step recorded. Answers are cached per host.
public final class HostingResolver: ReportEnricher, Sendable {
    /// The operators' directory, which overrides registry data.
    public let directory: ContactDirectory
    /// Imported IP-to-network tables.
    public let ipTable: IPTable
    /// DNS, when available.
    public let addressResolver: (any AddressResolving)?
    /// RDAP, when available: asked when the directory has no entry.
    public let contactLookup: (any NetworkContactLookup)?
    /// RDAP for registrars, when available.
    public let registrarLookup: (any DomainRegistrarLookup)?
    /// Which part of a host is the registered domain.
    public let publicSuffixes: PublicSuffixList?
    /// The hotline's own country: no partner hotline is named for it.
    public let homeCountry: String
    /// How long a resolution is reused.
    public let cacheLifetime: TimeInterval
    private let time: any TimeSource
    private let cache = ExpiringCache<String, HostingResolution>()

    /// Creates a resolver.
    public init(
        directory: ContactDirectory, ipTable: IPTable, addressResolver: (any AddressResolving)? = nil, contactLookup: (any NetworkContactLookup)? = nil,
        registrarLookup: (any DomainRegistrarLookup)? = nil, publicSuffixes: PublicSuffixList? = nil, homeCountry: String, cacheLifetime: TimeInterval = 3600,
        time: any TimeSource = SystemTimeSource()
    ) {
        self.registrarLookup = registrarLookup
        self.publicSuffixes = publicSuffixes
        self.directory = directory
        self.ipTable = ipTable
        self.addressResolver = addressResolver
        self.contactLookup = contactLookup
        self.homeCountry = homeCountry
        self.cacheLifetime = cacheLifetime
        self.time = time
    }

    /// Most hosts resolved at the same time while preparing a batch.
    public static let concurrency = 16

    /// Resolves the batch's distinct hosts, several at a time, into the cache.
    public func prepare(_ urls: [CanonicalURL]) {
        guard addressResolver != nil || contactLookup != nil || registrarLookup != nil else { return }
        let hosts = Array(Set(urls.map(\.host)))
        let now = time.now()
        let missing = hosts.filter { cache.value(for: $0, at: now) == nil }
        guard !missing.isEmpty else { return }
        let group = DispatchGroup()
        let slots = DispatchSemaphore(value: HostingResolver.concurrency)
        let queue = DispatchQueue(label: "hosting-prepare", attributes: .concurrent)
        for host in missing {
            slots.wait()
            group.enter()
            queue.async {
                _ = self.resolve(host: host)
                slots.signal()
                group.leave()
            }
        }
        group.wait()
    }

    /// Sets `hosting.*` facts for the report's host.
    public func enrich(_ report: Report, facts: inout Facts) {
        resolve(host: report.url.host).apply(to: &facts)
    }

    /// The resolution of `host` (canonical form), from the cache while it is fresh.
    public func resolve(host: String) -> HostingResolution {
        let now = time.now()
        return cache.value(for: host, at: now) {
            let resolution = resolveUncached(host: host, at: now)
            return (resolution, resolution.incomplete ? min(cacheLifetime, Self.failureLifetime) : cacheLifetime)
        }
    }

    /// How long a resolution with a failed lookup is kept: as long as the DNS and RDAP clients
    /// keep their failures, so the next report after that asks again.
    public static let failureLifetime: TimeInterval = 60

    func resolveUncached(host: String, at now: Date) -> HostingResolution {
        var result = HostingResolution(host: host)
        func step(_ name: String, _ source: String, _ detail: String) {
            result.steps.append(ResolutionStep(step: name, source: source, detail: detail, at: now))
        }
        let literal = host.hasPrefix("[") ? IPAddress(String(host.dropFirst().dropLast())) : IPAddress(host)
        if let literal {
            result.addresses = [literal]
            step("address", "literal", "the URL names the address \(literal)")
        } else if let answer = addressResolver?.addresses(for: host) {
            result.addresses = answer.addresses
            result.incomplete = answer.isFailure
            step("address", answer.source, answer.detail)
        } else {
            step("address", "none", "not looked up: no DNS resolver (offline)")
        }
        result.resolved = !result.addresses.isEmpty
        if let ip = result.addresses.first {
            if let match = ipTable.lookup(ip) {
                result.network = match.network
                result.asn = match.info.asn
                result.asName = match.info.description
                result.country = match.info.country
                let parts = [match.info.asn.map { "AS\($0)" }, match.info.description, match.info.country].compactMap { $0 }
                step("network", "ipdb:\(match.info.source)", "\(match.network)" + (parts.isEmpty ? "" : " " + parts.joined(separator: " ")))
            } else {
                step("network", "none", "\(ip) is in no imported table")
            }
        }
        if let (contact, reason) = directory.match(host: host, address: result.addresses.first, asn: result.asn) {
            result.directoryContact = contact.id
            result.org = contact.name
            result.abuseEmail = contact.abuse.first
            result.contactSource = "directory"
            result.confidence = 100
            result.cdn = contact.cdn
            result.ntdMember = contact.ntdMember
            if result.country == nil { result.country = contact.country }
            step("contact", "directory", "\(contact.id) (\(contact.name)) by \(reason): \(contact.abuse.first ?? "no abuse address")")
        } else if let ip = result.addresses.first, let contactLookup {
            switch contactLookup.network(for: ip) {
            case .success(var (network, server)):
                // A record with no e-mail at all: ask its parent network, one level up.
                if network.contacts.isEmpty, let parent = network.parentHandle,
                    case .success(let (parentNetwork, parentServer)) = contactLookup.parentNetwork(of: parent), !parentNetwork.contacts.isEmpty
                {
                    step("contact", "rdap:\(server)", "no e-mail in \(network.handle ?? "the network's record"); asked the parent \(parent)")
                    network.contacts = parentNetwork.contacts.map { contact in
                        var lowered = contact
                        lowered.confidence = min(contact.confidence, 70)
                        lowered.basis = "parent network \(parent): \(contact.basis)"
                        return lowered
                    }
                    server = parentServer
                }
                if let contact = network.abuseContact {
                    result.abuseEmail = contact.email
                    result.confidence = contact.confidence
                    result.contactSource = contact.confidence >= 90 ? "rdap" : "rdap_fallback"
                    step("contact", "rdap:\(server)", "\(contact.email) (confidence \(contact.confidence): \(contact.basis))")
                } else {
                    step(
                        "contact", "rdap:\(server)",
                        "no e-mail in the registry data" + (network.notes.isEmpty ? "" : ": " + network.notes.joined(separator: "; ")))
                }
                result.org = network.organisation ?? network.name
                if result.country == nil { result.country = network.country }
            case .failure(let error):
                result.incomplete = result.incomplete || !error.notFound
                step("contact", "rdap", "lookup failed: \(error.message)")
            }
        } else {
            step(
                "contact", "none",
                contactLookup == nil ? "no directory entry; RDAP not queried (offline)" : "no directory entry and no address to ask RDAP about")
        }
        if let domain = publicSuffixes?.registrableDomain(host) {
            result.domain = domain
            if let registrarLookup {
                switch registrarLookup.registrar(of: domain) {
                case .success(let answer):
                    result.registrar = answer.registrar
                    result.registrarIANAID = answer.registrarIANAID
                    result.registrarAbuseEmail = answer.registrarContacts.first?.email
                    step(
                        "registrar", "rdap",
                        "\(domain): \(answer.registrar ?? "unknown registrar")"
                            + (answer.registrarContacts.first.map { ", abuse \($0.email)" } ?? ", no abuse address"))
                case .failure(let error):
                    result.incomplete = result.incomplete || !error.notFound
                    step("registrar", "rdap", "\(domain): lookup failed: \(error.message)")
                }
            }
        }
        if let country = result.country, country != homeCountry, let partner = directory.hotline(country: country) {
            result.partnerHotline = partner.id
            step("partner", "directory", "\(partner.id) (\(partner.name)) covers \(country)")
        }
        return result
    }
}
