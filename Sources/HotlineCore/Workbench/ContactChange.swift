import Foundation

/// A hoster's own change to its directory entry (abuse addresses, webhook, language). It
/// waits for an operator's approval, and approved, overrides the directory file's entry.
public struct ContactChange: Hashable, Sendable {
    /// Where it stands.
    public enum Status: String, Hashable, Sendable, CaseIterable {
        /// Waiting for an operator.
        case pending
        /// In force: it overrides the directory entry.
        case approved
        /// Refused.
        case rejected
    }

    /// Its id.
    public var id: String
    /// The organisation (directory contact id).
    public var org: String
    /// The token that asked for it.
    public var tokenID: String
    /// The abuse addresses asked for (the organisation's own domains only).
    public var abuse: [String]
    /// The webhook asked for (https), or `nil` to keep e-mail.
    public var webhook: String?
    /// The language of notices (`en`, `nl`).
    public var language: String
    /// Where it stands.
    public var status: Status
    /// When it was asked for.
    public var createdAt: Date
    /// Who decided.
    public var decidedBy: String?
    /// When.
    public var decidedAt: Date?
    /// Why (a rejection needs one).
    public var reason: String?

    /// Creates a change.
    public init(
        id: String, org: String, tokenID: String, abuse: [String], webhook: String?, language: String, status: Status = .pending, createdAt: Date,
        decidedBy: String? = nil, decidedAt: Date? = nil, reason: String? = nil
    ) {
        self.id = id
        self.org = org
        self.tokenID = tokenID
        self.abuse = abuse
        self.webhook = webhook
        self.language = language
        self.status = status
        self.createdAt = createdAt
        self.decidedBy = decidedBy
        self.decidedAt = decidedAt
        self.reason = reason
    }

    /// The change as JSON.
    public var json: JSONValue {
        .object([
            "id": .string(id), "org": .string(org), "status": .string(status.rawValue), "abuse": .array(abuse.map(JSONValue.string)),
            "webhook": webhook.map(JSONValue.string) ?? .null, "language": .string(language), "created_at": .string(RFC3339.format(createdAt)),
            "decided_at": decidedAt.map { .string(RFC3339.format($0)) } ?? .null, "reason": reason.map(JSONValue.string) ?? .null,
        ])
    }

    /// How long a contact stays confirmed: after this, the hoster is reminded to confirm it.
    public static let confirmationLifetime: TimeInterval = 90 * 86_400
}

/// Storage of hosters' contact changes and confirmations, shared by every instance.
public protocol ContactChangeStore: Sendable {
    /// Stores a new change with its audit entry.
    func insertContactChange(_ change: ContactChange, audit: AuditEntry) throws
    /// A change by id.
    func contactChange(id: String) throws -> ContactChange?
    /// Changes of an organisation (or all), in a state (or all), oldest first.
    func contactChanges(org: String?, status: ContactChange.Status?, limit: Int) throws -> [ContactChange]
    /// Records the decision on a pending change with its audit entry (and, approved, counts a
    /// directory change); `false` when it was no longer pending.
    func decideContactChange(_ change: ContactChange, audit: AuditEntry) throws -> Bool
    /// How many times approved changes altered the directory (instances reload when it moves).
    func contactGeneration() throws -> Int
    /// Records that the organisation confirmed its contact details.
    func confirmContact(org: String, at date: Date) throws
    /// When each organisation last confirmed, and when it was last reminded.
    func contactConfirmations() throws -> [String: (confirmedAt: Date?, remindedAt: Date?)]
    /// Marks `org` reminded at `date`, once per confirmation: `false` when it was reminded
    /// already since `since` (another instance was first).
    func markContactReminded(org: String, since: Date, at date: Date) throws -> Bool
}

extension ContactChange {
    /// The newest approved change per organisation, from a list oldest first.
    public static func inForce(_ changes: [ContactChange]) -> [String: ContactChange] {
        var latest: [String: ContactChange] = [:]
        for change in changes where change.status == .approved { latest[change.org] = change }
        return latest
    }
}
