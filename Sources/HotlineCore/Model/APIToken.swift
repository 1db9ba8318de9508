import Foundation

/// What a bearer token may do.
public enum APIRole: String, Hashable, Sendable, CaseIterable, Codable {
    /// Submits reports (hotline intake, crawlers, partner hotlines).
    case reporter
    /// A hosting provider: its own organisation's notices, acknowledgements, hash checks.
    case provider
    /// Works the queue and decides cases.
    case analyst
    /// Everything, including rules reload and statistics.
    case admin
}

/// A bearer token as stored: only the SHA-256 of its secret is kept.
public struct APIToken: Hashable, Sendable {
    /// The token's id (not secret; shown in lists and the audit log).
    public var id: String
    /// What it may do.
    public var role: APIRole
    /// The organisation: for providers, the contact directory id whose notices it sees.
    public var org: String?
    /// A note for people.
    public var label: String?
    /// When it was made.
    public var createdAt: Date
    /// When it was revoked, if it was.
    public var revokedAt: Date?

    /// Creates a token record.
    public init(id: String, role: APIRole, org: String?, label: String?, createdAt: Date, revokedAt: Date? = nil) {
        self.id = id
        self.role = role
        self.org = org
        self.label = label
        self.createdAt = createdAt
        self.revokedAt = revokedAt
    }

    /// Who did something, for the audit log: `token:ID(role/org)`.
    public var actor: String { "token:\(id)(\(role.rawValue)\(org.map { "/" + $0 } ?? ""))" }
}

/// One entry of the analysts' queue: a case whose latest decision escalated it, or a notice
/// the follow-up escalated. Never content; never the reporter's contact.
public struct QueueEntry: Hashable, Sendable {
    /// `case` or `notice`.
    public var kind: String
    /// The case (for `case`), or the notice's id.
    public var id: String
    /// The URL (first URL of a notice).
    public var url: String
    /// The queue.
    public var queue: String
    /// Why.
    public var reason: String
    /// `low`, `normal`, `high`.
    public var priority: String
    /// Since when.
    public var since: Date
    /// The facts the decision saw (cases) or the notice summary (notices), as JSON.
    public var detail: JSONValue

    /// Creates an entry.
    public init(kind: String, id: String, url: String, queue: String, reason: String, priority: String, since: Date, detail: JSONValue) {
        self.kind = kind
        self.id = id
        self.url = url
        self.queue = queue
        self.reason = reason
        self.priority = priority
        self.since = since
        self.detail = detail
    }
}
