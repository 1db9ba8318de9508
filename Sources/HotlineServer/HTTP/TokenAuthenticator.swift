import Crypto
import Foundation
import HotlineApp
import HotlineCore
import Hummingbird

/// Makes and checks bearer tokens: `hg_` and 32 random bytes in base64url. Only the SHA-256
/// of a token is stored, so a copy of the database gives no usable token.
public enum TokenSecrets {
    /// A new secret.
    public static func make() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return "hg_"
            + Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(
                of: "=", with: "")
    }

    /// The stored form of a secret.
    public static func hash(_ secret: String) -> String {
        SHA256.hash(data: Data(secret.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}

/// Looks the bearer token up (cached for a few seconds, so a revocation takes effect within
/// that time) and puts it on the context; anonymous requests pass on and the routes that
/// need a token refuse them.
struct TokenAuthenticator: RouterMiddleware {
    typealias Context = GatewayContext
    let store: any GatewayStorage
    let cache: ExpiringCache<String, CachedToken>
    let cacheLifetime: TimeInterval

    struct CachedToken: Sendable { let token: APIToken? }

    /// Failed token lookups per peer address: guessing tokens is slowed to a trickle.
    let guessing: RateLimiter

    init(store: any GatewayStorage, time: any TimeSource, cacheLifetime: TimeInterval = 5, failuresPerMinute: Double = 10) {
        self.store = store
        self.cache = ExpiringCache()
        self.cacheLifetime = cacheLifetime
        self.guessing = RateLimiter(limits: [.reporter: (failuresPerMinute / 60, failuresPerMinute)], time: time)
    }

    /// The dashboard's session cookie. Accepted only on `GET /dashboard`, which changes nothing,
    /// so a cross-site request cannot make it act.
    static let cookie = "hg_session"

    func handle(_ request: Request, context: GatewayContext, next: (Request, GatewayContext) async throws -> Response) async throws -> Response {
        let secret: String
        if let header = request.headers[.authorization] {
            guard header.hasPrefix("Bearer "), header.count > 7 else { throw Problem.unauthorized("the Authorization header must be \"Bearer TOKEN\"") }
            secret = String(header.dropFirst(7))
        } else if request.method == .get, request.uri.path == "/dashboard", let cookie = request.cookies[Self.cookie]?.value, !cookie.isEmpty {
            secret = cookie
        } else {
            return try await next(request, context)
        }
        // An address that sent too many unknown tokens is refused before any lookup.
        try guessing.check(key: context.remoteAddress, role: .reporter)
        let hash = TokenSecrets.hash(secret)
        var found = cache.value(for: hash, at: Date())?.token
        if found == nil {
            // Only known tokens are cached: guessed ones must not grow the cache.
            found = try store.token(secretHash: hash)
            if let found { cache.store(CachedToken(token: found), for: hash, until: Date().addingTimeInterval(cacheLifetime)) }
        }
        guard let token = found, token.revokedAt == nil else {
            _ = try? guessing.take(key: context.remoteAddress, role: .reporter)
            throw Problem.unauthorized("unknown or revoked token")
        }
        var context = context
        context.token = token
        return try await next(request, context)
    }
}

/// Per-token rate limits (token buckets), answering 429 with `Retry-After`.
final class RateLimiter: @unchecked Sendable {
    struct Bucket {
        var tokens: Double
        var updated: Date
    }

    private let lock = NSLock()
    private var buckets: [String: Bucket] = [:]
    /// Requests per second and burst, by role, for one kind of route.
    let limits: [APIRole: (rate: Double, burst: Double)]

    let time: any TimeSource

    init(limits: [APIRole: (rate: Double, burst: Double)], time: any TimeSource) {
        self.limits = limits
        self.time = time
    }

    /// Takes one request from `token`'s bucket, or throws a 429 problem.
    func take(_ token: APIToken) throws {
        try take(key: token.id, role: token.role)
    }

    /// Throws the 429 problem when `key`'s bucket is empty, without taking from it.
    func check(key: String, role: APIRole) throws {
        guard let limit = limits[role] else { return }
        lock.lock()
        let bucket = buckets[key]
        lock.unlock()
        guard let bucket else { return }
        let tokens = min(limit.burst, bucket.tokens + time.now().timeIntervalSince(bucket.updated) * limit.rate)
        if tokens < 1 {
            var headers = HTTPFields()
            headers[.retryAfter] = String(max(1, Int(((1 - tokens) / limit.rate).rounded(.up))))
            throw Problem(
                status: .tooManyRequests, title: "Too Many Requests", detail: "too many unknown tokens from this address; try again later", headers: headers)
        }
    }

    /// Takes one from `key`'s bucket (a token id, or a peer address), or throws a 429 problem.
    func take(key: String, role: APIRole) throws {
        let now = time.now()
        guard let limit = limits[role] else { return }
        lock.lock()
        defer { lock.unlock() }
        var bucket = buckets[key] ?? Bucket(tokens: limit.burst, updated: now)
        bucket.tokens = min(limit.burst, bucket.tokens + now.timeIntervalSince(bucket.updated) * limit.rate)
        bucket.updated = now
        guard bucket.tokens >= 1 else {
            buckets[key] = bucket
            let wait = Int(((1 - bucket.tokens) / limit.rate).rounded(.up))
            var headers = HTTPFields()
            headers[.retryAfter] = String(max(1, wait))
            throw Problem(
                status: .tooManyRequests, title: "Too Many Requests", detail: "rate limit of \(Int(limit.rate)) requests per second for this token exceeded",
                headers: headers)
        }
        bucket.tokens -= 1
        buckets[key] = bucket
    }
}
