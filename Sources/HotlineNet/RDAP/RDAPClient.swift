import Foundation
import HotlineCore
import HotlineHosting

/// Asks RDAP servers about networks and domains, over libcurl: bootstrap picks the server,
/// answers are cached, each server is paced, transient failures are retried, and a failing
/// server costs at most its timeout and is then avoided for a while.
public final class RDAPClient: NetworkContactLookup, DomainRegistrarLookup, @unchecked Sendable {
    /// Which server to ask.
    public let bootstrap: RDAPBootstrap
    /// The HTTP client (timeouts, size limit).
    public let http: HTTPClient
    /// How long an answer is reused.
    public let cacheLifetime: TimeInterval
    /// Least time between two requests to one server.
    public let minimumInterval: TimeInterval
    /// Tries per request.
    public let attempts: Int
    /// Checks where a redirect leads before it is followed: registry answers are outside
    /// data, and a redirect to a special-purpose address would make the gateway fetch inside.
    public let policy: AddressPolicy
    /// Resolves the host a redirect names, so that its addresses are checked and pinned;
    /// without one, redirects to names are refused.
    public let resolver: (any AddressResolving)?
    private let time: any TimeSource
    private let lock = NSLock()
    private let networks = ExpiringCache<String, Result<(network: RDAPNetwork, server: String), RDAPError>>()
    private let domains = ExpiringCache<String, Result<RDAPDomain, RDAPError>>()
    private var nextSlot: [String: Date] = [:]
    private var requests = 0

    /// Creates a client.
    public init(
        bootstrap: RDAPBootstrap, http: HTTPClient = HTTPClient(timeout: 10), cacheLifetime: TimeInterval = 86_400, minimumInterval: TimeInterval = 0.1,
        attempts: Int = 2, policy: AddressPolicy = AddressPolicy(), resolver: (any AddressResolving)? = nil, time: any TimeSource = SystemTimeSource()
    ) {
        self.policy = policy
        self.resolver = resolver
        self.bootstrap = bootstrap
        self.http = http
        self.cacheLifetime = cacheLifetime
        self.minimumInterval = minimumInterval
        self.attempts = attempts
        self.time = time
    }

    /// Requests sent so far.
    public var requestsSent: Int {
        lock.lock()
        defer { lock.unlock() }
        return requests
    }

    /// Loads IANA's bootstrap files from a directory (`ipv4.json`, `ipv6.json`, `dns.json`).
    public static func loadBootstrap(directory: String) throws(RDAPError) -> RDAPBootstrap {
        func read(_ name: String) -> [UInt8]? {
            FileManager.default.contents(atPath: (directory as NSString).appendingPathComponent(name)).map { [UInt8]($0) }
        }
        return try RDAPBootstrap.parse(ipv4: read("ipv4.json"), ipv6: read("ipv6.json"), dns: read("dns.json"))
    }

    /// The registry network containing `address`, with the server that answered.
    public func network(for address: IPAddress) -> Result<(network: RDAPNetwork, server: String), RDAPError> {
        network(query: address.description, at: address)
    }

    /// The enclosing network named by a `parentHandle` (`2001:0200::/23` or
    /// `210.0.0.0 - 210.255.255.255`), asked when a network's own record has no e-mail.
    public func parentNetwork(of handle: String) -> Result<(network: RDAPNetwork, server: String), RDAPError> {
        let parts = handle.components(separatedBy: " - ")
        if parts.count == 2, let start = RDAPParser.address(parts[0].trimmingCharacters(in: .whitespaces)),
            let end = RDAPParser.address(parts[1].trimmingCharacters(in: .whitespaces))
        {
            let range = IPRange(start: start, end: end, info: IPRangeInfo(source: "rdap"))
            return network(query: range.coveringNetwork, at: start)
        }
        let pieces = handle.split(separator: "/")
        guard pieces.count == 2, let address = IPAddress(String(pieces[0])), let length = Int(pieces[1]) else {
            return .failure(RDAPError(message: "parent handle \(handle) is not a network"))
        }
        return network(query: "\(address)/\(length)", at: address)
    }

    func network(query: String, at address: IPAddress) -> Result<(network: RDAPNetwork, server: String), RDAPError> {
        guard let base = bootstrap.server(for: address) else { return .failure(RDAPError(message: "no RDAP server for \(address) in the bootstrap")) }
        let server = URL(string: base)?.host ?? base
        return networks.value(for: query, at: time.now()) {
            let result = fetch(base + "ip/\(query)").flatMap { bytes in Result { () throws(RDAPError) in try RDAPParser.network(bytes) } }
            return (result.map { ($0, server) }, lifetime(of: result))
        }
    }

    /// The registrar of a domain, uncached.
    public func domain(_ name: String) -> Result<RDAPDomain, RDAPError> {
        guard let base = bootstrap.server(forDomain: name) else { return .failure(RDAPError(message: "no RDAP server for \(name) in the bootstrap")) }
        return fetch(base + "domain/\(name)").flatMap { bytes in Result { () throws(RDAPError) in try RDAPParser.domain(bytes) } }
    }

    /// The registrar of a domain, cached like networks.
    public func registrar(of domain: String) -> Result<RDAPDomain, RDAPError> {
        domains.value(for: domain, at: time.now()) {
            let result = self.domain(domain)
            return (result, lifetime(of: result))
        }
    }

    /// Answers are kept for `cacheLifetime`; failures only a minute, so a struggling server
    /// is not asked for every report but is asked again soon.
    private func lifetime<T>(of result: Result<T, RDAPError>) -> TimeInterval {
        if case .success = result { return cacheLifetime }
        return 60
    }

    /// Waits for the server's next slot, then GETs, retrying timeouts, 429 and 5xx.
    func fetch(_ url: String) -> Result<[UInt8], RDAPError> {
        let server = URL(string: url)?.host ?? url
        var lastError = RDAPError(message: "not asked")
        for attempt in 0..<max(1, attempts) {
            if let wait = pace(server) {
                return .failure(RDAPError(message: "\(server) asked for a pause; \(Int(wait.rounded(.up))) s left"))
            }
            lock.lock()
            requests += 1
            lock.unlock()
            do {
                let response: HTTPResponse
                switch try get(url) {
                case .success(let answer): response = answer
                case .failure(let refused): return .failure(refused)
                }
                switch response.status {
                case 200..<300: return .success(response.body)
                case 404: return .failure(RDAPError(message: "\(server) has no record (404)", notFound: true))
                case 429, 500..<600:
                    lastError = RDAPError(message: "\(server) answered \(response.status)")
                    // A registry that asks for a pause gets it, for every lookup to it; waits
                    // longer than `maximumRetryAfter` are not worth holding a report for.
                    if let wait = response.retryAfterSeconds() {
                        lastError = RDAPError(message: "\(server) answered \(response.status), retry after \(Int(wait)) s")
                        holdOff(server, for: wait)
                        if wait > Self.maximumRetryAfter { return .failure(lastError) }
                    }
                default: return .failure(RDAPError(message: "\(server) answered \(response.status)"))
                }
            } catch {
                lastError = RDAPError(message: "\(server): \(error.message)")
                if !error.isTransient { return .failure(lastError) }
            }
            if attempt + 1 < attempts { Thread.sleep(forTimeInterval: 0.2 * Double(1 << attempt)) }
        }
        return .failure(lastError)
    }

    /// Most redirects followed for one lookup.
    public static let maximumRedirects = 3

    /// GETs `url`, following redirects by hand: each target must keep https (http only after
    /// http), and its addresses must pass the policy; the connection is pinned to the address
    /// that was checked.
    func get(_ url: String) throws(HTTPError) -> Result<HTTPResponse, RDAPError> {
        var current = url
        var pins: [String] = []
        for _ in 0...Self.maximumRedirects {
            let response = try http.request(
                HTTPRequest(method: "GET", url: current, headers: ["Accept: application/rdap+json"], followRedirects: false, pinnedAddresses: pins))
            guard [301, 302, 303, 307, 308].contains(response.status) else { return .success(response) }
            guard let location = response.location else { return .success(response) }
            switch redirectTarget(from: current, to: location) {
            case .success(let next):
                current = next.url
                pins = next.pins
            case .failure(let refused):
                return .failure(refused)
            }
        }
        return .failure(RDAPError(message: "more than \(Self.maximumRedirects) redirects from \(URL(string: url)?.host ?? url)"))
    }

    /// Where a redirect from `current` to `location` may go, with the pins for it.
    func redirectTarget(from current: String, to location: String) -> Result<(url: String, pins: [String]), RDAPError> {
        let shown = Quoted.text(location)
        guard let base = URL(string: current), let target = URL(string: location, relativeTo: base)?.absoluteURL, let scheme = target.scheme?.lowercased(),
            let host = target.host, !host.isEmpty
        else { return .failure(RDAPError(message: "refused redirect to \(shown): not a URL")) }
        guard scheme == "https" || (scheme == "http" && base.scheme?.lowercased() == "http") else {
            return .failure(RDAPError(message: "refused redirect to \(shown): from \(base.scheme ?? "") to \(scheme)"))
        }
        let port = target.port ?? (scheme == "https" ? 443 : 80)
        let bare = host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host
        if let address = IPAddress(bare) {
            if let why = policy.refusal(address) { return .failure(RDAPError(message: "refused redirect to \(shown): \(why)")) }
            return .success((target.absoluteString, []))
        }
        guard let resolver else { return .failure(RDAPError(message: "refused redirect to \(shown): \(bare) cannot be checked without DNS")) }
        guard let answer = resolver.addresses(for: bare), let first = answer.addresses.first else {
            return .failure(RDAPError(message: "refused redirect to \(shown): \(bare) does not resolve"))
        }
        for address in answer.addresses {
            if let why = policy.refusal(address) { return .failure(RDAPError(message: "refused redirect to \(shown): \(bare) is \(address): \(why)")) }
        }
        let pinned = first.isV4 ? first.description : "[\(first)]"
        return .success((target.absoluteString, ["\(bare):\(port):\(pinned)"]))
    }

    /// The longest `Retry-After` a lookup waits for; beyond it the lookup fails at once (and
    /// later lookups to that server wait for the slot).
    public static let maximumRetryAfter: TimeInterval = 5

    /// Moves the server's next slot `seconds` from now.
    func holdOff(_ server: String, for seconds: TimeInterval) {
        lock.lock()
        nextSlot[server] = max(nextSlot[server] ?? Date(), Date().addingTimeInterval(seconds))
        lock.unlock()
    }

    /// Registries limit clients; requests to one server are spaced by `minimumInterval`.
    /// Returns the time left instead of waiting when the server asked for a longer pause than
    /// `maximumRetryAfter`.
    func pace(_ server: String) -> TimeInterval? {
        lock.lock()
        let now = Date()
        let slot = max(now, nextSlot[server] ?? now)
        let wait = slot.timeIntervalSince(now)
        if wait > Self.maximumRetryAfter {
            lock.unlock()
            return wait
        }
        nextSlot[server] = slot.addingTimeInterval(minimumInterval)
        lock.unlock()
        if wait > 0 { Thread.sleep(forTimeInterval: wait) }
        return nil
    }
}
