import Foundation
import HotlineCore

extension SQLiteStore: GatewayStorage {}

extension PostgresStore: GatewayStorage {
    /// Every URL of the notices to hosters and of the forwards to partners and the police delivered in `[since, until)`, a notice's URLs
    /// together, read on up to `threads` connections.
    public func noticeURLRows(since: Date, until: Date, threads: Int) throws -> [NoticeURLRow] {
        try postgresNoticeURLRows(condition: "n.sent_at >= ? AND n.sent_at < ?", [.text(StoredDate.text(since)), .text(StoredDate.text(until))])
    }

    /// The monitor's rows that meet `condition`; the server does the date arithmetic, one
    /// query, in notice order.
    func postgresNoticeURLRows(condition: String, _ arguments: [SQLValue]) throws -> [NoticeURLRow] {
        try reading { db in
            var strings = SharedStrings()
            return try db.rows(
                """
                SELECT n.seq AS key, n.reference AS reference, n.hoster_org AS org, n.hoster_asn AS asn, n.hoster_country AS country,
                       EXTRACT(EPOCH FROM n.sent_at::timestamptz)::float8 AS sent, EXTRACT(EPOCH FROM n.deadline::timestamptz)::float8 AS deadline,
                       n.reminders AS reminders, (n.acknowledged_at IS NOT NULL)::int AS acknowledged, n.status AS status,
                       (n.escalated_to IS NOT NULL)::int AS escalated, EXTRACT(EPOCH FROM i.removed_at::timestamptz)::float8 AS removed,
                       n.kind AS kind, n.recipient AS recipient, n.contact_id AS contact_id
                FROM notices n JOIN notice_items i ON i.notice_id = n.id
                WHERE \(condition) AND \(StoreQueries.followedNotices)
                ORDER BY n.seq, i.position
                """, arguments
            ).map { row in
                NoticeURLRow(
                    noticeKey: Int64(try row.integer("key")), reference: try row.text("reference"),
                    org: strings.shared(try row.optionalText("org") ?? "unknown"),
                    asn: try row.optionalInt("asn"),
                    country: try row.optionalText("country"),
                    sentAt: Date(timeIntervalSince1970: try row.double("sent")),
                    deadline: try row.optionalDouble("deadline").map { Date(timeIntervalSince1970: $0) },
                    reminders: try row.integer("reminders"), acknowledged: try row.integer("acknowledged") != 0,
                    status: NoticeStatus(rawValue: try row.text("status")) ?? .sent,
                    escalated: try row.integer("escalated") != 0, removedAt: try row.optionalDouble("removed").map { Date(timeIntervalSince1970: $0) },
                    kind: try row.text("kind") == "forward" ? .forward : .notify, recipient: strings.shared(try row.text("recipient")),
                    contactID: try row.optionalText("contact_id").map { strings.shared($0) })
            }
        }
    }

    /// The URLs still online of notices and forwards still followed, delivered before `until`.
    public func openNoticeURLRows(until: Date) throws -> [NoticeURLRow] {
        try postgresNoticeURLRows(
            condition: "n.status IN \(StoreQueries.openStatuses) AND i.removed_at IS NULL AND n.sent_at < ?", [.text(StoredDate.text(until))])
    }

    /// Every intake decision since `since` decided again under `ruleSet`, on up to `threads` cores.
    public func replay(ruleSet: RuleSet, since: Date, keep: Int, threads: Int) throws -> RuleReplay {
        var result = RuleReplay(ruleSet: ruleSet, keep: keep)
        var after: Int64 = 0
        // Pages by the insertion sequence, so a long history is never held at once.
        while true {
            let rows = try reading {
                try $0.rows(
                    """
                    SELECT seq, report_id, rule, outcome, actions, facts FROM decisions
                    WHERE seq > ? AND trigger = 'intake' AND decided_at >= ? ORDER BY seq LIMIT 20000
                    """, [.integer(after), .text(StoredDate.text(since))])
            }
            guard let last = rows.last else { return result }
            for row in rows {
                result.replay(
                    reportID: try row.text("report_id"), rule: try row.text("rule"), outcome: try row.text("outcome"), actions: try row.text("actions"),
                    facts: try row.text("facts"))
            }
            after = Int64(try last.integer("seq"))
        }
    }
}
