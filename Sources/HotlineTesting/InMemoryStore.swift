import Foundation
import HotlineCore

/// Every port of ``GatewayStorage`` in memory, for tests of everything above the store: the
/// pipeline, the worker, the routes. A write works on a copy that replaces the state only
/// when the body returns, as a rollback would.
public final class InMemoryStore: GatewayStorage, @unchecked Sendable {
    struct State {
        var reports: [String: (report: Report, caseID: String)] = [:]
        var clientIDs: [String: String] = [:]
        var cases: [String: CaseRecord] = [:]
        var decisions: [Decision] = []
        var audit: [AuditEntry] = []
        var caseURLs: [String: Set<String>] = [:]
        var caseHashes: [String: Set<String>] = [:]
        var items: [DispatchItem] = []
        var notices: [String: Notice] = [:]
        var noticeOrder: [String] = []
        var messages: [OutboxMessage] = []
        var events: [NoticeEvent] = []
        /// Claims: notice id → the end of its lease (a claimed message leases its notice).
        var leases: [String: Date] = [:]
        var tokens: [(token: APIToken, secretHash: String)] = []
        var sessions: [String: DashboardSession] = [:]
        var mailLog: [MailLogEntry] = []
        var mailAttempts: [String: Int] = [:]
        var bounces: [String: Int] = [:]
        var reporterContacts: [String: (contact: String, storedAt: Date)] = [:]
        var hashLists: [String: HashList] = [:]
        /// list → "algorithm:value" → entry; retracted entries keep their reason.
        var hashEntries: [String: [String: (entry: HashListEntry, retracted: Bool)]] = [:]
        var videoEntries: [String: [String: (entry: VideoListEntry, retracted: Bool)]] = [:]
        var syncCheckpoints: [String: (checkpoint: HashSyncCheckpoint, owner: String?, until: Date?)] = [:]
        var syncEntries: [String: [String: HashSyncEntry]] = [:]
        var syncVotes: [String: HashSyncVote] = [:]
        var hashListEnabled: [String: Bool] = [:]
        var allowlist: [String: (algorithm: HashAlgorithm, value: String)] = [:]
        var ipRanges: [(source: String, range: IPRange)] = []
        /// report id → task, its lease and whether it is done.
        var evidence: [String: (task: EvidenceTask, leaseUntil: Date?, done: Bool)] = [:]
        var evidenceOrder: [String] = []
        /// case id → what the gateway hashed there, in order.
        var observed: [String: [ObservedHash]] = [:]
        var verdicts: [HashVerdict] = []
        var takes: [String: CaseTake] = [:]
        var holds: [StandingHold] = []
        var hashListGeneration = 0
        var disputes: [Dispute] = []
        var explanations: [HosterExplanation] = []
        var publications: [Publication] = []
        var asRelationships: [ASRelationship] = []
        var externalHashes: [String: ExternalHashEntry] = [:]
        var contactChanges: [ContactChange] = []
        var contactGeneration = 0
        var confirmations: [String: (confirmedAt: Date?, remindedAt: Date?)] = [:]
    }

    let lock = NSLock()
    var state = State()
    /// When set, the next write throws this error before committing (to test failures).
    public var failNextWrite: (any Error)?
    /// When set, every write waits until it is signalled (then lets the others through):
    /// a store that has stopped answering, for the tests of what waits on it.
    public var holdWrites: DispatchSemaphore?
    /// When set, `counts()` throws it (a store that does not answer, for readiness).
    public var failReads: (any Error)?
    private let heldLock = NSLock()
    private var held = 0
    /// Writes waiting at ``holdWrites`` now.
    public var heldWrites: Int {
        heldLock.lock()
        defer { heldLock.unlock() }
        return held
    }

    /// An empty store.
    public init() {}

    /// A transaction over a copy of the state.
    public final class Transaction: ReportStoreTransaction {
        var state: State
        init(state: State) { self.state = state }

        /// The report stored earlier with this client id from this source, if any.
        public func existingReport(clientID: String, scope: String) throws -> ExistingReport? {
            guard let reportID = state.clientIDs[scope + "\u{0}" + clientID], let entry = state.reports[reportID] else { return nil }
            let decision = state.decisions.last(where: { $0.reportID == reportID }).map { DecisionSummary($0.verdict) }
            return ExistingReport(reportID: reportID, caseID: entry.caseID, decision: decision)
        }

        /// The open case whose first URL is this canonical URL, or that added it later, if any.
        public func openCase(url: String) throws -> CaseRecord? {
            state.cases.values.first { $0.status == .open && state.caseURLs[$0.id, default: []].contains(url) }
        }

        /// An open case whose reports carried one of these content hashes, if any.
        public func openCase(contentHashes: [(HashAlgorithm, String)]) throws -> CaseRecord? {
            let wanted = Set(contentHashes.map { $0.0.rawValue + ":" + $0.1 })
            return state.cases.values.first { $0.status == .open && !state.caseHashes[$0.id, default: []].isDisjoint(with: wanted) }
        }

        /// Records that a case also includes a URL besides its first (idempotent).
        public func addCaseURL(caseID: String, url: String) throws {
            state.caseURLs[caseID, default: []].insert(url)
        }

        /// Records content hashes seen in a case (idempotent).
        public func addCaseHashes(caseID: String, hashes: [(HashAlgorithm, String)]) throws {
            state.caseHashes[caseID, default: []].formUnion(hashes.map { $0.0.rawValue + ":" + $0.1 })
        }

        /// Records what the gateway hashed for a report of a case (idempotent).
        public func addObservedHashes(_ hashes: [ObservedHash], caseID: String, at date: Date) throws {
            for hash in hashes where !(state.observed[caseID] ?? []).contains(where: { $0.algorithm == hash.algorithm && $0.value == hash.value }) {
                state.observed[caseID, default: []].append(hash)
            }
        }

        /// Stores an analyst's pending verdict.
        public func insertVerdict(_ verdict: HashVerdict) throws { state.verdicts.append(verdict) }

        /// Stores a new case.
        public func insertCase(_ record: CaseRecord) throws {
            state.cases[record.id] = record
            state.caseURLs[record.id, default: []].insert(record.url)
        }
        /// Updates a case's status, count and close time.
        public func updateCase(_ record: CaseRecord) throws { state.cases[record.id] = record }

        /// Closes an open case at `date`, leaving its other fields as they are (for a decision
        /// taken outside the batch that opened the case, such as the fetch service's).
        public func closeCase(_ caseID: String, at date: Date) throws {
            guard state.cases[caseID]?.status == .open else { return }
            state.cases[caseID]?.status = .closed
            state.cases[caseID]?.closedAt = date
        }

        /// Stores a report in a case.
        public func insertReport(_ report: Report, caseID: String) throws {
            state.reports[report.id] = (report, caseID)
            if let reporter = report.reporter { state.reporterContacts[report.id] = (reporter, report.receivedAt) }
            if let clientID = report.clientID { state.clientIDs[report.clientScope + "\u{0}" + clientID] = report.id }
        }

        /// Stores a decision with its actions, trace and facts.
        public func insertDecision(_ decision: Decision) throws { state.decisions.append(decision) }
        /// Appends one entry in its own transaction.
        public func appendAudit(_ entry: AuditEntry) throws { state.audit.append(entry) }
        /// Stores the notices and forwards a decision asked for, to be batched and sent.
        public func enqueueDispatch(_ items: [DispatchItem]) throws { state.items += items }

        /// Stores a report's wait for the gateway's own evidence, with the report.
        public func enqueueEvidence(_ task: EvidenceTask) throws {
            state.evidence[task.reportID] = (task, nil, false)
            state.evidenceOrder.append(task.reportID)
        }

        /// Marks a report's evidence task done before its decision is stored; `false` when it
        /// was done already (another instance decided it first), and then nothing is stored.
        public func completeEvidence(reportID: String, at date: Date) throws -> Bool {
            guard let entry = state.evidence[reportID], !entry.done else { return false }
            state.evidence[reportID] = (entry.task, nil, true)
            return true
        }

        /// Nothing to do: the fake runs one transaction at a time, so no key is ever busy.
        public func prepare(_ keys: IntakeKeys, wait: Bool) throws -> Set<String> { [] }
    }

    /// Runs `body` in one write transaction: committed (durably) when it returns, rolled back
    /// when it throws.
    public func write<T>(_ body: (Transaction) throws -> T) throws -> T {
        if let gate = holdWrites {
            heldLock.lock()
            held += 1
            heldLock.unlock()
            gate.wait()
            gate.signal()
            heldLock.lock()
            held -= 1
            heldLock.unlock()
        }
        lock.lock()
        defer { lock.unlock() }
        let transaction = Transaction(state: state)
        let result = try body(transaction)
        if let failure = failNextWrite {
            failNextWrite = nil
            throw failure
        }
        state = transaction.state
        return result
    }

    /// Row counts.
    public func counts() throws -> StoreCounts {
        if let failure = failReads { throw failure }
        lock.lock()
        defer { lock.unlock() }
        return StoreCounts(
            reports: state.reports.count, cases: state.cases.count, openCases: state.cases.values.filter { $0.status == .open }.count,
            decisions: state.decisions.count, auditEntries: state.audit.count)
    }

    /// The stored report, if any.
    public func report(id: String) throws -> Report? {
        lock.lock()
        defer { lock.unlock() }
        return state.reports[id]?.report
    }

    /// The decisions recorded for a report, oldest first.
    public func decisions(reportID: String) throws -> [DecisionSummary] {
        lock.lock()
        defer { lock.unlock() }
        return state.decisions.filter { $0.reportID == reportID }.map { DecisionSummary($0.verdict) }
    }

    /// Every recorded decision, for assertions on facts and traces.
    public var allDecisions: [Decision] {
        lock.lock()
        defer { lock.unlock() }
        return state.decisions
    }

    /// Every case.
    public var allCases: [CaseRecord] {
        lock.lock()
        defer { lock.unlock() }
        return Array(state.cases.values)
    }

    /// The URLs of a case.
    public func urls(ofCase id: String) -> Set<String> {
        lock.lock()
        defer { lock.unlock() }
        return state.caseURLs[id, default: []]
    }

    /// The audit log.
    public var auditLog: [AuditEntry] {
        lock.lock()
        defer { lock.unlock() }
        return state.audit
    }
}
