/// Any report store behind one type, for code that picks the store at run time (SQLite or
/// PostgreSQL from the config) and still builds an ``IngestPipeline`` on it.
public struct AnyReportStore: ReportStore {
    /// The store.
    public let base: any ReportStore

    /// Wraps `base`.
    public init(_ base: any ReportStore) { self.base = base }

    public func write<T>(_ body: (AnyReportStoreTransaction) throws -> T) throws -> T {
        try base.writeErased(body)
    }

    public var usesIntakeKeys: Bool { base.usesIntakeKeys }

    public func counts() throws -> StoreCounts { try base.counts() }

    public func report(id: String) throws -> Report? { try base.report(id: id) }

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

    public func existingReport(clientID: String, sourceName: String) throws -> ExistingReport? { try base.existingReport(clientID: clientID, sourceName: sourceName) }
    public func openCase(url: String) throws -> CaseRecord? { try base.openCase(url: url) }
    public func openCase(contentHashes: [(HashAlgorithm, String)]) throws -> CaseRecord? { try base.openCase(contentHashes: contentHashes) }
    public func addCaseURL(caseID: String, url: String) throws { try base.addCaseURL(caseID: caseID, url: url) }
    public func addCaseHashes(caseID: String, hashes: [(HashAlgorithm, String)]) throws { try base.addCaseHashes(caseID: caseID, hashes: hashes) }
    public func insertCase(_ record: CaseRecord) throws { try base.insertCase(record) }
    public func updateCase(_ record: CaseRecord) throws { try base.updateCase(record) }
    public func insertReport(_ report: Report, caseID: String) throws { try base.insertReport(report, caseID: caseID) }
    public func insertDecision(_ decision: Decision) throws { try base.insertDecision(decision) }
    public func appendAudit(_ entry: AuditEntry) throws { try base.appendAudit(entry) }
    public func enqueueDispatch(_ items: [DispatchItem]) throws { try base.enqueueDispatch(items) }
    public func prepare(_ keys: IntakeKeys) throws { try base.prepare(keys) }
}
