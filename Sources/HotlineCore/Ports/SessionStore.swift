import Foundation

/// A dashboard session: a random id the browser holds in a cookie (only its SHA-256 is
/// stored), bound to the token that signed in, with its own CSRF token and an end.
public struct DashboardSession: Hashable, Sendable {
    /// The token that signed in; the session ends when it is revoked.
    public var tokenID: String
    /// The value forms posted within the session must carry.
    public var csrf: String
    /// When it began.
    public var createdAt: Date
    /// When it ends at the latest.
    public var expiresAt: Date
    /// When it was ended (logout), if it was.
    public var revokedAt: Date?
    /// When it was last used (idle expiry), if it was recorded.
    public var lastSeenAt: Date?

    /// Creates a session.
    public init(tokenID: String, csrf: String, createdAt: Date, expiresAt: Date, revokedAt: Date? = nil, lastSeenAt: Date? = nil) {
        self.lastSeenAt = lastSeenAt
        self.tokenID = tokenID
        self.csrf = csrf
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.revokedAt = revokedAt
    }

    /// Whether it may be used at `date`.
    public func isLive(at date: Date) -> Bool { revokedAt == nil && date < expiresAt }

    /// Whether it may be used at `date` having been idle for at most `idle`.
    public func isLive(at date: Date, idle: TimeInterval) -> Bool {
        isLive(at: date) && date.timeIntervalSince(lastSeenAt ?? createdAt) <= idle
    }
}

/// Dashboard sessions, shared by every instance on one database.
public protocol SessionStore: Sendable {
    /// Stores a new session under the SHA-256 of its id.
    func insertSession(_ session: DashboardSession, idHash: String) throws
    /// The session stored under `idHash`, live or not.
    func session(idHash: String) throws -> DashboardSession?
    /// Ends a session (logout).
    func revokeSession(idHash: String, at date: Date) throws
    /// Records that a session was used at `date` (its idle expiry starts again).
    func touchSession(idHash: String, at date: Date) throws
    /// The token with this id, revoked or not.
    func token(id: String) throws -> APIToken?
}
