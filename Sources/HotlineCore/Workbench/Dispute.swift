import Foundation

/// A hoster contesting a match: a listed hash it holds, or a notice it received, with a
/// reason and optional evidence. Analysts accept or reject it; accepted, the hashes go on the
/// allow-list, the lists that held them named.
public struct Dispute: Hashable, Sendable {
    /// Where it stands.
    public enum Status: String, Hashable, Sendable, CaseIterable {
        /// Waiting for an analyst.
        case open
        /// The match was false: the hashes are allow-listed.
        case accepted
        /// The match stands.
        case rejected
    }

    /// Its id.
    public var id: String
    /// The organisation (directory contact id) that filed it.
    public var org: String
    /// The token that filed it.
    public var tokenID: String
    /// The disputed hashes (one for a hash dispute; a notice's listed hashes for a notice dispute).
    public var hashes: [HashListEntry]
    /// The notice disputed, if it is one.
    public var noticeID: String?
    /// The lists that held the hashes when it was filed.
    public var lists: [String]
    /// The hoster's reason.
    public var reason: String
    /// The hoster's evidence, as text.
    public var evidence: String?
    /// Where it stands.
    public var status: Status
    /// When it was filed.
    public var createdAt: Date
    /// Who decided it.
    public var decidedBy: String?
    /// When.
    public var decidedAt: Date?
    /// Why.
    public var decisionReason: String?

    /// Creates a dispute.
    public init(
        id: String, org: String, tokenID: String, hashes: [HashListEntry], noticeID: String?, lists: [String], reason: String, evidence: String?,
        status: Status = .open, createdAt: Date, decidedBy: String? = nil, decidedAt: Date? = nil, decisionReason: String? = nil
    ) {
        self.id = id
        self.org = org
        self.tokenID = tokenID
        self.hashes = hashes
        self.noticeID = noticeID
        self.lists = lists
        self.reason = reason
        self.evidence = evidence
        self.status = status
        self.createdAt = createdAt
        self.decidedBy = decidedBy
        self.decidedAt = decidedAt
        self.decisionReason = decisionReason
    }

    /// The dispute as JSON, for the hoster and the analysts alike.
    public var json: JSONValue {
        .object([
            "id": .string(id), "org": .string(org), "status": .string(status.rawValue),
            "hashes": .array(hashes.map { .object(["algorithm": .string($0.algorithm.rawValue), "value": .string($0.value)]) }),
            "notice_id": noticeID.map(JSONValue.string) ?? .null, "lists": .array(lists.map(JSONValue.string)), "reason": .string(reason),
            "evidence": evidence.map(JSONValue.string) ?? .null, "created_at": .string(RFC3339.format(createdAt)),
            "decided_at": decidedAt.map { .string(RFC3339.format($0)) } ?? .null, "decision_reason": decisionReason.map(JSONValue.string) ?? .null,
        ])
    }
}

/// Storage of disputes, shared by every instance.
public protocol DisputeStore: Sendable {
    /// Stores a new dispute with its audit entry.
    func insertDispute(_ dispute: Dispute, audit: AuditEntry) throws
    /// A dispute by id.
    func dispute(id: String) throws -> Dispute?
    /// Disputes of an organisation (or all), in a state (or all), oldest first.
    func disputes(org: String?, status: Dispute.Status?, limit: Int) throws -> [Dispute]
    /// Records the decision of an open dispute with its audit entry and, when accepted, puts
    /// its hashes on the allow-list, in one transaction; `false` when it was no longer open.
    func decideDispute(_ dispute: Dispute, audit: AuditEntry) throws -> Bool
}
