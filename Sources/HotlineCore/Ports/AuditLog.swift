import Foundation

/// What `hotline audit verify` found.
public struct AuditVerification: Hashable, Sendable {
    /// Entries checked.
    public var entries: Int
    /// The last entry's sequence number and chain value (note it to detect truncation later).
    public var head: (seq: Int64, chain: String)?
    /// Problems, in order: changed entries, missing sequence numbers.
    public var problems: [String]

    /// Creates a result.
    public init(entries: Int, head: (seq: Int64, chain: String)?, problems: [String]) {
        self.entries = entries
        self.head = head
        self.problems = problems
    }

    /// Whether the two are the same.
    public static func == (lhs: AuditVerification, rhs: AuditVerification) -> Bool {
        lhs.entries == rhs.entries && lhs.problems == rhs.problems && lhs.head?.seq == rhs.head?.seq && lhs.head?.chain == rhs.head?.chain
    }
    /// Hashes what equality compares.
    public func hash(into hasher: inout Hasher) { hasher.combine(entries) }
}

/// The append-only, hash-chained record of what people and the gateway did.
public protocol AuditLog: Sendable {
    /// Appends one entry in its own transaction.
    func appendAudit(_ entry: AuditEntry) throws
    /// Recomputes the chain: an edited entry no longer matches its link, a removed one leaves
    /// a gap in the sequence and breaks the next link.
    func verifyAuditLog() throws -> AuditVerification
    /// The chain value of one entry.
    func auditChain(seq: Int64) throws -> String?
}
