import CCurl
import Crypto
import Foundation
import HotlineCore
import HotlineHosting

/// MD5, SHA-1 and SHA-256 of a body, lowercase hex.
public struct ContentDigestSet: Hashable, Sendable {
    /// MD5.
    public var md5: String
    /// SHA-1.
    public var sha1: String
    /// SHA-256.
    public var sha256: String

    /// Digests `bytes`.
    public init(_ bytes: [UInt8]) {
        md5 = Hex.string(Insecure.MD5.hash(data: bytes))
        sha1 = Hex.string(Insecure.SHA1.hash(data: bytes))
        sha256 = Hex.string(SHA256.hash(data: bytes))
    }
}

/// One answer of a fetch, held in memory for the caller to hash and drop.
public struct FetchedBody: Sendable {
    /// The final status, after redirects.
    public var status: Int
    /// The URL that answered (the last one of the redirects).
    public var url: String
    /// Every host visited, the reported URL's own first.
    public var hosts: [String]
    /// The `Content-Type` header, without parameters, lowercased.
    public var contentType: String?
    /// The body, up to the limit.
    public var body: [UInt8]
    /// Whether the body was longer than the limit (then `body` is empty).
    public var truncated: Bool
}

/// What a fetch found, with the body in memory.
public enum FetchResult: Sendable {
    /// An answer.
    case response(FetchedBody)
    /// A host on the way has no addresses (NXDOMAIN or no records): the host, and every
    /// host visited before it (empty when it was the reported URL's own).
    case noSuchHost(host: String, after: [String], detail: String)
    /// Where it points is not fetched: a special-purpose address, another scheme.
    case refused(String)
    /// No usable answer: timeout, connection error, DNS failure, too many redirects.
    case failed(String)
}

/// Fetches reported URLs without becoming a tool against the gateway's own network: only
/// http(s); every address checked against an ``AddressPolicy`` before connecting and
/// pinned for the connection (no second DNS answer can swap it); no proxy unless the config
/// names one; redirects followed by hand, each hop checked again; size and time limits. The
/// body stays in memory: callers hash it and let it go.
public struct SafeFetcher: Sendable {
    /// The User-Agent sent unless the config names another: the one most browsers send, so
    /// that a hoster serves the gateway what it serves people.
    public static let browserUserAgent = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"

    /// Resolves host names; `nil` means only IP-literal URLs can be fetched.
    public var resolver: (any AddressResolving)?
    /// Which addresses may be connected to.
    public var policy: AddressPolicy
    /// Largest body read (the rest is not needed to tell whether it is still there).
    public var maximumBytes: Int
    /// Per-request timeout.
    public var timeout: TimeInterval
    /// Redirects followed at most.
    public var maximumRedirects: Int
    /// Sent as User-Agent.
    public var userAgent: String
    /// A proxy the config names (`http://HOST:PORT`); `nil`: none, whatever the environment's
    /// `http_proxy` says. The proxy resolves names itself, so the address policy cannot
    /// check what it connects to: name one only where it enforces a policy of its own.
    public var proxy: String?

    /// Creates a fetcher.
    public init(
        resolver: (any AddressResolving)?, policy: AddressPolicy = AddressPolicy(), maximumBytes: Int = 32 << 20, timeout: TimeInterval = 15,
        maximumRedirects: Int = 5, userAgent: String = SafeFetcher.browserUserAgent, proxy: String? = nil
    ) {
        self.resolver = resolver
        self.policy = policy
        self.maximumBytes = maximumBytes
        self.timeout = timeout
        self.maximumRedirects = maximumRedirects
        self.userAgent = userAgent
        self.proxy = proxy
    }

    /// Fetches `url` and hashes the body in memory (the follow-up's view).
    public func fetch(_ url: String) -> FetchOutcome {
        switch get(url) {
        case .response(let answer):
            let digests = (200..<300).contains(answer.status) && !answer.truncated ? ContentDigestSet(answer.body) : nil
            return .response(status: answer.status, finalURL: answer.url, digests: digests)
        case .noSuchHost(let host, _, let detail): return .noSuchHost("\(host): \(detail)")
        case .refused(let why), .failed(let why): return .failed(why)
        }
    }

    /// Fetches `url`, following at most ``maximumRedirects`` redirects; the body is read up
    /// to `limit` (default ``maximumBytes``) and sent with `agent` (default ``userAgent``).
    public func get(_ url: String, limit: Int? = nil, agent: String? = nil) -> FetchResult {
        var current = url
        var hosts: [String] = []
        for _ in 0...maximumRedirects {
            if let colon = current.firstIndex(of: ":") {
                let scheme = current[..<colon].lowercased()
                guard scheme == "http" || scheme == "https" else { return .refused("scheme \(scheme) is not fetched") }
            }
            let parsed: CanonicalURL
            do {
                parsed = try URLCanonicalizer.canonicalize(current)
            } catch {
                return .failed("not a usable URL: \(current)")
            }
            guard parsed.scheme == "http" || parsed.scheme == "https" else { return .refused("scheme \(parsed.scheme) is not fetched") }
            let port = parsed.port ?? (parsed.scheme == "https" ? 443 : 80)
            let address: IPAddress
            let bareHost = parsed.host.hasPrefix("[") ? String(parsed.host.dropFirst().dropLast()) : parsed.host
            if let literal = IPAddress(bareHost) {
                address = literal
            } else {
                guard let resolver else { return .failed("DNS is off; \(parsed.host) cannot be looked up") }
                guard let answer = resolver.addresses(for: parsed.host) else { return .failed("DNS is off; \(parsed.host) cannot be looked up") }
                if answer.addresses.isEmpty {
                    return answer.isFailure ? .failed("DNS: \(answer.detail)") : .noSuchHost(host: parsed.host, after: hosts, detail: answer.detail)
                }
                // Every address must be allowed: a host that mixes a public and a private
                // address is refused rather than fetched from the public one.
                for candidate in answer.addresses {
                    if let refusal = policy.refusal(candidate) { return .refused("refused: \(parsed.host) resolves to \(refusal)") }
                }
                address = answer.addresses[0]
            }
            if let refusal = policy.refusal(address) { return .refused("refused: \(refusal)") }
            hosts.append(parsed.host)
            let handle: CurlHandle
            do { handle = try CurlHandle() } catch { return .failed(error.message) }
            handle.bodyLimit = limit ?? maximumBytes
            handle.set(CURLOPT_URL, parsed.canonical)
            // A name is pinned to the address checked above (no second DNS answer can swap it);
            // an address literal is connected to as it is, so it needs no pin (and libcurl
            // refuses an IPv6 literal in one).
            if IPAddress(bareHost) == nil {
                handle.set(CURLOPT_RESOLVE, list: ["\(parsed.host):\(port):\(address.isV4 ? address.description : "[\(address)]")"])
            }
            // Never the environment's proxy: it would connect past the pin and the policy.
            handle.set(CURLOPT_PROXY, proxy ?? "")
            if proxy == nil { handle.set(CURLOPT_NOPROXY, "*") }
            handle.set(CURLOPT_USERAGENT, agent ?? userAgent)
            handle.set(CURLOPT_NOSIGNAL, 1)
            handle.set(CURLOPT_TIMEOUT_MS, Int(timeout * 1000))
            handle.set(CURLOPT_CONNECTTIMEOUT_MS, Int(min(timeout, 5) * 1000))
            handle.set(CURLOPT_PROTOCOLS_STR, "http,https")
            handle.set(CURLOPT_FOLLOWLOCATION, 0)
            let code = handle.perform()
            let contentType = handle.header("content-type").map { $0.split(separator: ";").first.map(String.init) ?? $0 }?.trimmingCharacters(in: .whitespaces)
                .lowercased()
            if handle.bodyExceeded {
                // Larger than the limit: it is there, but what it is stays unknown.
                return .response(
                    FetchedBody(status: handle.responseCode, url: parsed.canonical, hosts: hosts, contentType: contentType, body: [], truncated: true))
            }
            guard code == CURLE_OK else { return .failed(CurlHandle.message(code)) }
            let status = handle.responseCode
            if (300..<400).contains(status), let location = handle.header("location") {
                guard let next = URL(string: location, relativeTo: URL(string: parsed.canonical))?.absoluteString else {
                    return .failed("unusable redirect to \(location)")
                }
                current = next
                continue
            }
            return .response(FetchedBody(status: status, url: parsed.canonical, hosts: hosts, contentType: contentType, body: handle.body, truncated: false))
        }
        return .failed("more than \(maximumRedirects) redirects")
    }
}

/// What fetching a URL found, for the follow-up: the body's digests, never the body.
public enum FetchOutcome: Hashable, Sendable {
    /// An answer: the final status after redirects, and the body's digests when it was 2xx.
    case response(status: Int, finalURL: String, digests: ContentDigestSet?)
    /// The host has no addresses (NXDOMAIN or no records).
    case noSuchHost(String)
    /// Not fetched, or no usable answer: refused address, timeout, connection error, DNS failure.
    case failed(String)
}
