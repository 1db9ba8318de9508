import Foundation
import HotlineCore

/// What an ingest transaction read ahead for its batch (open cases by URL and by content
/// hash, reports by client id), kept up to date by the transaction's own writes. Nobody else
/// can change these answers before the commit (PostgreSQL: the batch's keys are locked;
/// SQLite: one writer at a time), so the per-report lookups need no statement: a thousand
/// reports cost a few statements to read instead of a few thousand.
final class IntakeReadAhead {
    private var cases: [String: CaseRecord] = [:]
    /// case id → its report count as read from the database. Another instance can add a
    /// report to the same case under another key (its URL, or a trusted hash) at the same
    /// time, so the batch writes what it added, not the count it computed.
    private var storedCounts: [String: Int] = [:]
    /// URL → case id; a URL read ahead and not found maps to nil.
    private var byURL: [String: String?] = [:]
    /// "algorithm:hash" → case id, or nil when read ahead and not found.
    private var byHash: [String: String?] = [:]
    /// "source\0client id" → the report, or nil when read ahead and not found.
    private var byClientID: [String: ExistingReport?] = [:]

    static func clientKey(_ source: String, _ clientID: String) -> String { source + "\u{0}" + clientID }
    static func hashKey(_ algorithm: HashAlgorithm, _ value: String) -> String { algorithm.rawValue + ":" + value }

    /// Reads everything `keys` will look up, in five statements.
    init(keys: IntakeKeys, db: some SQLExecutor) throws {
        for url in keys.urls { byURL[url] = .some(nil) }
        for (algorithm, value) in keys.contentHashes { byHash[Self.hashKey(algorithm, value)] = .some(nil) }
        for (source, clientID) in keys.clientIDs { byClientID[Self.clientKey(source, clientID)] = .some(nil) }
        let dialect = db.dialect
        if !keys.urls.isEmpty {
            let (isURL, urls) = Self.oneOf("url", keys.urls, dialect)
            for row in try db.rows("SELECT * FROM cases WHERE \(isURL) AND status = 'open'", urls) {
                let record = try CaseRow(row: row).record
                read(record)
                byURL[record.url] = record.id
            }
            let (isAddedURL, addedURLs) = Self.oneOf("case_urls.url", keys.urls, dialect)
            for row in try db.rows(
                """
                SELECT case_urls.url AS added_url, cases.* FROM case_urls JOIN cases ON cases.id = case_urls.case_id
                WHERE \(isAddedURL) AND cases.status = 'open'
                """, addedURLs)
            {
                let record = try CaseRow(row: row).record
                read(record)
                let url = try row.text("added_url")
                if byURL[url] == .some(nil) { byURL[url] = record.id }
            }
        }
        if !keys.contentHashes.isEmpty {
            let (isHash, hashes) = Self.pairOneOf("case_hashes.algorithm", "case_hashes.hash", keys.contentHashes.map { ($0.0.rawValue, $0.1) }, dialect)
            for row in try db.rows(
                """
                SELECT case_hashes.algorithm AS hash_algorithm, case_hashes.hash AS hash_value, cases.*
                FROM case_hashes JOIN cases ON cases.id = case_hashes.case_id
                WHERE \(isHash) AND cases.status = 'open'
                """, hashes)
            {
                let record = try CaseRow(row: row).record
                read(record)
                let key = try row.text("hash_algorithm") + ":" + row.text("hash_value")
                if byHash[key] == .some(nil) { byHash[key] = record.id }
            }
        }
        if !keys.clientIDs.isEmpty {
            var reports: [String: (clientKey: String, caseID: String)] = [:]
            let (isClient, clients) = Self.pairOneOf("source_key", "client_id", keys.clientIDs.map { ($0.source, $0.clientID) }, dialect)
            // The NOT NULL lets SQLite use its partial index on client ids instead of a scan.
            for row in try db.rows("SELECT id, case_id, source_key, client_id FROM reports WHERE \(isClient) AND client_id IS NOT NULL", clients) {
                let key = Self.clientKey(try row.text("source_key"), try row.text("client_id"))
                reports[try row.text("id")] = (key, try row.text("case_id"))
            }
            var decisions: [String: DecisionSummary] = [:]
            if !reports.isEmpty {
                let (isReport, reportIDs) = Self.oneOf("report_id", Array(reports.keys), dialect)
                // Each report's latest decision: PostgreSQL's DISTINCT ON; SQLite takes the bare
                // columns of a group from the row with its MAX().
                let latest =
                    dialect == .postgres
                    ? "SELECT DISTINCT ON (report_id) report_id, rule, outcome, actions, rules_digest FROM decisions WHERE \(isReport) ORDER BY report_id, seq DESC"
                    : "SELECT report_id, rule, outcome, actions, rules_digest, MAX(rowid) FROM decisions WHERE \(isReport) GROUP BY report_id"
                for row in try db.rows(latest, reportIDs) { decisions[try row.text("report_id")] = try DecisionRow.summary(row) }
            }
            for (reportID, report) in reports {
                byClientID[report.clientKey] = ExistingReport(reportID: reportID, caseID: report.caseID, decision: decisions[reportID])
            }
        }
    }

    /// `next`, the next batch's read-ahead as the database stood before this batch, overlaid
    /// with every answer this batch read or changed, as its commit will leave it, and with
    /// its `decided` verdicts (by report id) for the reports it stored. Nil when an answer of
    /// `next` points at a case this batch closed under a key it did not look up: which open
    /// case that key leads to after the commit cannot be told without reading again.
    func overlaid(_ next: IntakeReadAhead, decided: [String: Verdict]) -> IntakeReadAhead? {
        var referenced: Set<String> = []
        for (url, found) in next.byURL {
            if let mine = byURL[url] { next.byURL[url] = .some(mine) } else if let id = found, let status = cases[id]?.status, status != .open { return nil }
            if let id = next.byURL[url] ?? nil { referenced.insert(id) }
        }
        for (hash, found) in next.byHash {
            if let mine = byHash[hash] {
                next.byHash[hash] = .some(mine)
            } else if let id = found, let status = cases[id]?.status, status != .open {
                return nil
            }
            if let id = next.byHash[hash] ?? nil { referenced.insert(id) }
        }
        for (client, _) in next.byClientID {
            guard let mine = byClientID[client] else { continue }
            next.byClientID[client] = .some(
                mine.map { report in
                    var report = report
                    if let verdict = decided[report.reportID] { report.decision = DecisionSummary(verdict) }
                    return report
                })
        }
        // This batch's case is what its commit stores, count included; only the cases the
        // next batch can reach are carried over, so the overlay does not grow batch by batch.
        for id in referenced {
            guard let record = cases[id] else {
                if next.cases[id] == nil { return nil }
                continue
            }
            next.cases[id] = record
            next.storedCounts[id] = record.reportCount
        }
        return next
    }

    /// "`column` is one of `values`" with the list as one value: a PostgreSQL array, or a
    /// JSON array that SQLite reads with `json_each`. Either way one statement serves every
    /// batch size.
    private static func oneOf(_ column: String, _ values: [String], _ dialect: SQLDialect) -> (String, [SQLValue]) {
        switch dialect {
        case .postgres: ("\(column) = ANY(?)", [.texts(values)])
        case .sqlite: ("\(column) IN (SELECT value FROM json_each(?))", [.text(JSONValue.array(values.map(JSONValue.string)).serialized)])
        }
    }

    /// "(`first`, `second`) is one of `pairs`", likewise.
    private static func pairOneOf(_ first: String, _ second: String, _ pairs: [(String, String)], _ dialect: SQLDialect) -> (String, [SQLValue]) {
        switch dialect {
        case .postgres: ("(\(first), \(second)) IN (SELECT * FROM unnest(?::text[], ?::text[]))", [.texts(pairs.map(\.0)), .texts(pairs.map(\.1))])
        case .sqlite:
            (
                "(\(first), \(second)) IN (SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(?))",
                [.text(JSONValue.array(pairs.map { JSONValue.array([.string($0.0), .string($0.1)]) }).serialized)]
            )
        }
    }

    private func openCase(_ id: String??) -> CaseRecord?? {
        guard let id else { return nil }  // not read ahead: ask the database
        guard let id, let record = cases[id], record.status == .open else { return .some(nil) }
        return record
    }

    // Answers: the outer optional is nil when the key was not read ahead.

    func openCase(url: String) -> CaseRecord?? { openCase(byURL[url]) }

    func openCase(contentHashes: [(HashAlgorithm, String)]) -> CaseRecord?? {
        var allKnown = true
        for (algorithm, value) in contentHashes {
            switch openCase(byHash[Self.hashKey(algorithm, value)]) {
            case .some(.some(let record)): return record
            case .some(.none): continue
            case .none: allKnown = false
            }
        }
        return allKnown ? .some(nil) : nil
    }

    /// The report as stored before the batch or inserted by it; a decision of the batch is
    /// the row encoder's to answer (``DecisionRowEncoder/summary(reportID:)``).
    func existingReport(clientID: String, scope: String) -> ExistingReport?? {
        byClientID[Self.clientKey(scope, clientID)]
    }

    /// Notes a case as the database holds it (read ahead, or looked up for a key that was not).
    func read(_ record: CaseRecord) {
        if cases[record.id] == nil { cases[record.id] = record }
        if storedCounts[record.id] == nil { storedCounts[record.id] = record.reportCount }
    }

    /// The case's report count as read from the database; nil for a case the batch created.
    func storedCount(of caseID: String) -> Int? { storedCounts[caseID] }

    // The transaction's own writes.

    func inserted(_ record: CaseRecord) {
        cases[record.id] = record
        if record.status == .open { byURL[record.url] = record.id }
    }

    func updated(_ record: CaseRecord) { cases[record.id] = record }

    func added(url: String, to caseID: String) { byURL[url] = caseID }

    func added(hashes: [(HashAlgorithm, String)], to caseID: String) {
        for (algorithm, value) in hashes where byHash[Self.hashKey(algorithm, value)] ?? nil == nil { byHash[Self.hashKey(algorithm, value)] = caseID }
    }

    func inserted(_ report: Report, caseID: String) {
        guard let clientID = report.clientID else { return }
        let key = Self.clientKey(report.clientScope, clientID)
        byClientID[key] = ExistingReport(reportID: report.id, caseID: caseID, decision: nil)
    }
}
