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
struct DispatchItemRow: InsertableRow {
    static let table = "dispatch_items"
    static let insertSQL = insertStatement()
    static let columns = ["id", "report_id", "case_id", "decision_id", "kind", "target", "batch_key", "status", "url", "created_at", "due_at", "body"]
    let item: DispatchItem
    var values: [SQLValue] {
        get throws {
            [
                .text(item.id), .text(item.subject.reportID), .text(item.subject.caseID), .text(item.subject.decisionID), .text(item.kind.rawValue),
                .text(item.target.description), .text(item.batchKey),
                .text(item.status.rawValue), .text(item.subject.url), .text(StoredDate.text(item.createdAt)), .text(StoredDate.text(item.dueAt)),
                .text(Self.body(item)),
            ]
        }
    }

    /// The item as `JSONEncoder` writes it through its `Codable` conformance (the subject's
    /// fields beside the item's, keys sorted, dates as ``StoredDate``), without the encoder:
    /// its boxing was 5% of an ingest's processor time, one item for about every four
    /// reports. `DispatchItemRowTests` checks that both give the same JSON, which
    /// `JSONDecoder` reads back.
    static func body(_ item: DispatchItem) -> String {
        var members: [(key: String, value: JSONValue)] = [
            ("reportID", .string(item.subject.reportID)), ("caseID", .string(item.subject.caseID)), ("decisionID", .string(item.subject.decisionID)),
            ("url", .string(item.subject.url)), ("host", .string(item.subject.host)),
            ("hashes", sorted(item.subject.hashes.map { ($0.key, .string($0.value)) })),
            ("id", .string(item.id)), ("kind", .string(item.kind.rawValue)), ("target", .string(item.target.description)),
            ("template", .string(item.template)), ("batchWindow", .number(Double(item.batchWindow.seconds))),
            ("detectionMethod", .string(item.detectionMethod)), ("status", .string(item.status.rawValue)),
            ("createdAt", .string(StoredDate.text(item.createdAt))), ("dueAt", .string(StoredDate.text(item.dueAt))),
        ]
        if let recipient = item.recipient {
            var fields: [(key: String, value: JSONValue)] = [
                ("target", .string(recipient.target.description)), ("name", .string(recipient.name)),
                ("addresses", .array(recipient.addresses.map(JSONValue.string))), ("language", .string(recipient.language)),
                ("channel", .string(recipient.channel.rawValue)),
            ]
            if let contactID = recipient.contactID { fields.append(("contactID", .string(contactID))) }
            if let endpoint = recipient.endpoint { fields.append(("endpoint", .string(endpoint))) }
            if let secret = recipient.secretEnvironment { fields.append(("secretEnvironment", .string(secret))) }
            members.append(("recipient", sorted(fields)))
        }
        if let deadline = item.deadline { members.append(("deadline", .number(Double(deadline.seconds)))) }
        if let reason = item.reason { members.append(("reason", .string(reason))) }
        var hosting: [(key: String, value: JSONValue)] = []
        if let ip = item.hosting.ip { hosting.append(("ip", .string(ip))) }
        if let asn = item.hosting.asn { hosting.append(("asn", .number(Double(asn)))) }
        if let country = item.hosting.country { hosting.append(("country", .string(country))) }
        if let org = item.hosting.org { hosting.append(("org", .string(org))) }
        if let email = item.hosting.abuseEmail { hosting.append(("abuseEmail", .string(email))) }
        members.append(("hosting", sorted(hosting)))
        if let classification = item.classification { members.append(("classification", .string(classification))) }
        if let parent = item.parentNoticeID { members.append(("parentNoticeID", .string(parent))) }
        return sorted(members).serialized
    }

    /// An object with its keys in `JSONEncoder`'s `.sortedKeys` order.
    private static func sorted(_ members: [(key: String, value: JSONValue)]) -> JSONValue {
        .object(JSONObject(members.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }))
    }

    static func item(_ row: some SQLRow) throws -> DispatchItem {
        var item = try StoredJSON.value(DispatchItem.self, try row.text("body"))
        // Status and due time change after insert; the columns are the truth.
        item.status = DispatchItem.Status(rawValue: try row.text("status")) ?? item.status
        item.dueAt = StoredDate.date(try row.text("due_at"))
        return item
    }
}

/// Rows of `notices` and `notice_items`.
struct NoticeRow {
    static func save(_ notice: Notice, db: some SQLExecutor, insert: Bool) throws {
        var header = notice
        header.items = []
        let first = notice.items.first?.hosting
        let arguments: [SQLValue] = [
            .text(notice.id), .text(notice.reference), .text(notice.kind.rawValue), .text(notice.recipient.target.description), .text(notice.recipient.name),
            .text(notice.recipient.channel.rawValue), .text(notice.status.rawValue), .text(StoredDate.text(notice.createdAt)),
            .optional(notice.sentAt.map(StoredDate.text)), .optional(notice.deadline.map(StoredDate.text)), .optional(notice.removedAt.map(StoredDate.text)),
            .int(notice.reminders), .optional(notice.nextDueAt.map(StoredDate.text)), .optional(first?.org), .optional(first?.asn), .optional(first?.country),
            .text(try StoredJSON.text(header)), .optional(notice.recipient.contactID), .optional(notice.escalatedTo),
            .optional(notice.acknowledgedAt.map(StoredDate.text)),
        ]
        try db.execute(
            """
            INSERT INTO notices (id, reference, kind, target, recipient, channel, status, created_at, sent_at, deadline, removed_at, reminders, next_due_at, hoster_org, hoster_asn, hoster_country, body, contact_id, escalated_to, acknowledged_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (id) DO UPDATE SET status = excluded.status, sent_at = excluded.sent_at, deadline = excluded.deadline,
                removed_at = excluded.removed_at, reminders = excluded.reminders, next_due_at = excluded.next_due_at, body = excluded.body,
                escalated_to = excluded.escalated_to, acknowledged_at = excluded.acknowledged_at, lease_until = NULL
            """, arguments)
        for (position, item) in notice.items.enumerated() {
            try db.execute(
                """
                INSERT INTO notice_items (notice_id, position, item_id, report_id, case_id, url, state, removed_at, body)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (notice_id, position) DO UPDATE SET state = excluded.state, removed_at = excluded.removed_at, body = excluded.body
                """,
                [
                    .text(notice.id), .int(position), .text(item.itemID), .text(item.subject.reportID), .text(item.subject.caseID), .text(item.subject.url),
                    .text(item.state.rawValue),
                    .optional(item.state == .removed ? item.removedAt.map(StoredDate.text) : nil), .text(try StoredJSON.text(item)),
                ])
        }
    }

    static func notice(_ row: some SQLRow, db: some SQLExecutor) throws -> Notice {
        var notice = try StoredJSON.value(Notice.self, try row.text("body"))
        notice.items = try db.rows("SELECT body FROM notice_items WHERE notice_id = ? ORDER BY position", [.text(notice.id)]).map {
            try StoredJSON.value(NoticeItem.self, try $0.text("body"))
        }
        return notice
    }
}

/// A row of `outbox`.
struct OutboxRow {
    static func save(_ message: OutboxMessage, db: some SQLExecutor) throws {
        try db.execute(
            """
            INSERT INTO outbox (id, notice_id, purpose, channel, destinations, sender, message_id, secret_env, payload, status, attempts, next_attempt_at, last_error, delivered_at, receipt, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (id) DO UPDATE SET status = excluded.status, attempts = excluded.attempts, next_attempt_at = excluded.next_attempt_at,
                last_error = excluded.last_error, delivered_at = excluded.delivered_at, receipt = excluded.receipt, lease_until = NULL
            """,
            [
                .text(message.id), .text(message.noticeID), .text(message.purpose), .text(message.channel.rawValue),
                .text(try StoredJSON.text(message.destinations)),
                .text(message.sender), .optional(message.messageID), .optional(message.secretEnvironment), .blob(message.payload),
                .text(message.status.rawValue),
                .int(message.attempts), .text(StoredDate.text(message.nextAttemptAt)), .optional(message.lastError),
                .optional(message.deliveredAt.map(StoredDate.text)),
                .optional(message.receipt), .text(StoredDate.text(message.createdAt)),
            ])
    }

    static func message(_ row: some SQLRow) throws -> OutboxMessage {
        OutboxMessage(
            id: try row.text("id"), noticeID: try row.text("notice_id"), purpose: try row.text("purpose"),
            channel: DeliveryChannel(rawValue: try row.text("channel")) ?? .email,
            destinations: try StoredJSON.value([String].self, try row.text("destinations")), sender: try row.text("sender"),
            messageID: try row.optionalText("message_id"), secretEnvironment: try row.optionalText("secret_env"), payload: try row.blob("payload"),
            status: OutboxStatus(rawValue: try row.text("status")) ?? .pending, attempts: try row.integer("attempts"),
            nextAttemptAt: StoredDate.date(try row.text("next_attempt_at")), lastError: try row.optionalText("last_error"),
            deliveredAt: try row.optionalText("delivered_at").map(StoredDate.date), receipt: try row.optionalText("receipt"),
            createdAt: StoredDate.date(try row.text("created_at")))
    }
}

/// A row of `notice_events`.
struct NoticeEventRow {
    static func insert(_ event: NoticeEvent, db: some SQLExecutor) throws {
        try db.execute(
            """
            INSERT INTO notice_events (id, notice_id, event, at, rule, actions, facts, rules_digest, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [
                .text(event.id), .text(event.noticeID), .text(event.event), .text(StoredDate.text(event.at)), .optional(event.rule),
                .optional(event.actions?.serialized),
                .optional(event.facts?.serializedJSON), .optional(event.rulesDigest), .text(event.detail),
            ])
    }

    static func event(_ row: some SQLRow) throws -> NoticeEvent {
        NoticeEvent(
            id: try row.text("id"), noticeID: try row.text("notice_id"), event: try row.text("event"), at: StoredDate.date(try row.text("at")),
            rule: try row.optionalText("rule"),
            actions: try row.optionalText("actions").flatMap { try? JSONValue.parse($0) }, facts: nil, rulesDigest: try row.optionalText("rules_digest"),
            detail: try row.optionalText("detail") ?? "")
    }
}
