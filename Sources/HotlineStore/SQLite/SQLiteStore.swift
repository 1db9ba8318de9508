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
            guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT id, case_id FROM reports WHERE source_key = ? AND client_id = ?"), arguments: [sourceName, clientID]) else {
                return nil
            }
            let reportID: String = row["id"]
            let decision = try DecisionRow.fetchOne(db.cachedStatement(sql: "SELECT * FROM decisions WHERE report_id = ? ORDER BY rowid DESC LIMIT 1"), arguments: [reportID])
            return ExistingReport(reportID: reportID, caseID: row["case_id"], decision: decision?.summary)
        }

        public func openCase(url: String) throws -> CaseRecord? {
            // The first URL is the case's own column; case_urls holds the URLs added later
            // (same content elsewhere), so most new cases write one row, not two.
            if let found = try CaseRow.fetchOne(db.cachedStatement(sql: "SELECT * FROM cases WHERE url = ? AND status = 'open'"), arguments: [url]) {
                return found.record
            }
            return try CaseRow.fetchOne(db.cachedStatement(sql: """
                SELECT cases.* FROM case_urls JOIN cases ON cases.id = case_urls.case_id
                WHERE case_urls.url = ? AND cases.status = 'open' LIMIT 1
                """), arguments: [url])?.record
        }

        public func openCase(contentHashes: [(HashAlgorithm, String)]) throws -> CaseRecord? {
            for (algorithm, value) in contentHashes {
                if let found = try CaseRow.fetchOne(db.cachedStatement(sql: """
                    SELECT cases.* FROM case_hashes JOIN cases ON cases.id = case_hashes.case_id
                    WHERE case_hashes.algorithm = ? AND case_hashes.hash = ? AND cases.status = 'open' LIMIT 1
                    """), arguments: [algorithm.rawValue, value]) {
                    return found.record
                }
            }
            return nil
        }

        public func addCaseURL(caseID: String, url: String) throws {
            try db.cachedStatement(sql: "INSERT OR IGNORE INTO case_urls (case_id, url) VALUES (?, ?)").execute(arguments: [caseID, url])
        }

        public func addCaseHashes(caseID: String, hashes: [(HashAlgorithm, String)]) throws {
            for (algorithm, value) in hashes {
                try db.cachedStatement(sql: "INSERT OR IGNORE INTO case_hashes (case_id, algorithm, hash) VALUES (?, ?, ?)").execute(arguments: [caseID, algorithm.rawValue, value])
            }
        }

        public func insertCase(_ record: CaseRecord) throws {
            try CaseRow(record).insert(db)
        }

        public func updateCase(_ record: CaseRecord) throws {
            try CaseRow(record).update(db)
        }

        public func insertReport(_ report: Report, caseID: String) throws {
            try ReportRow(report, caseID: caseID).insert(db)
            if let reporter = report.reporter {
                try ReporterContactRow(report_id: report.id, contact: reporter, stored_at: StoredDate.text(report.receivedAt)).insert(db)
            }
        }

        public func insertDecision(_ decision: Decision) throws {
            try DecisionRow(decision).insert(db)
        }

        public func appendAudit(_ entry: AuditEntry) throws {
            try AuditRow(entry).insert(db)
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
        try pool.read { db in
            StoreCounts(
                reports: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM reports") ?? 0,
                cases: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM cases") ?? 0,
                openCases: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM cases WHERE status = 'open'") ?? 0,
                decisions: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM decisions") ?? 0,
                auditEntries: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM audit_log") ?? 0)
        }
    }

    public func report(id: String) throws -> Report? {
        try pool.read { db in
            guard let row = try ReportRow.fetchOne(db, key: id) else { return nil }
            let contact = try ReporterContactRow.fetchOne(db, key: id)
            return row.report(reporter: contact?.contact)
        }
    }

    public func decisions(reportID: String) throws -> [DecisionSummary] {
        try pool.read { db in
            try DecisionRow.fetchAll(db, sql: "SELECT * FROM decisions WHERE report_id = ? ORDER BY rowid", arguments: [reportID]).map(\.summary)
        }
    }

    /// The recorded facts and trace of a report's decisions, as stored JSON text, for
    /// explaining a decision later.
    public func decisionRecords(reportID: String) throws -> [(facts: JSONValue, trace: JSONValue, rulesDigest: String)] {
        try pool.read { db in
            try DecisionRow.fetchAll(db, sql: "SELECT * FROM decisions WHERE report_id = ? ORDER BY rowid", arguments: [reportID]).map {
                ((try? JSONValue.parse($0.facts)) ?? .null, (try? JSONValue.parse($0.trace)) ?? .null, $0.rules_digest)
            }
        }
    }

    /// Runs raw SQL against the database; for tests that check the append-only triggers.
    public func execute(sql: String) throws {
        try pool.write { db in try db.execute(sql: sql) }
    }
}
