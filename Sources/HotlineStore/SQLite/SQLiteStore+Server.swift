import Foundation
import GRDB
import HotlineCore

extension SQLiteStore {
    // MARK: Tokens

    /// Stores a token by the SHA-256 of its secret.
    public func insertToken(_ token: APIToken, secretHash: String) throws {
        try writeTransaction { db in
            try db.execute(sql: "INSERT INTO api_tokens (id, token_hash, role, org, label, created_at) VALUES (?, ?, ?, ?, ?, ?)", arguments: [
                token.id, secretHash, token.role.rawValue, token.org, token.label, StoredDate.text(token.createdAt),
            ])
            try AuditRow(AuditEntry(at: token.createdAt, actor: "cli", event: "token.created", subject: token.id, detail: ["role": .string(token.role.rawValue), "org": token.org.map(JSONValue.string) ?? .null])).insert(db)
        }
    }

    /// The token whose secret hashes to `secretHash`, revoked or not.
    public func token(secretHash: String) throws -> APIToken? {
        try pool.read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM api_tokens WHERE token_hash = ?"), arguments: [secretHash]).map(Self.token)
        }
    }

    /// Every token, newest first.
    public func tokens() throws -> [APIToken] {
        try pool.read { db in try Row.fetchAll(db, sql: "SELECT * FROM api_tokens ORDER BY created_at DESC, id").map(Self.token) }
    }

    /// Revokes a token; `false` when there is no such live token.
    public func revokeToken(id: String, at date: Date, actor: String) throws -> Bool {
        try writeTransaction { db in
            try db.execute(sql: "UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", arguments: [StoredDate.text(date), id])
            guard db.changesCount == 1 else { return false }
            try AuditRow(AuditEntry(at: date, actor: actor, event: "token.revoked", subject: id)).insert(db)
            return true
        }
    }

    static func token(_ row: Row) -> APIToken {
        let revoked: String? = row["revoked_at"]
        return APIToken(id: row["id"], role: APIRole(rawValue: row["role"]) ?? .reporter, org: row["org"], label: row["label"], createdAt: StoredDate.date(row["created_at"]), revokedAt: revoked.map(StoredDate.date))
    }

    // MARK: Cases and the queue

    /// A case by id.
    public func caseRecord(id: String) throws -> CaseRecord? {
        try pool.read { db in try CaseRow.fetchOne(db, key: id)?.record }
    }

    /// The case of a report.
    public func caseID(reportID: String) throws -> String? {
        try pool.read { db in try String.fetchOne(db, sql: "SELECT case_id FROM reports WHERE id = ?", arguments: [reportID]) }
    }

    /// The latest decision of a case: its id, report and facts.
    public func latestDecision(caseID: String, schema: FieldSchema) throws -> (id: String, reportID: String, facts: Facts)? {
        try pool.read { db in
            try Row.fetchOne(db, sql: "SELECT id, report_id, facts FROM decisions WHERE case_id = ? ORDER BY rowid DESC LIMIT 1", arguments: [caseID]).map {
                ($0["id"], $0["report_id"], Facts(storedJSON: $0["facts"], schema: schema))
            }
        }
    }

    /// Open cases whose latest decision escalated them, and notices the follow-up escalated,
    /// oldest first.
    public func escalationQueue(limit: Int) throws -> [QueueEntry] {
        try pool.read { db in
            var entries: [QueueEntry] = []
            let rows = try Row.fetchAll(db, sql: """
                SELECT d.case_id, d.actions, d.facts, d.decided_at, c.url FROM decisions d JOIN cases c ON c.id = d.case_id
                WHERE c.status = 'open' AND d.outcome = 'escalate'
                  AND d.rowid = (SELECT MAX(rowid) FROM decisions WHERE case_id = d.case_id)
                ORDER BY d.decided_at, d.rowid LIMIT ?
                """, arguments: [limit])
            for row in rows {
                var queue = "analysts", reason = "", priority = "normal"
                if case .array(let actions)? = try? JSONValue.parse(row["actions"] as String) {
                    for action in actions {
                        if case .object(let object) = action, case .object(let escalate)? = object["escalate"] {
                            if case .string(let value)? = escalate["queue"] { queue = value }
                            if case .string(let value)? = escalate["reason"] { reason = value }
                            if case .string(let value)? = escalate["priority"] { priority = value }
                            break
                        }
                    }
                }
                let facts = (try? JSONValue.parse(row["facts"] as String)) ?? .null
                entries.append(QueueEntry(kind: "case", id: row["case_id"], url: row["url"], queue: queue, reason: reason, priority: priority, since: StoredDate.date(row["decided_at"]), detail: facts))
            }
            let notices = try Row.fetchAll(db, sql: "SELECT body FROM notices WHERE escalated_to IS NOT NULL AND status NOT IN ('removed', 'closed') ORDER BY created_at LIMIT ?", arguments: [limit])
            for row in notices {
                let notice = try NoticeRow.notice(row, db: db)
                let detail: JSONValue = .object([
                    "reference": .string(notice.reference), "status": .string(notice.status.rawValue),
                    "recipient": .string(notice.recipient.name), "urls": .number(Double(notice.items.count)),
                    "last_error": notice.lastError.map(JSONValue.string) ?? .null,
                ])
                entries.append(QueueEntry(kind: "notice", id: notice.id, url: notice.items.first?.url ?? "", queue: notice.escalatedTo ?? "analysts", reason: notice.lastError ?? "follow-up escalated", priority: "high", since: notice.sentAt ?? notice.createdAt, detail: detail))
            }
            return Array(entries.sorted { $0.since < $1.since }.prefix(limit))
        }
    }

    /// How many items the analysts' queue holds: open cases whose latest decision escalated
    /// them, and notices the follow-up escalated. A count per open case through the
    /// decisions' case index, without building the queue.
    public func queueDepth() throws -> Int {
        try pool.read { db in
            let cases = try Int.fetchOne(db, sql: """
                SELECT COUNT(*) FROM cases c WHERE c.status = 'open'
                  AND (SELECT outcome FROM decisions WHERE case_id = c.id ORDER BY rowid DESC LIMIT 1) = 'escalate'
                """) ?? 0
            let notices = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM notices WHERE escalated_to IS NOT NULL AND status NOT IN ('removed', 'closed')") ?? 0
            return cases + notices
        }
    }

    /// Notices to one organisation (a directory contact id), newest first.
    public func notices(contactID: String, limit: Int) throws -> [Notice] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT body FROM notices WHERE contact_id = ? ORDER BY created_at DESC, id DESC LIMIT ?", arguments: [contactID, limit]).map { try NoticeRow.notice($0, db: db) }
        }
    }

    /// Counts for `/v1/stats/summary`.
    public func summary() throws -> JSONObject {
        try pool.read { db in
            func grouped(_ sql: String) throws -> JSONValue {
                .object(JSONObject(try Row.fetchAll(db, sql: sql).map { ($0[0] as String, JSONValue.number(Double($0[1] as Int))) }))
            }
            return [
                "reports": .number(Double(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM reports") ?? 0)),
                "cases": try grouped("SELECT status, COUNT(*) FROM cases GROUP BY status ORDER BY status"),
                "decisions": try grouped("SELECT outcome, COUNT(*) FROM decisions GROUP BY outcome ORDER BY outcome"),
                "notices": try grouped("SELECT status, COUNT(*) FROM notices GROUP BY status ORDER BY status"),
                "outbox": try grouped("SELECT status, COUNT(*) FROM outbox GROUP BY status ORDER BY status"),
            ]
        }
    }
}

/// What `hotline audit verify` found.
public struct AuditVerification: Hashable, Sendable {
    /// Entries checked.
    public var entries: Int
    /// The last entry's sequence number and chain value (note it to detect truncation later).
    public var head: (seq: Int64, chain: String)?
    /// Problems, in order: changed entries, missing sequence numbers.
    public var problems: [String]

    public static func == (lhs: AuditVerification, rhs: AuditVerification) -> Bool {
        lhs.entries == rhs.entries && lhs.problems == rhs.problems && lhs.head?.seq == rhs.head?.seq && lhs.head?.chain == rhs.head?.chain
    }
    public func hash(into hasher: inout Hasher) { hasher.combine(entries) }
}

extension SQLiteStore {
    /// Recomputes the audit log's hash chain: an edited entry no longer matches its link, a
    /// removed one leaves a gap in the sequence and breaks the next link.
    public func verifyAuditLog() throws -> AuditVerification {
        try pool.read { db in
            var result = AuditVerification(entries: 0, head: nil, problems: [])
            var previous = ""
            var expectedSeq: Int64 = 1
            let rows = try Row.fetchCursor(db, sql: "SELECT seq, at, actor, event, subject, detail, chain FROM audit_log ORDER BY seq")
            while let row = try rows.next() {
                let seq: Int64 = row[0]
                if seq != expectedSeq {
                    result.problems.append(seq == expectedSeq + 1 ? "entry \(expectedSeq) is missing" : "entries \(expectedSeq) to \(seq - 1) are missing")
                }
                let stored: String? = row[6]
                let link = AuditChain.link(previous: previous, seq: seq, at: row[1], actor: row[2], event: row[3], subject: row[4], detail: row[5])
                if stored != link {
                    result.problems.append("entry \(seq) does not match the chain (changed, or an entry before it was changed or removed)")
                }
                previous = stored ?? link
                expectedSeq = seq + 1
                result.entries += 1
                result.head = (seq, previous)
            }
            return result
        }
    }
}

extension SQLiteStore {
    /// The chain value of one audit entry.
    public func auditChain(seq: Int64) throws -> String? {
        try pool.read { db in try String.fetchOne(db, sql: "SELECT chain FROM audit_log WHERE seq = ?", arguments: [seq]) }
    }
}

extension SQLiteStore {
    /// Erases reporters' contact details stored before `cutoff`; returns how many. Recorded
    /// in the audit log (the count, never the details).
    public func purgeReporterContacts(before cutoff: Date, actor: String, at date: Date) throws -> Int {
        try writeTransaction { db in
            try db.execute(sql: "DELETE FROM reporter_contacts WHERE stored_at < ?", arguments: [StoredDate.text(cutoff)])
            let erased = db.changesCount
            try AuditRow(AuditEntry(at: date, actor: actor, event: "purge.reporter_contacts", detail: ["erased": .number(Double(erased)), "before": .string(StoredDate.text(cutoff))])).insert(db)
            return erased
        }
    }

    /// How many reporters' contact details are stored.
    public func reporterContactCount() throws -> Int {
        try pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM reporter_contacts") ?? 0 }
    }
}
