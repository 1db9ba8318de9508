import Foundation

/// A report already stored under a client id, with its latest decision.
public struct ExistingReport: Hashable, Sendable {
    /// The report's id.
    public var reportID: String
    /// Its case.
    public var caseID: String
    /// Its latest decision.
    public var decision: DecisionSummary?

    /// Creates one.
    public init(reportID: String, caseID: String, decision: DecisionSummary?) {
        self.reportID = reportID
        self.caseID = caseID
        self.decision = decision
    }
}

/// Counts for summaries and tests.
public struct StoreCounts: Hashable, Sendable {
    /// Reports stored.
    public var reports: Int
    /// Cases, open and closed.
    public var cases: Int
    /// Open cases.
    public var openCases: Int
    /// Decisions recorded.
    public var decisions: Int
    /// Audit log entries.
    public var auditEntries: Int

    /// Creates counts.
    public init(reports: Int, cases: Int, openCases: Int, decisions: Int, auditEntries: Int) {
        self.reports = reports
        self.cases = cases
        self.openCases = openCases
        self.decisions = decisions
        self.auditEntries = auditEntries
    }
}

/// The work one write transaction can do. Everything done through it commits together or
/// not at all.
public protocol ReportStoreTransaction {
    /// The report stored earlier with this client id in this scope (``Submitter/scope``), if any.
    func existingReport(clientID: String, scope: String) throws -> ExistingReport?
    /// The open case whose first URL is this canonical URL, or that added it later, if any.
    func openCase(url: String) throws -> CaseRecord?
    /// An open case whose reports carried one of these content hashes, if any.
    func openCase(contentHashes: [(HashAlgorithm, String)]) throws -> CaseRecord?
    /// Records that a case also includes a URL besides its first (idempotent).
    func addCaseURL(caseID: String, url: String) throws
    /// Records content hashes seen in a case (idempotent).
    func addCaseHashes(caseID: String, hashes: [(HashAlgorithm, String)]) throws
    /// Records what the gateway hashed for a report of a case (idempotent).
    func addObservedHashes(_ hashes: [ObservedHash], caseID: String, at date: Date) throws
    /// Stores an analyst's pending verdict, with the decision that gave it.
    func insertVerdict(_ verdict: HashVerdict) throws
    /// Stores a new case.
    func insertCase(_ record: CaseRecord) throws
    /// Updates a case's status, count and close time.
    func updateCase(_ record: CaseRecord) throws
    /// Closes an open case at `date`, leaving its other fields as they are (for a decision
    /// taken outside the batch that opened the case, such as the fetch service's).
    func closeCase(_ caseID: String, at date: Date) throws
    /// Stores a report in a case.
    func insertReport(_ report: Report, caseID: String) throws
    /// Stores a decision with its actions, trace and facts.
    func insertDecision(_ decision: Decision) throws
    /// Appends to the audit log.
    func appendAudit(_ entry: AuditEntry) throws
    /// Stores the notices and forwards a decision asked for, to be batched and sent.
    func enqueueDispatch(_ items: [DispatchItem]) throws
    /// Stores a report's wait for the gateway's own evidence, with the report.
    func enqueueEvidence(_ task: EvidenceTask) throws
    /// Marks a report's evidence task done before its decision is stored; `false` when it
    /// was done already (another instance decided it first), and then nothing is stored.
    func completeEvidence(reportID: String, at date: Date) throws -> Bool
    /// Called first with everything the batch will look up. A store may read them ahead
    /// (both SQL stores do). One whose writers are serialized anyway locks nothing and
    /// returns nothing; one with several instances at once (PostgreSQL) locks the keys until
    /// the transaction ends.
    ///
    /// With `wait`, it locks them in one fixed order, so writers waiting for each other never
    /// deadlock: the later batch waits for the earlier one's commit and then sees its cases,
    /// instead of opening a second case for a URL. Without, it takes only the keys no other
    /// writer holds and returns the ``IntakeKeys/lockNames`` of the others, whose reports
    /// the caller then leaves for a later transaction; a writer that never waits cannot
    /// deadlock either.
    func prepare(_ keys: IntakeKeys, wait: Bool) throws -> Set<String>
    /// A transaction detached from the database, in which another thread can decide the next
    /// batch while this one writes and commits; call it once this batch is decided. Its
    /// ``prepare(_:wait:)`` reads the next batch's keys as this transaction's commit will
    /// leave them, and it buffers every write. Nil when the store cannot tell what this
    /// batch's commit will leave, or when several writers could interleave (then the caller
    /// decides the next batch in its own transaction, as always).
    func follow() throws -> Self?
    /// Takes over what `ahead` decided, first in this transaction, if nothing but the
    /// transaction that read it ahead has written since; `false` leaves this transaction as
    /// it was, and the caller decides the batch again in it.
    func adopt(_ ahead: Self) throws -> Bool
}

extension ReportStoreTransaction {
    /// A store that looks each key up as asked decides every batch in its own transaction.
    public func follow() throws -> Self? { nil }
    /// Never: ``follow()`` gave nothing.
    public func adopt(_ ahead: Self) throws -> Bool { false }
}

/// The values an ingest batch looks up by: canonical URLs, client ids per source, content hashes.
public struct IntakeKeys: Sendable {
    /// Canonical URLs.
    public var urls: [String]
    /// (source name, client id) pairs.
    public var clientIDs: [(source: String, clientID: String)]
    /// Content hashes.
    public var contentHashes: [(HashAlgorithm, String)]

    /// Creates keys.
    public init(urls: [String] = [], clientIDs: [(source: String, clientID: String)] = [], contentHashes: [(HashAlgorithm, String)] = []) {
        self.urls = urls
        self.clientIDs = clientIDs
        self.contentHashes = contentHashes
    }

    /// Every key as text, for locking.
    public var lockNames: [String] {
        urls.map { "url:" + $0 } + clientIDs.map { "client:\($0.source.utf8.count):\($0.source):\($0.clientID)" }
            + contentHashes.map { "hash:\($0.0.rawValue):\($0.1)" }
    }
}

/// Durable storage of reports, cases, decisions and the audit log.
///
/// SQLite and PostgreSQL implement it (HotlineStore); tests use the in-memory fake.
public protocol ReportStore: Sendable {
    /// A transaction's type.
    associatedtype Transaction: ReportStoreTransaction

    /// Runs `body` in one write transaction: committed (durably) when it returns, rolled back
    /// when it throws.
    func write<T>(_ body: (Transaction) throws -> T) throws -> T

    /// Whether ``ReportStoreTransaction/prepare(_:wait:)`` wants the batch's keys: to lock them
    /// (several writers at once) or to read them ahead (one statement per kind of lookup).
    var usesIntakeKeys: Bool { get }

    /// Row counts.
    func counts() throws -> StoreCounts

    /// The stored report, if any.
    func report(id: String) throws -> Report?

    /// The decisions recorded for a report, oldest first.
    func decisions(reportID: String) throws -> [DecisionSummary]
}

extension ReportStore {
    /// A store that looks each key up as asked (the in-memory one) needs none.
    public var usesIntakeKeys: Bool { false }
}
