import Foundation
import HotlineCore

// MARK: Tokens

extension SQLStore {
    /// Stores a token by the SHA-256 of its secret.
    public func insertToken(_ token: APIToken, secretHash: String) throws {
        try writing { db in
            try db.execute(
                "INSERT INTO api_tokens (id, token_hash, role, org, label, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                [
                    .text(token.id), .text(secretHash), .text(token.role.rawValue), .optional(token.org), .optional(token.label),
                    .text(StoredDate.text(token.createdAt)),
                ])
            try AuditRow(
                AuditEntry(
                    at: token.createdAt, actor: "cli", event: "token.created", subject: token.id,
                    detail: ["role": .string(token.role.rawValue), "org": token.org.map(JSONValue.string) ?? .null])
            ).insert(db)
        }
    }

    /// The token whose secret hashes to `secretHash`, revoked or not.
    public func token(secretHash: String) throws -> APIToken? {
        try reading { try $0.row("SELECT * FROM api_tokens WHERE token_hash = ?", [.text(secretHash)]).map(Self.token) }
    }

    /// The token with this id.
    public func token(id: String) throws -> APIToken? {
        try reading { try $0.row("SELECT * FROM api_tokens WHERE id = ?", [.text(id)]).map(Self.token) }
    }

    /// Stores a dashboard session.
    public func insertSession(_ session: DashboardSession, idHash: String) throws {
        try writing {
            try $0.execute(
                "INSERT INTO dashboard_sessions (id_hash, token_id, csrf, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
                [
                    .text(idHash), .text(session.tokenID), .text(session.csrf), .text(StoredDate.text(session.createdAt)),
                    .text(StoredDate.text(session.expiresAt)),
                ])
        }
    }

    /// The session stored under `idHash`.
    public func session(idHash: String) throws -> DashboardSession? {
        try reading { db in
            try db.row("SELECT * FROM dashboard_sessions WHERE id_hash = ?", [.text(idHash)]).map { row in
                DashboardSession(
                    tokenID: try row.text("token_id"), csrf: try row.text("csrf"), createdAt: StoredDate.date(try row.text("created_at")),
                    expiresAt: StoredDate.date(try row.text("expires_at")), revokedAt: try row.optionalText("revoked_at").map(StoredDate.date),
                    lastSeenAt: try row.optionalText("last_seen_at").map(StoredDate.date))
            }
        }
    }

    /// Ends a session.
    public func revokeSession(idHash: String, at date: Date) throws {
        try writing {
            try $0.execute(
                "UPDATE dashboard_sessions SET revoked_at = ? WHERE id_hash = ? AND revoked_at IS NULL", [.text(StoredDate.text(date)), .text(idHash)])
        }
    }

    /// Records a session's use.
    public func touchSession(idHash: String, at date: Date) throws {
        try writing { try $0.execute("UPDATE dashboard_sessions SET last_seen_at = ? WHERE id_hash = ?", [.text(StoredDate.text(date)), .text(idHash)]) }
    }

    /// Every token, newest first.
    public func tokens() throws -> [APIToken] {
        try reading { try $0.rows("SELECT * FROM api_tokens ORDER BY created_at DESC, id", []).map(Self.token) }
    }

    /// Revokes a token; `false` when there is no such live token.
    public func revokeToken(id: String, at date: Date, actor: String) throws -> Bool {
        try writing { db in
            guard try db.execute("UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", [.text(StoredDate.text(date)), .text(id)]) == 1
            else { return false }
            try AuditRow(AuditEntry(at: date, actor: actor, event: "token.revoked", subject: id)).insert(db)
            return true
        }
    }

    static func token(_ row: some SQLRow) throws -> APIToken {
        APIToken(
            id: try row.text("id"), role: APIRole(rawValue: try row.text("role")) ?? .reporter, org: try row.optionalText("org"),
            label: try row.optionalText("label"),
            createdAt: StoredDate.date(try row.text("created_at")), revokedAt: try row.optionalText("revoked_at").map(StoredDate.date))
    }
}

// MARK: Cases and the queue

extension SQLStore {
    /// A case by id.
    public func caseRecord(id: String) throws -> CaseRecord? {
        try reading { try $0.row("SELECT * FROM cases WHERE id = ?", [.text(id)]).map { try CaseRow(row: $0).record } }
    }

    /// The case of a report.
    public func caseID(reportID: String) throws -> String? {
        try reading { try $0.row("SELECT case_id FROM reports WHERE id = ?", [.text(reportID)])?.text("case_id") }
    }

    /// The latest decision of a case: its id, report and facts.
    public func latestDecision(caseID: String) throws -> LatestDecision? {
        try reading { db in
            try db.row("SELECT id, report_id, facts FROM decisions WHERE case_id = ? ORDER BY \(db.dialect.insertionOrder) DESC LIMIT 1", [.text(caseID)]).map {
                LatestDecision(id: try $0.text("id"), reportID: try $0.text("report_id"), facts: Facts(storedJSON: try $0.text("facts")))
            }
        }
    }

    /// The latest decision of one report.
    public func latestDecision(reportID: String) throws -> LatestDecision? {
        try reading { db in
            try db.row("SELECT id, report_id, facts FROM decisions WHERE report_id = ? ORDER BY \(db.dialect.insertionOrder) DESC LIMIT 1", [.text(reportID)])
                .map { LatestDecision(id: try $0.text("id"), reportID: try $0.text("report_id"), facts: Facts(storedJSON: try $0.text("facts"))) }
        }
    }

    /// Open cases whose latest decision escalated them, and notices the follow-up escalated,
    /// oldest first.
    public func reportIDs(caseID: String) throws -> [String] {
        try reading { try $0.rows("SELECT id FROM reports WHERE case_id = ? ORDER BY received_at, id", [.text(caseID)]).map { try $0.text("id") } }
    }

    /// The notices and forwards that carry a case's URLs, oldest first.
    public func notices(caseID: String) throws -> [Notice] {
        try reading { db in
            try db.rows(
                "SELECT body FROM notices WHERE id IN (SELECT notice_id FROM notice_items WHERE case_id = ?) ORDER BY created_at, id", [.text(caseID)]
            ).map { try NoticeRow.notice($0, db: db) }
        }
    }

    /// Escalated cases and notices, oldest first.
    public func escalationQueue(limit: Int) throws -> [QueueEntry] {
        try reading { db in
            let order = db.dialect.insertionOrder
            var entries: [QueueEntry] = []
            let rows = try db.rows(
                """
                SELECT d.case_id AS case_id, d.actions AS actions, d.facts AS facts, d.decided_at AS decided_at, c.url AS url
                FROM decisions d JOIN cases c ON c.id = d.case_id
                WHERE c.status = 'open' AND d.outcome = 'escalate'
                  AND d.\(order) = (SELECT MAX(\(order)) FROM decisions WHERE case_id = d.case_id)
                ORDER BY d.decided_at, d.\(order) LIMIT ?
                """, [.int(max(0, limit))])
            for row in rows {
                let actions = (try? JSONValue.parse(try row.text("actions"))) ?? .null
                let facts = (try? JSONValue.parse(try row.text("facts"))) ?? .null
                entries.append(
                    .escalatedCase(
                        id: try row.text("case_id"), url: try row.text("url"), actions: actions, facts: facts,
                        decidedAt: StoredDate.date(try row.text("decided_at"))))
            }
            let notices = try db.rows(
                "SELECT body FROM notices WHERE escalated_to IS NOT NULL AND status NOT IN ('removed', 'closed') ORDER BY created_at LIMIT ?",
                [.int(max(0, limit))])
            for row in notices { entries.append(.escalatedNotice(try NoticeRow.notice(row, db: db))) }
            for row in try db.rows("SELECT * FROM disputes WHERE status = 'open' ORDER BY created_at LIMIT ?", [.int(max(0, limit))]) {
                entries.append(.openDispute(try Self.dispute(row)))
            }
            return Array(entries.sorted { $0.since < $1.since }.prefix(max(0, limit)))
        }
    }

    /// How many items the analysts' queue holds: open cases whose latest decision escalated
    /// them, and notices the follow-up escalated. A count per open case through the
    /// decisions' case index, without building the queue.
    public func queueDepth() throws -> Int {
        try reading { db in
            let cases =
                try db.row(
                    """
                    SELECT COUNT(*) AS n FROM cases c WHERE c.status = 'open'
                      AND (SELECT outcome FROM decisions WHERE case_id = c.id ORDER BY \(db.dialect.insertionOrder) DESC LIMIT 1) = 'escalate'
                    """, [])?.integer("n") ?? 0
            let notices =
                try db.row("SELECT COUNT(*) AS n FROM notices WHERE escalated_to IS NOT NULL AND status NOT IN ('removed', 'closed')", [])?.integer("n") ?? 0
            let disputes = try db.row("SELECT COUNT(*) AS n FROM disputes WHERE status = 'open'", [])?.integer("n") ?? 0
            return cases + notices + disputes
        }
    }

    /// Counts for `/v1/stats/summary`.
    public func summary() throws -> JSONObject {
        try reading { db in
            func grouped(_ column: String, _ table: String) throws -> JSONValue {
                .object(
                    JSONObject(
                        try db.rows("SELECT \(column) AS k, COUNT(*) AS n FROM \(table) GROUP BY \(column) ORDER BY \(column)", []).map {
                            (try $0.text("k"), JSONValue.number(Double(try $0.integer("n"))))
                        }))
            }
            return [
                "reports": .number(Double(try db.row("SELECT COUNT(*) AS n FROM reports", [])?.integer("n") ?? 0)),
                "cases": try grouped("status", "cases"),
                "decisions": try grouped("outcome", "decisions"),
                "notices": try grouped("status", "notices"),
                "outbox": try grouped("status", "outbox"),
            ]
        }
    }

    /// Reports received per UTC day in `[since, until)`, oldest first (days without reports
    /// are left out).
    public func reportsPerDay(since: Date, until: Date) throws -> [(day: String, count: Int)] {
        try reading {
            try $0.rows(
                """
                SELECT substr(received_at, 1, 10) AS day, COUNT(*) AS n FROM reports WHERE received_at >= ? AND received_at < ?
                GROUP BY substr(received_at, 1, 10) ORDER BY day
                """, [.text(StoredDate.text(since)), .text(StoredDate.text(until))]
            ).map { (try $0.text("day"), try $0.integer("n")) }
        }
    }
}

// MARK: Audit and data protection

extension SQLStore {
    /// Recomputes the audit log's hash chain: an edited entry no longer matches its link, a
    /// removed one leaves a gap in the sequence and breaks the next link.
    public func verifyAuditLog() throws -> AuditVerification {
        var result = AuditVerification(entries: 0, head: nil, problems: [])
        var previous = ""
        var expectedSeq: Int64 = 1
        // In pages, so a long log is never held in memory at once.
        while true {
            let rows = try reading {
                try $0.rows(
                    "SELECT seq, at, actor, event, subject, detail, chain FROM audit_log WHERE seq >= ? ORDER BY seq LIMIT 10000", [.integer(expectedSeq)])
            }
            if rows.isEmpty { return result }
            for row in rows {
                let seq = Int64(try row.integer("seq"))
                if seq != expectedSeq {
                    result.problems.append(seq == expectedSeq + 1 ? "entry \(expectedSeq) is missing" : "entries \(expectedSeq) to \(seq - 1) are missing")
                }
                let stored = try row.optionalText("chain")
                let link = AuditChain.link(
                    previous: previous, seq: seq, at: try row.text("at"), actor: try row.text("actor"), event: try row.text("event"),
                    subject: try row.optionalText("subject"), detail: try row.text("detail"))
                if stored != link {
                    result.problems.append("entry \(seq) does not match the chain (changed, or an entry before it was changed or removed)")
                }
                previous = stored ?? link
                expectedSeq = seq + 1
                result.entries += 1
                result.head = (seq, previous)
            }
        }
    }

    /// Appends one audit entry in its own transaction.
    public func appendAudit(_ entry: AuditEntry) throws {
        try writing { try AuditRow(entry).insert($0) }
    }

    /// The chain value of one audit entry.
    public func auditChain(seq: Int64) throws -> String? {
        try reading { try $0.row("SELECT chain FROM audit_log WHERE seq = ?", [.integer(seq)])?.optionalText("chain") }
    }

    /// Erases reporters' contact details stored before `cutoff`; returns how many. Recorded
    /// in the audit log (the count, never the details).
    public func purgeReporterContacts(before cutoff: Date, actor: String, at date: Date) throws -> Int {
        try writing { db in
            let erased = try db.execute("DELETE FROM reporter_contacts WHERE stored_at < ?", [.text(StoredDate.text(cutoff))])
            try AuditRow(
                AuditEntry(
                    at: date, actor: actor, event: "purge.reporter_contacts",
                    detail: ["erased": .number(Double(erased)), "before": .string(StoredDate.text(cutoff))])
            ).insert(db)
            return erased
        }
    }

    /// How many reporters' contact details are stored.
    public func reporterContactCount() throws -> Int {
        try reading { try $0.row("SELECT COUNT(*) AS n FROM reporter_contacts", [])?.integer("n") ?? 0 }
    }
}

// MARK: Mail

extension SQLStore {
    /// Whether a message was handled already.
    public func mailHandled(mailbox: String, messageKey: String) throws -> Bool {
        try reading { try $0.row("SELECT 1 AS one FROM mail_log WHERE mailbox = ? AND message_key = ?", [.text(mailbox), .text(messageKey)]) != nil }
    }

    /// Counts an attempt at a message.
    public func beginMailAttempt(mailbox: String, messageKey: String) throws -> Int {
        try writing { db in
            try db.execute(
                "INSERT INTO mail_attempts (mailbox, message_key, attempts) VALUES (?, ?, 1) ON CONFLICT (mailbox, message_key) DO UPDATE SET attempts = mail_attempts.attempts + 1",
                [.text(mailbox), .text(messageKey)])
            return try db.row("SELECT attempts FROM mail_attempts WHERE mailbox = ? AND message_key = ?", [.text(mailbox), .text(messageKey)])?.integer(
                "attempts")
                ?? 1
        }
    }

    /// Forgets the attempts at a message.
    public func endMailAttempt(mailbox: String, messageKey: String) throws {
        try writing { try $0.execute("DELETE FROM mail_attempts WHERE mailbox = ? AND message_key = ?", [.text(mailbox), .text(messageKey)]) }
    }

    /// Records a handled message (idempotent).
    public func logMail(_ entry: MailLogEntry) throws {
        try writing {
            try $0.execute(
                "INSERT INTO mail_log (mailbox, message_key, uid, sender, outcome, detail, handled_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                [
                    .text(entry.mailbox), .text(entry.messageKey), .int(entry.uid), .optional(entry.sender), .text(entry.outcome), .text(entry.detail),
                    .text(StoredDate.text(entry.handledAt)),
                ])
        }
    }

    /// The mail log, newest first.
    public func mailLog(limit: Int) throws -> [MailLogEntry] {
        try reading { try $0.rows("SELECT * FROM mail_log ORDER BY handled_at DESC LIMIT ?", [.int(max(0, limit))]) }.map {
            MailLogEntry(
                mailbox: try $0.text("mailbox"), messageKey: try $0.text("message_key"), uid: try $0.integer("uid"), sender: try $0.optionalText("sender"),
                outcome: try $0.text("outcome"), detail: try $0.text("detail"), handledAt: StoredDate.date(try $0.text("handled_at")))
        }
    }

    /// The notice an outbox message with this Message-ID belongs to.
    public func noticeID(messageID: String) throws -> String? {
        try reading { try $0.row("SELECT notice_id FROM outbox WHERE message_id = ?", [.text(messageID)])?.text("notice_id") }
    }

    /// Counts a bounce against an address.
    public func recordBounce(address: String, status: String, at date: Date) throws {
        try writing {
            try $0.execute(
                """
                INSERT INTO address_health (address, bounces, last_bounce_at, last_status) VALUES (?, 1, ?, ?)
                ON CONFLICT (address) DO UPDATE SET bounces = address_health.bounces + 1, last_bounce_at = excluded.last_bounce_at, last_status = excluded.last_status
                """, [.text(address.lowercased()), .text(StoredDate.text(date)), .text(status)])
        }
    }

    /// Bounces per address.
    public func bounceCounts() throws -> [String: Int] {
        Dictionary(
            uniqueKeysWithValues: try reading { try $0.rows("SELECT address, bounces FROM address_health", []) }.map {
                (try $0.text("address"), try $0.integer("bounces"))
            })
    }
}
