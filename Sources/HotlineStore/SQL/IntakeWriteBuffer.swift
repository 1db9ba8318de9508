import Foundation
import HotlineCore

/// The rows an ingest transaction writes, held until the end of the batch and then written
/// a table at a time in multi-row INSERTs (parents before children), with each case written
/// once in its final state. Nothing in the batch reads them back from the database: the
/// read-ahead answers its lookups.
final class IntakeWriteBuffer {
    private var newCases: [String: CaseRow] = [:]
    private var newCaseOrder: [String] = []
    /// Each changed case with the reports this batch added to it, when its stored count is
    /// known: the update adds those, so that another instance's report to the same case is
    /// not overwritten.
    private var changedCases: [String: (row: CaseRow, added: Int?)] = [:]
    private var reports: [ReportRow] = []
    private var contacts: [ReporterContactRow] = []
    private var decisions: [[SQLValue]] = []
    private var items: [[SQLValue]] = []
    private var evidence: [[SQLValue]] = []
    private var caseURLs: [[SQLValue]] = []
    private var caseHashes: [[SQLValue]] = []
    private var audit: [AuditRow] = []

    func insert(_ row: CaseRow) {
        if newCases[row.id] == nil { newCaseOrder.append(row.id) }
        newCases[row.id] = row
    }

    func update(_ row: CaseRow, added: Int?) {
        if newCases[row.id] != nil { newCases[row.id] = row } else { changedCases[row.id] = (row, added) }
    }

    func insert(_ row: ReportRow, contact: ReporterContactRow?) {
        reports.append(row)
        if let contact { contacts.append(contact) }
    }

    func insert(_ rows: [DecisionRowEncoder.Row]) {
        for row in rows {
            switch row {
            case .decision(let values): decisions.append(values)
            case .item(let values): items.append(values)
            }
        }
    }
    func insert(_ task: EvidenceTask) {
        evidence.append([
            .text(task.reportID), .text(task.caseID), .text("pending"), .int(task.claimsAreEvidence ? 1 : 0), .text(task.facts.serializedJSON), .int(0),
            .text(StoredDate.text(task.createdAt)),
        ])
    }
    func append(_ row: AuditRow) { audit.append(row) }
    func add(url: String, to caseID: String) { caseURLs.append([.text(caseID), .text(url)]) }
    func add(hash: (HashAlgorithm, String), to caseID: String) { caseHashes.append([.text(caseID), .text(hash.0.rawValue), .text(hash.1)]) }

    /// Writes everything, parents first, and the audit entries last (their lock is held to
    /// commit; waiting for it flushes the rows sent before).
    func write(_ db: some SQLExecutor) throws {
        try insert(CaseRow.table, CaseRow.columns, newCaseOrder.map { newCases[$0]!.values }, db)
        try insert(ReportRow.table, ReportRow.columns, reports.map(\.values), db)
        try insert(ReporterContactRow.table, ReporterContactRow.columns, contacts.map(\.values), db)
        try insert(DecisionRow.table, DecisionRow.columns, decisions, db)
        try insert("case_urls", ["case_id", "url"], caseURLs, db, ignoringDuplicates: true)
        try insert("case_hashes", ["case_id", "algorithm", "hash"], caseHashes, db, ignoringDuplicates: true)
        try insert(DispatchItemRow.table, DispatchItemRow.columns, items, db)
        try insert("evidence_tasks", ["report_id", "case_id", "status", "trusted", "facts", "attempts", "created_at"], evidence, db)
        if !changedCases.isEmpty {
            let changes = Array(changedCases.values)
            switch db.dialect {
            case .sqlite:
                // The only writer: the count it computed is the count.
                for change in changes { try change.row.update(db) }
            case .postgres:
                let rows = changes.map(\.row)
                try db.send(
                    """
                    UPDATE cases SET status = v.status, closed_at = NULLIF(v.closed_at, ''),
                        report_count = CASE WHEN v.added = '' THEN v.report_count::int ELSE cases.report_count + v.added::int END
                    FROM (SELECT * FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[]) AS t(id, status, closed_at, report_count, added)) v
                    WHERE cases.id = v.id
                    """,
                    [  // The arrays carry no NULL: an empty closed_at stands for none, an empty added for a count not read.
                        .texts(rows.map(\.id)), .texts(rows.map(\.status)), .texts(rows.map { $0.closed_at ?? "" }),
                        .texts(rows.map { String($0.report_count) }), .texts(changes.map { $0.added.map(String.init) ?? "" }),
                    ])
            }
        }
        for row in audit { try row.insert(db) }
    }

    /// Rows in multi-row statements. PostgreSQL: up to 1,000 rows (it takes at most 65,535
    /// parameters), each statement sent once. SQLite keeps every statement it ran prepared,
    /// so there the sizes are powers of two up to 64: a handful of statements per table
    /// serve every batch, instead of one per batch size.
    private func insert(_ table: String, _ columns: [String], _ rows: [[SQLValue]], _ db: some SQLExecutor, ignoringDuplicates: Bool = false) throws {
        let row = "(" + Array(repeating: "?", count: columns.count).joined(separator: ", ") + ")"
        let most = db.dialect == .postgres ? 1000 : 64
        var start = 0
        while start < rows.count {
            var count = min(most, rows.count - start)
            if db.dialect == .sqlite { count = 1 << (Int.bitWidth - 1 - count.leadingZeroBitCount) }
            let chunk = rows[start..<start + count]
            try db.send(
                "INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES " + Array(repeating: row, count: chunk.count).joined(separator: ", ")
                    + (ignoringDuplicates ? " ON CONFLICT DO NOTHING" : ""), Array(chunk.joined()))
            start += count
        }
    }
}
