import Foundation

/// A report stored and acknowledged whose decision waits for the gateway's own evidence:
/// written in the transaction that stored the report, so a crash between acceptance and
/// fetching loses nothing; the fetch service claims it, and decides it once.
public struct EvidenceTask: Hashable, Sendable {
    /// The report.
    public var reportID: String
    /// Its case.
    public var caseID: String
    /// The facts known at acceptance (`report.*`, `case.*`, the claimed hashes).
    public var facts: Facts
    /// Whether the submitter's reported hashes count as evidence (a trusted submitter).
    public var claimsAreEvidence: Bool
    /// Claims so far (a claim that lapsed counts).
    public var attempts: Int
    /// When it was accepted.
    public var createdAt: Date

    /// Creates a task.
    public init(reportID: String, caseID: String, facts: Facts, claimsAreEvidence: Bool = false, attempts: Int = 0, createdAt: Date) {
        self.reportID = reportID
        self.caseID = caseID
        self.facts = facts
        self.claimsAreEvidence = claimsAreEvidence
        self.attempts = attempts
        self.createdAt = createdAt
    }
}

/// The reports waiting for evidence.
public protocol EvidenceStore: Sendable {
    /// Pending tasks, oldest first, claimed until `leaseUntil`: other instances skip them
    /// while the lease runs, and a worker that died lets it lapse.
    func claimEvidenceTasks(at date: Date, limit: Int, leaseUntil: Date) throws -> [EvidenceTask]
    /// Gives back claims not worked on (the service is stopping): the next pass, here or on
    /// another instance, takes them at once rather than when the lease runs out.
    func releaseEvidenceTasks(reportIDs: [String]) throws
    /// How many reports wait for evidence.
    func evidenceBacklog() throws -> Int
}
