import Foundation
import GRDB
import HotlineCore

/// The embedded store: SQLite through GRDB, in WAL mode with full sync, so a committed
/// batch survives a crash or power loss.
public final class SQLiteStore: ReportStore, Sendable {
    let pool: DatabasePool

    /// Opens (creating and migrating as needed) the database at `path`.
    public init(path: String) throws {
        var configuration = Configuration()
        configuration.prepareDatabase { db in
            // FULL: the commit is on disk before write() returns, which is what lets ingest
            // acknowledge a report. Batching keeps this to one fsync per batch.
            try db.execute(sql: "PRAGMA synchronous = FULL")
            try db.execute(sql: "PRAGMA foreign_keys = ON")
            // Index lookups per report (open case by URL, client id) touch pages all over a
            // growing file: a 64 MiB page cache and memory-mapped reads keep them out of
            // read() system calls. Writes still go through the WAL.
            try db.execute(sql: "PRAGMA cache_size = -65536")
            try db.execute(sql: "PRAGMA mmap_size = 1073741824")
        }
        configuration.busyMode = .timeout(10)
        pool = try DatabasePool(path: path, configuration: configuration)
        try SQLiteMigrations.migrator.migrate(pool)
    }

    /// Opens the store in `directory` (created if missing) as `hotline.sqlite`.
    public convenience init(directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try self.init(path: (directory as NSString).appendingPathComponent("hotline.sqlite"))
    }

    /// A write transaction on the database.
    public struct Transaction: ReportStoreTransaction {
        let db: Database

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
        try pool.writeWithoutTransaction { db in
            var result: T?
            try db.inTransaction(.immediate) {
                result = try body(Transaction(db: db))
                return .commit
            }
            return result!
        }
    }

    public func counts() throws -> StoreCounts {
        try pool.read { db in try StoreQueries.counts(db) }
    }

    public func report(id: String) throws -> Report? {
        try pool.read { db in try StoreQueries.report(db, id: id) }
    }

    public func decisions(reportID: String) throws -> [DecisionSummary] {
        try pool.read { db in try StoreQueries.decisions(db, reportID: reportID) }
    }

    /// The recorded facts and trace of a report's decisions, as stored JSON text, for
    /// explaining a decision later.
    public func decisionRecords(reportID: String) throws -> [(facts: JSONValue, trace: JSONValue, rulesDigest: String)] {
        try pool.read { db in try StoreQueries.decisionRecords(db, reportID: reportID) }
    }

    /// Runs raw SQL against the database; for tests that check the append-only triggers.
    public func execute(sql: String) throws {
        try pool.write { db in try db.execute(sql: sql) }
    }
}
