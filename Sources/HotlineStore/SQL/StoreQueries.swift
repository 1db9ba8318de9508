import Foundation
import HotlineCore

/// The store's reads and writes for the ingest pipeline and the dispatch worker, written once
/// for SQLite and PostgreSQL: each store runs them inside its own transactions.
enum StoreQueries {
    /// Statuses of notices whose URLs can still be online (followed up, or refused).
    static let openStatuses = "('sent', 'acknowledged', 'rejected')"
    /// The notices the monitor follows: those to hosters, and forwards to partner hotlines
    /// and the police (test notices and forwards to other contacts are left out).
    static let followedNotices = "((n.kind = 'notify' AND n.target = 'hosting') OR (n.kind = 'forward' AND n.target IN ('partner', 'police')))"

    // MARK: Intake

    static func existingReport(_ db: some SQLExecutor, clientID: String, scope: String) throws -> ExistingReport? {
        guard let row = try db.row("SELECT id, case_id FROM reports WHERE source_key = ? AND client_id = ?", [.text(scope), .text(clientID)]) else {
            return nil
        }
        let reportID = try row.text("id")
        let decision = try db.row(
            "SELECT rule, outcome, actions, rules_digest FROM decisions WHERE report_id = ? ORDER BY \(db.dialect.insertionOrder) DESC LIMIT 1",
            [.text(reportID)])
        return ExistingReport(reportID: reportID, caseID: try row.text("case_id"), decision: try decision.map(DecisionRow.summary))
    }

    static func openCase(_ db: some SQLExecutor, url: String) throws -> CaseRecord? {
        // The first URL is the case's own column; case_urls holds the URLs added later
        // (same content elsewhere), so most new cases write one row, not two. (An ingest
        // batch answers this from its read-ahead.)
        if let found = try db.row("SELECT * FROM cases WHERE url = ? AND status = 'open'", [.text(url)]) {
            return try CaseRow(row: found).record
        }
        return try db.row(
            """
            SELECT cases.* FROM case_urls JOIN cases ON cases.id = case_urls.case_id
            WHERE case_urls.url = ? AND cases.status = 'open' LIMIT 1
            """, [.text(url)]
        ).map { try CaseRow(row: $0).record }
    }

    static func openCase(_ db: some SQLExecutor, contentHashes: [(HashAlgorithm, String)]) throws -> CaseRecord? {
        for (algorithm, value) in contentHashes {
            if let found = try db.row(
                """
                SELECT cases.* FROM case_hashes JOIN cases ON cases.id = case_hashes.case_id
                WHERE case_hashes.algorithm = ? AND case_hashes.hash = ? AND cases.status = 'open' LIMIT 1
                """, [.text(algorithm.rawValue), .text(value)])
            {
                return try CaseRow(row: found).record
            }
        }
        return nil
    }

    static func addCaseURL(_ db: some SQLExecutor, caseID: String, url: String) throws {
        try db.send("INSERT INTO case_urls (case_id, url) VALUES (?, ?) ON CONFLICT DO NOTHING", [.text(caseID), .text(url)])
    }

    static func addCaseHashes(_ db: some SQLExecutor, caseID: String, hashes: [(HashAlgorithm, String)]) throws {
        for (algorithm, value) in hashes {
            try db.send(
                "INSERT INTO case_hashes (case_id, algorithm, hash) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                [.text(caseID), .text(algorithm.rawValue), .text(value)])
        }
    }

    static func insertReport(_ db: some SQLExecutor, _ report: Report, caseID: String) throws {
        try ReportRow(report, caseID: caseID).insert(db)
        if let reporter = report.reporter {
            try ReporterContactRow(report_id: report.id, contact: reporter, stored_at: StoredDate.text(report.receivedAt)).insert(db)
        }
    }

    static func counts(_ db: some SQLExecutor) throws -> StoreCounts {
        func count(_ sql: String) throws -> Int { try db.row(sql, []).map { try $0.integer("n") } ?? 0 }
        return StoreCounts(
            reports: try count("SELECT COUNT(*) AS n FROM reports"),
            cases: try count("SELECT COUNT(*) AS n FROM cases"),
            openCases: try count("SELECT COUNT(*) AS n FROM cases WHERE status = 'open'"),
            decisions: try count("SELECT COUNT(*) AS n FROM decisions"),
            auditEntries: try count("SELECT COUNT(*) AS n FROM audit_log"))
    }

    static func report(_ db: some SQLExecutor, id: String) throws -> Report? {
        guard let row = try db.row("SELECT * FROM reports WHERE id = ?", [.text(id)]) else { return nil }
        let contact = try db.row("SELECT contact FROM reporter_contacts WHERE report_id = ?", [.text(id)])
        return try ReportRow(row: row).report(reporter: try contact?.text("contact"))
    }

    static func decisions(_ db: some SQLExecutor, reportID: String) throws -> [DecisionSummary] {
        try db.rows("SELECT rule, outcome, actions, rules_digest FROM decisions WHERE report_id = ? ORDER BY \(db.dialect.insertionOrder)", [.text(reportID)])
            .map(DecisionRow.summary)
    }

    static func decisionRecords(_ db: some SQLExecutor, reportID: String) throws -> [DecisionRecord] {
        try db.rows("SELECT facts, trace, rules_digest FROM decisions WHERE report_id = ? ORDER BY \(db.dialect.insertionOrder)", [.text(reportID)]).map {
            DecisionRecord(
                facts: (try? JSONValue.parse(try $0.text("facts"))) ?? .null, trace: (try? JSONValue.parse(try $0.text("trace"))) ?? .null,
                rulesDigest: try $0.text("rules_digest"))
        }
    }

    // MARK: Dispatch

    static func waitingItems(_ db: some SQLExecutor, limit: Int) throws -> [DispatchItem] {
        try db.rows(
            "SELECT body, status, due_at FROM dispatch_items WHERE status = 'waiting' ORDER BY due_at, \(db.dialect.insertionOrder) LIMIT ?",
            [.int(max(0, limit))]
        ).map(DispatchItemRow.item)
    }

    static func heldItems(_ db: some SQLExecutor, limit: Int) throws -> [DispatchItem] {
        try db.rows(
            "SELECT body, status, due_at FROM dispatch_items WHERE status = 'held' ORDER BY created_at, \(db.dialect.insertionOrder) LIMIT ?",
            [.int(max(0, limit))]
        ).map(DispatchItemRow.item)
    }

    static func decisionFacts(_ db: some SQLExecutor, decisionID: String) throws -> Facts? {
        try db.row("SELECT facts FROM decisions WHERE id = ?", [.text(decisionID)]).map { Facts(storedJSON: try $0.text("facts")) }
    }

    static func insertNotice(_ db: some SQLExecutor, _ notice: Notice, messages: [OutboxMessage], consumedItems: [String], event: NoticeEvent?) throws {
        // Items first: a second instance batching the same items waits here for the first
        // one's commit, then finds them taken and writes nothing.
        for id in consumedItems {
            let changed = try db.execute(
                "UPDATE dispatch_items SET status = 'batched', notice_id = ? WHERE id = ? AND status = 'waiting'", [.text(notice.id), .text(id)])
            guard changed == 1 else { throw StoreConflict("dispatch item \(id) was no longer waiting") }
        }
        try NoticeRow.save(notice, db: db, insert: true)
        for message in messages { try OutboxRow.save(message, db: db) }
        if let event { try NoticeEventRow.insert(event, db: db) }
    }

    static func redecide(_ db: some SQLExecutor, itemID: String, decision: Decision, newItems: [DispatchItem]) throws {
        guard try db.execute("UPDATE dispatch_items SET status = 'moved' WHERE id = ? AND status = 'waiting'", [.text(itemID)]) == 1 else {
            throw StoreConflict("dispatch item \(itemID) was no longer waiting")
        }
        try DecisionRow(decision).insert(db)
        for item in newItems { try DispatchItemRow(item: item).insert(db) }
    }

    static func claimDueMessages(_ db: some SQLExecutor, at date: Date, limit: Int, leaseUntil: Date) throws -> [OutboxMessage] {
        let now = SQLValue.text(StoredDate.text(date))
        // PostgreSQL locks the message and its notice rows, so two instances cannot claim two
        // messages of one notice at the same moment; the leases set below outlast the locks.
        let rows = try db.rows(SQLClaims.dueMessages + db.dialect.skipLocked, [now, now, now, .int(max(0, limit))])
        for row in rows {
            try db.execute(SQLClaims.leaseMessage, [.text(StoredDate.text(leaseUntil)), .text(try row.text("id"))])
            try db.execute(SQLClaims.leaseNotice, [.text(StoredDate.text(leaseUntil)), .text(try row.text("notice_id"))])
        }
        return try rows.map(OutboxRow.message)
    }

    static func claimEvidenceTasks(_ db: some SQLExecutor, at date: Date, limit: Int, leaseUntil: Date) throws -> [EvidenceTask] {
        let rows = try db.rows(SQLClaims.pendingEvidence + db.dialect.skipLocked, [.text(StoredDate.text(date)), .int(max(0, limit))])
        for row in rows { try db.execute(SQLClaims.leaseEvidence, [.text(StoredDate.text(leaseUntil)), .text(try row.text("report_id"))]) }
        return try rows.map { row in
            EvidenceTask(
                reportID: try row.text("report_id"), caseID: try row.text("case_id"), facts: Facts(storedJSON: try row.text("facts")),
                claimsAreEvidence: try row.integer("trusted") != 0, attempts: try row.integer("attempts") + 1,
                createdAt: StoredDate.date(try row.text("created_at")))
        }
    }

    static func enqueueEvidence(_ db: some SQLExecutor, _ task: EvidenceTask) throws {
        try db.send(
            "INSERT INTO evidence_tasks (report_id, case_id, status, trusted, facts, attempts, created_at) VALUES (?, ?, 'pending', ?, ?, 0, ?)",
            [
                .text(task.reportID), .text(task.caseID), .int(task.claimsAreEvidence ? 1 : 0), .text(task.facts.serializedJSON),
                .text(StoredDate.text(task.createdAt)),
            ])
    }

    /// Marks a task done; `false` when it was done already (another instance decided it).
    static func completeEvidence(_ db: some SQLExecutor, reportID: String, at date: Date) throws -> Bool {
        try db.execute(
            "UPDATE evidence_tasks SET status = 'done', done_at = ?, lease_until = NULL WHERE report_id = ? AND status = 'pending'",
            [.text(StoredDate.text(date)), .text(reportID)]) == 1
    }

    static func claimDueNotices(_ db: some SQLExecutor, at date: Date, limit: Int, leaseUntil: Date) throws -> [Notice] {
        let now = SQLValue.text(StoredDate.text(date))
        let rows = try db.rows(SQLClaims.dueNotices + db.dialect.skipLocked, [now, now, .int(max(0, limit))])
        for row in rows { try db.execute(SQLClaims.leaseNotice, [.text(StoredDate.text(leaseUntil)), .text(try row.text("id"))]) }
        return try rows.map { try NoticeRow.notice($0, db: db) }
    }

    static func saveNotice(
        _ db: some SQLExecutor, _ notice: Notice, updatedMessage: OutboxMessage?, newMessages: [OutboxMessage], newItems: [DispatchItem], event: NoticeEvent?,
        closingCases: [String], at date: Date
    ) throws {
        try NoticeRow.save(notice, db: db, insert: false)
        if let updatedMessage { try OutboxRow.save(updatedMessage, db: db) }
        for message in newMessages { try OutboxRow.save(message, db: db) }
        for item in newItems { try DispatchItemRow(item: item).insert(db) }
        if let event { try NoticeEventRow.insert(event, db: db) }
        for caseID in closingCases {
            try db.execute("UPDATE cases SET status = 'closed', closed_at = ? WHERE id = ? AND status = 'open'", [.text(StoredDate.text(date)), .text(caseID)])
        }
    }

    static func notice(_ db: some SQLExecutor, _ idOrReference: String) throws -> Notice? {
        try db.row("SELECT body FROM notices WHERE id = ? OR reference = ?", [.text(idOrReference), .text(idOrReference.uppercased())]).map {
            try NoticeRow.notice($0, db: db)
        }
    }

    static func notices(_ db: some SQLExecutor, status: NoticeStatus?, limit: Int) throws -> [Notice] {
        let rows =
            if let status {
                try db.rows(
                    "SELECT body FROM notices WHERE status = ? ORDER BY created_at DESC, id DESC LIMIT ?", [.text(status.rawValue), .int(max(0, limit))])
            } else {
                try db.rows("SELECT body FROM notices ORDER BY created_at DESC, id DESC LIMIT ?", [.int(max(0, limit))])
            }
        return try rows.map { try NoticeRow.notice($0, db: db) }
    }

    static func messages(_ db: some SQLExecutor, status: OutboxStatus?, limit: Int) throws -> [OutboxMessage] {
        if let status {
            return try db.rows(
                "SELECT * FROM outbox WHERE status = ? ORDER BY created_at DESC, id DESC LIMIT ?", [.text(status.rawValue), .int(max(0, limit))]
            ).map(
                OutboxRow.message)
        }
        return try db.rows("SELECT * FROM outbox ORDER BY created_at DESC, id DESC LIMIT ?", [.int(max(0, limit))]).map(OutboxRow.message)
    }

    static func messages(_ db: some SQLExecutor, noticeID: String) throws -> [OutboxMessage] {
        try db.rows("SELECT * FROM outbox WHERE notice_id = ? ORDER BY created_at, id", [.text(noticeID)]).map(OutboxRow.message)
    }

    static func events(_ db: some SQLExecutor, noticeID: String) throws -> [NoticeEvent] {
        try db.rows("SELECT * FROM notice_events WHERE notice_id = ? ORDER BY at, \(db.dialect.insertionOrder)", [.text(noticeID)]).map(NoticeEventRow.event)
    }

    static func releaseHeldItems(_ db: some SQLExecutor, caseID: String, at date: Date, actor: String) throws -> Int {
        let released = try db.execute(
            "UPDATE dispatch_items SET status = 'waiting', due_at = ? WHERE case_id = ? AND status = 'held'", [.text(StoredDate.text(date)), .text(caseID)])
        if released > 0 {
            try AuditRow(AuditEntry(at: date, actor: actor, event: "dispatch.released", subject: caseID, detail: ["items": .number(Double(released))])).insert(
                db)
        }
        return released
    }

    static func dispatchCounts(_ db: some SQLExecutor) throws -> DispatchCounts {
        func counts(_ table: String) throws -> [String: Int] {
            Dictionary(
                uniqueKeysWithValues: try db.rows("SELECT status, COUNT(*) AS n FROM \(table) GROUP BY status", []).map {
                    (try $0.text("status"), try $0.integer("n"))
                })
        }
        return DispatchCounts(items: try counts("dispatch_items"), notices: try counts("notices"), messages: try counts("outbox"))
    }
}
