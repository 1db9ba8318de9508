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
        Hex.string(SHA256.hash(data: Data(secret.utf8)))
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

    /// Failed token lookups per client address: guessing tokens is slowed to a trickle. A
    /// valid token is never refused for it, however many bad ones came from its address.
    let guessing: RateLimiter
    let time: any TimeSource

    /// How long a dashboard session may go unused.
    let sessionIdle: TimeInterval

    init(store: any GatewayStorage, time: any TimeSource, guessing: RateLimiter, cacheLifetime: TimeInterval = 5, sessionIdle: TimeInterval = 30 * 60) {
        self.sessionIdle = sessionIdle
        self.store = store
        self.cache = ExpiringCache()
        self.cacheLifetime = cacheLifetime
        self.guessing = guessing
        self.time = time
    }

    /// Ten failed logins a minute per client address, a burst of ten.
    static func guessingLimiter(time: any TimeSource, failuresPerMinute: Double = 10) -> RateLimiter {
        RateLimiter(limits: [.reporter: (failuresPerMinute / 60, failuresPerMinute)], time: time)
    }

    /// The dashboard's session cookie: a random session id (``DashboardSession``), never a
    /// token. Accepted only on the dashboard's own paths.
    static let cookie = "hg_session"

    func handle(_ request: Request, context: GatewayContext, next: (Request, GatewayContext) async throws -> Response) async throws -> Response {
        let secret: String
        if let header = request.headers[.authorization] {
            // RFC 9110: the scheme is case-insensitive.
            guard header.count > 7, header.prefix(7).lowercased() == "bearer " else {
                throw Problem.unauthorized("the Authorization header must be \"Bearer TOKEN\"")
            }
            secret = String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces)
        } else if request.uri.path.hasPrefix("/dashboard"), request.uri.path != "/dashboard/login", let cookie = request.cookies[Self.cookie]?.value,
            !cookie.isEmpty
        {
            return try await next(request, try sessionContext(cookie, context: context))
        } else {
            return try await next(request, context)
        }
        let hash = TokenSecrets.hash(secret)
        var found = cache.value(for: hash, at: Date())?.token
        if found == nil {
            // Only known tokens are cached: guessed ones must not grow the cache.
            found = try store.token(secretHash: hash)
            if let found { cache.store(CachedToken(token: found), for: hash, until: Date().addingTimeInterval(cacheLifetime)) }
        }
        guard let token = found, token.revokedAt == nil else {
            // Counted only now: a valid token is never refused because of others' guesses.
            try guessing.take(key: context.remoteAddress, role: .reporter, detail: "too many unknown tokens from this address; try again later")
            throw Problem.unauthorized("unknown or revoked token")
        }
        var context = context
        context.token = token
        return try await next(request, context)
    }

    /// The context of a request with a session cookie: its session and token when both are
    /// live; otherwise the request goes on without them (and the dashboard asks to sign in).
    func sessionContext(_ cookie: String, context: GatewayContext) throws -> GatewayContext {
        let idHash = TokenSecrets.hash(cookie)
        let now = time.now()
        guard let session = try store.session(idHash: idHash), session.isLive(at: now, idle: sessionIdle), let token = try store.token(id: session.tokenID),
            token.revokedAt == nil
        else { return context }
        // Recorded at most every half minute: a page load is not a write.
        if now.timeIntervalSince(session.lastSeenAt ?? session.createdAt) > 30 { try store.touchSession(idHash: idHash, at: now) }
        var context = context
        context.token = token
        context.session = (session, idHash)
        return context
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

    /// Takes `cost` from `token`'s bucket (hashes of a batch), or throws a 429 problem.
    func take(_ token: APIToken, cost: Double, detail: String) throws {
        try take(key: token.id, role: token.role, cost: cost, detail: detail)
    }

    /// Takes `cost` (one request by default) from `key`'s bucket (a token id, or a client
    /// address), or throws a 429 problem with `detail`.
    func take(key: String, role: APIRole, cost: Double = 1, detail: String? = nil) throws {
        let now = time.now()
        guard let limit = limits[role] else { return }
        lock.lock()
        defer { lock.unlock() }
        evictIdle(at: now)
        var bucket = buckets[key] ?? Bucket(tokens: limit.burst, updated: now)
        bucket.tokens = min(limit.burst, bucket.tokens + now.timeIntervalSince(bucket.updated) * limit.rate)
        bucket.updated = now
        guard bucket.tokens >= cost else {
            buckets[key] = bucket
            let wait = Int(((cost - bucket.tokens) / limit.rate).rounded(.up))
            var headers = HTTPFields()
            headers[.retryAfter] = String(max(1, wait))
            throw Problem(
                status: .tooManyRequests, title: "Too Many Requests",
                detail: detail ?? "rate limit of \(Int(limit.rate)) requests per second for this token exceeded", headers: headers)
        }
        bucket.tokens -= cost
        buckets[key] = bucket
    }

    private var lastEviction = Date.distantPast
    /// Buckets now.
    var count: Int {
        lock.lock()
        defer { lock.unlock() }
        return buckets.count
    }

    /// Forgets buckets that have filled up again (a full bucket is what a new key gets), at
    /// most once a minute, so the table never grows with every address ever seen.
    private func evictIdle(at now: Date) {
        guard now.timeIntervalSince(lastEviction) >= 60 else { return }
        lastEviction = now
        let slowest = limits.values.map { $0.burst / $0.rate }.max() ?? 0
        buckets = buckets.filter { now.timeIntervalSince($0.value.updated) < slowest }
    }
}
