import Foundation

/// Any report store behind one type, for code that picks the store at run time (SQLite or
/// PostgreSQL from the config) and still builds an ``IngestPipeline`` on it.
public struct AnyReportStore: ReportStore {
    /// The store.
    public let base: any ReportStore

    /// Wraps `base`.
    public init(_ base: any ReportStore) { self.base = base }

    /// Runs `body` in one write transaction: committed (durably) when it returns, rolled back
    /// when it throws.
    public func write<T>(_ body: (AnyReportStoreTransaction) throws -> T) throws -> T {
        try base.writeErased(body)
    }

    /// Whether ``ReportStoreTransaction/prepare(_:)`` wants the batch's keys (several writers at once).
    public var usesIntakeKeys: Bool { base.usesIntakeKeys }

    /// Row counts.
    public func counts() throws -> StoreCounts { try base.counts() }

    /// The stored report, if any.
    public func report(id: String) throws -> Report? { try base.report(id: id) }

    /// The decisions recorded for a report, oldest first.
    public func decisions(reportID: String) throws -> [DecisionSummary] { try base.decisions(reportID: reportID) }
}

extension ReportStore {
    /// `write` with the transaction behind ``AnyReportStoreTransaction``.
    public func writeErased<T>(_ body: (AnyReportStoreTransaction) throws -> T) throws -> T {
        try write { try body(AnyReportStoreTransaction($0)) }
    }
}

/// Any store's transaction behind one type.
public struct AnyReportStoreTransaction: ReportStoreTransaction {
    let base: any ReportStoreTransaction

    init(_ base: any ReportStoreTransaction) { self.base = base }

    /// The report stored earlier with this client id from this source, if any.
    public func existingReport(clientID: String, scope: String) throws -> ExistingReport? {
        try base.existingReport(clientID: clientID, scope: scope)
    }
    /// The open case whose first URL is this canonical URL, or that added it later, if any.
    public func openCase(url: String) throws -> CaseRecord? { try base.openCase(url: url) }
    /// An open case whose reports carried one of these content hashes, if any.
    public func openCase(contentHashes: [(HashAlgorithm, String)]) throws -> CaseRecord? { try base.openCase(contentHashes: contentHashes) }
    /// Records that a case also includes a URL besides its first (idempotent).
    public func addCaseURL(caseID: String, url: String) throws { try base.addCaseURL(caseID: caseID, url: url) }
    /// Records content hashes seen in a case (idempotent).
    public func addCaseHashes(caseID: String, hashes: [(HashAlgorithm, String)]) throws { try base.addCaseHashes(caseID: caseID, hashes: hashes) }
    /// Records what the gateway hashed for a report of a case (idempotent).
    public func addObservedHashes(_ hashes: [ObservedHash], caseID: String, at date: Date) throws {
        try base.addObservedHashes(hashes, caseID: caseID, at: date)
    }
    /// Stores an analyst's pending verdict.
    public func insertVerdict(_ verdict: HashVerdict) throws { try base.insertVerdict(verdict) }
    /// Stores a new case.
    public func insertCase(_ record: CaseRecord) throws { try base.insertCase(record) }
    /// Updates a case's status, count and close time.
    public func updateCase(_ record: CaseRecord) throws { try base.updateCase(record) }
    /// Closes an open case at `date`, leaving its other fields as they are.
    public func closeCase(_ caseID: String, at date: Date) throws { try base.closeCase(caseID, at: date) }
    /// Stores a report in a case.
    public func insertReport(_ report: Report, caseID: String) throws { try base.insertReport(report, caseID: caseID) }
    /// Stores a decision with its actions, trace and facts.
    public func insertDecision(_ decision: Decision) throws { try base.insertDecision(decision) }
    /// Appends one entry in its own transaction.
    public func appendAudit(_ entry: AuditEntry) throws { try base.appendAudit(entry) }
    /// Stores the notices and forwards a decision asked for, to be batched and sent.
    public func enqueueDispatch(_ items: [DispatchItem]) throws { try base.enqueueDispatch(items) }
    /// Stores a report's wait for the gateway's own evidence, with the report.
    public func enqueueEvidence(_ task: EvidenceTask) throws { try base.enqueueEvidence(task) }
    /// Marks a report's evidence task done before its decision is stored; `false` when it
    /// was done already (another instance decided it first), and then nothing is stored.
    public func completeEvidence(reportID: String, at date: Date) throws -> Bool { try base.completeEvidence(reportID: reportID, at: date) }
    /// Locks (and may read ahead) what the batch will look up; without `wait`, only the keys
    /// no other writer holds, returning the others' names.
    public func prepare(_ keys: IntakeKeys, wait: Bool) throws -> Set<String> { try base.prepare(keys, wait: wait) }
    /// A detached transaction for the next batch, if the store can make one.
    public func follow() throws -> AnyReportStoreTransaction? { try base.followErased().map(AnyReportStoreTransaction.init) }
    /// Takes over what `ahead` decided, if nothing else has written since.
    public func adopt(_ ahead: AnyReportStoreTransaction) throws -> Bool { try base.adoptErased(ahead.base) }
}

extension ReportStoreTransaction {
    fileprivate func followErased() throws -> (any ReportStoreTransaction)? { try follow() }

    /// False for a transaction of another store, which this one cannot take over.
    fileprivate func adoptErased(_ ahead: any ReportStoreTransaction) throws -> Bool {
        guard let ahead = ahead as? Self else { return false }
        return try adopt(ahead)
    }
}
