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
