import Foundation
import HotlineCore

/// Looks up a host's addresses (DNS); `nil` means "not available here" (offline).
public protocol AddressResolving: Sendable {
    /// The host's addresses with the source that gave them, or `nil` when not looked up.
    func addresses(for host: String) -> (addresses: [IPAddress], source: String)?
}

/// URL host → address → network, ASN, country → abuse contact, from the contact directory
/// and the imported IP tables, with every step recorded. Answers are cached per host.
public final class HostingResolver: ReportEnricher, @unchecked Sendable {
    /// The operators' directory, which overrides registry data.
    public let directory: ContactDirectory
    /// Imported IP-to-network tables.
    public let ipTable: IPTable
    /// DNS, when available.
    public let addressResolver: (any AddressResolving)?
    /// The hotline's own country: no partner hotline is named for it.
    public let homeCountry: String
    /// How long a resolution is reused.
    public let cacheLifetime: TimeInterval
    private let time: any TimeSource
    private let lock = NSLock()
    private var cache: [String: (resolution: HostingResolution, expires: Date)] = [:]

    /// Creates a resolver.
    public init(directory: ContactDirectory, ipTable: IPTable, addressResolver: (any AddressResolving)? = nil, homeCountry: String, cacheLifetime: TimeInterval = 3600, time: any TimeSource = SystemTimeSource()) {
        self.directory = directory
        self.ipTable = ipTable
        self.addressResolver = addressResolver
        self.homeCountry = homeCountry
        self.cacheLifetime = cacheLifetime
        self.time = time
    }

    /// Sets `hosting.*` facts for the report's host.
    public func enrich(_ report: Report, facts: inout Facts) {
        resolve(host: report.url.host).apply(to: &facts)
    }

    /// The resolution of `host` (canonical form), from the cache while it is fresh.
    public func resolve(host: String) -> HostingResolution {
        let now = time.now()
        lock.lock()
        if let cached = cache[host], cached.expires > now {
            lock.unlock()
            return cached.resolution
        }
        lock.unlock()
        let resolution = resolveUncached(host: host, at: now)
        lock.lock()
        cache[host] = (resolution, now.addingTimeInterval(cacheLifetime))
        lock.unlock()
        return resolution
    }

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
            step("address", answer.source, answer.addresses.isEmpty ? "no addresses" : answer.addresses.map(\.description).joined(separator: ", "))
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
        } else {
            step("contact", "none", "no directory entry; RDAP not queried (offline)")
        }
        if let country = result.country, country != homeCountry, let partner = directory.hotline(country: country) {
            result.partnerHotline = partner.id
            step("partner", "directory", "\(partner.id) (\(partner.name)) covers \(country)")
        }
        return result
    }
}
