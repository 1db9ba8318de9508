import CCurl
import Crypto
import Foundation
import HotlineCore
import HotlineHosting

/// What fetching a URL found. The body itself is never kept: only its digests.
public enum FetchOutcome: Hashable, Sendable {
    /// An answer: the final status after redirects, and the body's digests when it was 2xx.
    case response(status: Int, finalURL: String, digests: ContentDigestSet?)
    /// The host has no addresses (NXDOMAIN or no records).
    case noSuchHost(String)
    /// Not fetched, or no usable answer: refused address, timeout, connection error, DNS failure.
    case failed(String)
}

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
        md5 = Insecure.MD5.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
        sha1 = Insecure.SHA1.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
        sha256 = SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
    }
}

/// Fetches reported URLs without becoming a tool against the gateway's own network: only
/// http(s); every address checked against an ``AddressPolicy`` before connecting and
/// pinned for the connection (no second DNS answer can swap it); redirects followed by hand,
/// each hop checked again; size and time limits; the body hashed in memory and dropped.
public struct SafeFetcher: Sendable {
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

    /// Creates a fetcher.
    public init(
        resolver: (any AddressResolving)?, policy: AddressPolicy = AddressPolicy(), maximumBytes: Int = 32 << 20, timeout: TimeInterval = 15,
        maximumRedirects: Int = 5, userAgent: String = "HotlineGateway/1 (notice follow-up)"
    ) {
        self.resolver = resolver
        self.policy = policy
        self.maximumBytes = maximumBytes
        self.timeout = timeout
        self.maximumRedirects = maximumRedirects
        self.userAgent = userAgent
    }

    /// Fetches `url`, following at most ``maximumRedirects`` redirects.
    public func fetch(_ url: String) -> FetchOutcome {
        var current = url
        for _ in 0...maximumRedirects {
            if let colon = current.firstIndex(of: ":") {
                let scheme = current[..<colon].lowercased()
                guard scheme == "http" || scheme == "https" else { return .failed("scheme \(scheme) is not fetched") }
            }
            let parsed: CanonicalURL
            do {
                parsed = try URLCanonicalizer.canonicalize(current)
            } catch {
                return .failed("not a usable URL: \(current)")
            }
            guard parsed.scheme == "http" || parsed.scheme == "https" else { return .failed("scheme \(parsed.scheme) is not fetched") }
            let port = parsed.port ?? (parsed.scheme == "https" ? 443 : 80)
            let address: IPAddress
            let bareHost = parsed.host.hasPrefix("[") ? String(parsed.host.dropFirst().dropLast()) : parsed.host
            if let literal = IPAddress(bareHost) {
                address = literal
            } else {
                guard let resolver else { return .failed("DNS is off; \(parsed.host) cannot be looked up") }
                guard let answer = resolver.addresses(for: parsed.host) else { return .failed("DNS is off; \(parsed.host) cannot be looked up") }
                if answer.addresses.isEmpty {
                    return answer.isFailure ? .failed("DNS: \(answer.detail)") : .noSuchHost("\(parsed.host): \(answer.detail)")
                }
                // Every address must be allowed: a host that mixes a public and a private
                // address is refused rather than fetched from the public one.
                for candidate in answer.addresses {
                    if let refusal = policy.refusal(candidate) { return .failed("refused: \(parsed.host) resolves to \(refusal)") }
                }
                address = answer.addresses[0]
            }
            if let refusal = policy.refusal(address) { return .failed("refused: \(refusal)") }
            let pinned = "\(bareHost):\(port):\(address.isV4 ? address.description : "[\(address)]")"
            let handle: CurlHandle
            do { handle = try CurlHandle() } catch { return .failed(error.message) }
            handle.bodyLimit = maximumBytes
            handle.set(CURLOPT_URL, parsed.canonical)
            handle.set(CURLOPT_RESOLVE, list: [pinned])
            handle.set(CURLOPT_USERAGENT, userAgent)
            handle.set(CURLOPT_NOSIGNAL, 1)
            handle.set(CURLOPT_TIMEOUT_MS, Int(timeout * 1000))
            handle.set(CURLOPT_CONNECTTIMEOUT_MS, Int(min(timeout, 5) * 1000))
            handle.set(CURLOPT_PROTOCOLS_STR, "http,https")
            handle.set(CURLOPT_FOLLOWLOCATION, 0)
            let code = handle.perform()
            if handle.bodyExceeded {
                // Larger than the limit: it is there, but its digest is unknown.
                return .response(status: handle.responseCode, finalURL: parsed.canonical, digests: nil)
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
            let digests = (200..<300).contains(status) ? ContentDigestSet(handle.body) : nil
            return .response(status: status, finalURL: parsed.canonical, digests: digests)
        }
        return .failed("more than \(maximumRedirects) redirects")
    }
}
