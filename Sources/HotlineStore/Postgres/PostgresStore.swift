import Foundation
import HotlineCore
import PostgresNIO

/// The store on PostgreSQL, for several gateway instances on one database. The same ports and
/// the same queries as ``SQLiteStore``; what differs is concurrency:
///
/// - Intake transactions of different instances run side by side. Two that store the same
///   report (client id) or open a case for the same URL at once collide on a unique index;
///   the later one is rolled back and run again, and then finds the first one's rows. The
///   same happens after a deadlock or a serialization failure.
/// - The audit chain is extended under an advisory lock held to commit.
/// - Workers claim due messages and notices with `FOR UPDATE SKIP LOCKED` and a lease.
public final class PostgresStore: ReportStore, NoticeStore, Sendable {
    let connections: PostgresConnectionPool
    /// Transactions run again at most this often after a conflict with another instance.
    static let attempts = 8

    /// Connects and migrates (instances starting together migrate once).
    public init(settings: PostgresSettings) throws {
        connections = PostgresConnectionPool(settings: settings)
        try connections.withSession { try PostgresMigrations.migrate($0) }
    }

    /// A write transaction.
    public struct Transaction: ReportStoreTransaction {
        let db: PostgresSession

        public func existingReport(clientID: String, sourceName: String) throws -> ExistingReport? {
            try StoreQueries.existingReport(db, clientID: clientID, sourceName: sourceName)
        }

        public func openCase(url: String) throws -> CaseRecord? { try StoreQueries.openCase(db, url: url) }

        public func openCase(contentHashes: [(HashAlgorithm, String)]) throws -> CaseRecord? { try StoreQueries.openCase(db, contentHashes: contentHashes) }

        public func addCaseURL(caseID: String, url: String) throws { try StoreQueries.addCaseURL(db, caseID: caseID, url: url) }

        public func addCaseHashes(caseID: String, hashes: [(HashAlgorithm, String)]) throws { try StoreQueries.addCaseHashes(db, caseID: caseID, hashes: hashes) }

        public func insertCase(_ record: CaseRecord) throws { try CaseRow(record).insert(db) }

        public func updateCase(_ record: CaseRecord) throws { try CaseRow(record).update(db) }

        public func insertReport(_ report: Report, caseID: String) throws { try StoreQueries.insertReport(db, report, caseID: caseID) }

        public func insertDecision(_ decision: Decision) throws { try DecisionRow(decision).insert(db) }

        public func appendAudit(_ entry: AuditEntry) throws { try AuditRow(entry).insert(db) }

        public func enqueueDispatch(_ items: [DispatchItem]) throws {
            for item in items { try DispatchItemRow.insert(item, db: db) }
        }
    }

    public func write<T>(_ body: (Transaction) throws -> T) throws -> T {
        try transaction { try body(Transaction(db: $0)) }
    }

    /// Runs `body` in a transaction, again when it lost a race with another instance.
    func transaction<T>(_ body: (PostgresSession) throws -> T) throws -> T {
        try connections.withSession { session in
            var attempt = 0
            while true {
                attempt += 1
                try session.execute("BEGIN")
                do {
                    let result = try body(session)
                    try session.execute("COMMIT")
                    return result
                } catch {
                    _ = try? session.execute("ROLLBACK")
                    guard attempt < Self.attempts, Self.isRace(error) else { throw Self.translated(error) }
                    // Back off a little, differently each time, so the racers do not meet again.
                    usleep(useconds_t.random(in: 1_000...(5_000 * useconds_t(attempt))))
                }
            }
        }
    }

    /// A read outside any explicit transaction.
    func read<T>(_ body: (PostgresSession) throws -> T) throws -> T {
        do {
            return try connections.withSession(body)
        } catch {
            throw Self.translated(error)
        }
    }

    /// Unique violation, serialization failure, deadlock: another instance got there first.
    static func isRace(_ error: any Error) -> Bool {
        guard let error = error as? PSQLError, let code = error.serverInfo?[.sqlState] else { return false }
        return ["23505", "40001", "40P01"].contains(code)
    }

    /// The server's answer with its SQLSTATE (which ``StoreFailure`` reads: disk full is
    /// answered like SQLite's).
    static func translated(_ error: any Error) -> any Error {
        guard let psql = error as? PSQLError, let code = psql.serverInfo?[.sqlState] else { return error }
        return PostgresStoreError(code: code, message: psql.serverInfo?[.message] ?? "\(psql)")
    }

    public func counts() throws -> StoreCounts { try read { try StoreQueries.counts($0) } }

    public func report(id: String) throws -> Report? { try read { try StoreQueries.report($0, id: id) } }

    public func decisions(reportID: String) throws -> [DecisionSummary] { try read { try StoreQueries.decisions($0, reportID: reportID) } }

    /// The recorded facts and trace of a report's decisions.
    public func decisionRecords(reportID: String) throws -> [(facts: JSONValue, trace: JSONValue, rulesDigest: String)] {
        try read { try StoreQueries.decisionRecords($0, reportID: reportID) }
    }

    // MARK: NoticeStore

    public func waitingItems(limit: Int) throws -> [DispatchItem] { try read { try StoreQueries.waitingItems($0, limit: limit) } }

    public func decisionFacts(decisionID: String, schema: FieldSchema) throws -> Facts? {
        try read { try StoreQueries.decisionFacts($0, decisionID: decisionID, schema: schema) }
    }

    public func insertNotice(_ notice: Notice, messages: [OutboxMessage], consumedItems: [String], event: NoticeEvent?) throws {
        try transaction { try StoreQueries.insertNotice($0, notice, messages: messages, consumedItems: consumedItems, event: event) }
    }

    public func redecide(itemID: String, decision: Decision, newItems: [DispatchItem]) throws {
        try transaction { try StoreQueries.redecide($0, itemID: itemID, decision: decision, newItems: newItems) }
    }

    public func claimDueMessages(at date: Date, limit: Int, leaseUntil: Date) throws -> [OutboxMessage] {
        try transaction { try StoreQueries.claimDueMessages($0, at: date, limit: limit, leaseUntil: leaseUntil) }
    }

    public func claimDueNotices(at date: Date, limit: Int, leaseUntil: Date) throws -> [Notice] {
        try transaction { try StoreQueries.claimDueNotices($0, at: date, limit: limit, leaseUntil: leaseUntil) }
    }

    public func saveNotice(_ notice: Notice, updatedMessage: OutboxMessage?, newMessages: [OutboxMessage], newItems: [DispatchItem], event: NoticeEvent?, closingCases: [String], at date: Date) throws {
        try transaction {
            try StoreQueries.saveNotice($0, notice, updatedMessage: updatedMessage, newMessages: newMessages, newItems: newItems, event: event, closingCases: closingCases, at: date)
        }
    }

    public func notice(_ idOrReference: String) throws -> Notice? { try read { try StoreQueries.notice($0, idOrReference) } }

    public func notices(status: NoticeStatus?, limit: Int) throws -> [Notice] { try read { try StoreQueries.notices($0, status: status, limit: limit) } }

    public func messages(status: OutboxStatus?, limit: Int) throws -> [OutboxMessage] { try read { try StoreQueries.messages($0, status: status, limit: limit) } }

    public func messages(noticeID: String) throws -> [OutboxMessage] { try read { try StoreQueries.messages($0, noticeID: noticeID) } }

    public func events(noticeID: String) throws -> [NoticeEvent] { try read { try StoreQueries.events($0, noticeID: noticeID) } }

    public func releaseHeldItems(caseID: String, at date: Date, actor: String) throws -> Int {
        try transaction { try StoreQueries.releaseHeldItems($0, caseID: caseID, at: date, actor: actor) }
    }

    public func dispatchCounts() throws -> DispatchCounts { try read { try StoreQueries.dispatchCounts($0) } }

    /// Held items of every case.
    public func heldItems(limit: Int) throws -> [DispatchItem] { try read { try StoreQueries.heldItems($0, limit: limit) } }

    /// Runs raw SQL; for tests that check the append-only triggers.
    public func execute(sql: String) throws {
        try read { _ = try $0.execute(sql) }
    }
}

/// An error PostgreSQL answered, with its SQLSTATE.
public struct PostgresStoreError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The SQLSTATE code (`23505`, …).
    public var code: String
    /// The server's message.
    public var message: String
    /// `message (SQLSTATE code)`.
    public var description: String { "\(message) (SQLSTATE \(code))" }
}
