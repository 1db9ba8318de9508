import Foundation
import GRDB
import HotlineCore

/// JSON bodies of dispatch rows: the columns hold what is queried; the body holds the whole
/// value, so a new field needs no migration.
enum StoredJSON {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(StoredDate.text(date))
        }
        return encoder
    }()

    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            StoredDate.date(try decoder.singleValueContainer().decode(String.self))
        }
        return decoder
    }()

    static func text<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    static func value<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        try decoder.decode(type, from: Data(text.utf8))
    }
}

/// A row of `dispatch_items`.
struct DispatchItemRow {
    static func insert(_ item: DispatchItem, db: Database) throws {
        try db.cachedStatement(sql: """
            INSERT INTO dispatch_items (id, report_id, case_id, decision_id, kind, target, batch_key, status, url, created_at, due_at, notice_id, body)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?)
            """).execute(arguments: [
                item.id, item.reportID, item.caseID, item.decisionID, item.kind, item.target, item.batchKey, item.status.rawValue,
                item.url, StoredDate.text(item.createdAt), StoredDate.text(item.dueAt), try StoredJSON.text(item),
            ])
    }

    static func item(_ row: Row) throws -> DispatchItem {
        var item = try StoredJSON.value(DispatchItem.self, row["body"])
        // Status and due time change after insert; the columns are the truth.
        item.status = DispatchItem.Status(rawValue: row["status"]) ?? item.status
        item.dueAt = StoredDate.date(row["due_at"])
        return item
    }
}

/// Rows of `notices` and `notice_items`.
struct NoticeRow {
    static func save(_ notice: Notice, db: Database, insert: Bool) throws {
        var header = notice
        header.items = []
        let first = notice.items.first?.hosting
        let arguments: StatementArguments = [
            notice.id, notice.reference, notice.kind, notice.recipient.target, notice.recipient.name, notice.recipient.channel.rawValue,
            notice.status.rawValue, StoredDate.text(notice.createdAt), notice.sentAt.map(StoredDate.text), notice.deadline.map(StoredDate.text),
            notice.removedAt.map(StoredDate.text), notice.reminders, notice.nextDueAt.map(StoredDate.text),
            first?.org, first?.asn, first?.country, try StoredJSON.text(header), notice.recipient.contactID, notice.escalatedTo, notice.acknowledgedAt.map(StoredDate.text),
        ]
        try db.cachedStatement(sql: """
            INSERT INTO notices (id, reference, kind, target, recipient, channel, status, created_at, sent_at, deadline, removed_at, reminders, next_due_at, hoster_org, hoster_asn, hoster_country, body, contact_id, escalated_to, acknowledged_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (id) DO UPDATE SET status = excluded.status, sent_at = excluded.sent_at, deadline = excluded.deadline,
                removed_at = excluded.removed_at, reminders = excluded.reminders, next_due_at = excluded.next_due_at, body = excluded.body,
                escalated_to = excluded.escalated_to, acknowledged_at = excluded.acknowledged_at, lease_until = NULL
            """).execute(arguments: arguments)
        for (position, item) in notice.items.enumerated() {
            try db.cachedStatement(sql: """
                INSERT INTO notice_items (notice_id, position, item_id, report_id, case_id, url, state, removed_at, body)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (notice_id, position) DO UPDATE SET state = excluded.state, removed_at = excluded.removed_at, body = excluded.body
                """).execute(arguments: [
                    notice.id, position, item.itemID, item.reportID, item.caseID, item.url, item.state.rawValue,
                    item.state == .removed ? item.removedAt.map(StoredDate.text) : nil, try StoredJSON.text(item),
                ])
        }
    }

    static func notice(_ row: Row, db: Database) throws -> Notice {
        var notice = try StoredJSON.value(Notice.self, row["body"])
        notice.items = try Row.fetchAll(db.cachedStatement(sql: "SELECT body FROM notice_items WHERE notice_id = ? ORDER BY position"), arguments: [notice.id]).map {
            try StoredJSON.value(NoticeItem.self, $0["body"])
        }
        return notice
    }
}

/// A row of `outbox`.
struct OutboxRow {
    static func save(_ message: OutboxMessage, db: Database) throws {
        try db.cachedStatement(sql: """
            INSERT INTO outbox (id, notice_id, purpose, channel, destinations, sender, message_id, secret_env, payload, status, attempts, next_attempt_at, last_error, delivered_at, receipt, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (id) DO UPDATE SET status = excluded.status, attempts = excluded.attempts, next_attempt_at = excluded.next_attempt_at,
                last_error = excluded.last_error, delivered_at = excluded.delivered_at, receipt = excluded.receipt, lease_until = NULL
            """).execute(arguments: [
                message.id, message.noticeID, message.purpose, message.channel.rawValue, try StoredJSON.text(message.destinations),
                message.sender, message.messageID, message.secretEnvironment, Data(message.payload), message.status.rawValue,
                message.attempts, StoredDate.text(message.nextAttemptAt), message.lastError, message.deliveredAt.map(StoredDate.text),
                message.receipt, StoredDate.text(message.createdAt),
            ])
    }

    static func message(_ row: Row) throws -> OutboxMessage {
        let payload: Data = row["payload"]
        let deliveredAt: String? = row["delivered_at"]
        return OutboxMessage(
            id: row["id"], noticeID: row["notice_id"], purpose: row["purpose"],
            channel: DeliveryChannel(rawValue: row["channel"]) ?? .email,
            destinations: try StoredJSON.value([String].self, row["destinations"]), sender: row["sender"],
            messageID: row["message_id"], secretEnvironment: row["secret_env"], payload: [UInt8](payload),
            status: OutboxStatus(rawValue: row["status"]) ?? .pending, attempts: row["attempts"],
            nextAttemptAt: StoredDate.date(row["next_attempt_at"]), lastError: row["last_error"],
            deliveredAt: deliveredAt.map(StoredDate.date), receipt: row["receipt"], createdAt: StoredDate.date(row["created_at"]))
    }
}

/// A row of `notice_events`.
struct NoticeEventRow {
    static func insert(_ event: NoticeEvent, db: Database) throws {
        try db.cachedStatement(sql: """
            INSERT INTO notice_events (id, notice_id, event, at, rule, actions, facts, rules_digest, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [
                event.id, event.noticeID, event.event, StoredDate.text(event.at), event.rule, event.actions?.serialized,
                event.facts?.serializedJSON, event.rulesDigest, event.detail,
            ])
    }

    static func event(_ row: Row) -> NoticeEvent {
        let actions: String? = row["actions"]
        return NoticeEvent(
            id: row["id"], noticeID: row["notice_id"], event: row["event"], at: StoredDate.date(row["at"]), rule: row["rule"],
            actions: actions.flatMap { try? JSONValue.parse($0) }, facts: nil, rulesDigest: row["rules_digest"], detail: row["detail"])
    }
}
