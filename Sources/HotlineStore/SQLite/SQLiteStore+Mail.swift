import Foundation
import GRDB
import HotlineCore

/// One line of the mail log.
public struct MailLogEntry: Hashable, Sendable {
    /// The mailbox's name.
    public var mailbox: String
    /// The Message-ID (or a digest of the message when it has none).
    public var messageKey: String
    /// The IMAP UID it had.
    public var uid: Int
    /// The sender.
    public var sender: String?
    /// `reports`, `ack`, `bounce`, `unclear`, `set-aside`.
    public var outcome: String
    /// What was done, or why it was set aside.
    public var detail: String
    /// When.
    public var handledAt: Date

    /// Creates an entry.
    public init(mailbox: String, messageKey: String, uid: Int, sender: String?, outcome: String, detail: String, handledAt: Date) {
        self.mailbox = mailbox
        self.messageKey = messageKey
        self.uid = uid
        self.sender = sender
        self.outcome = outcome
        self.detail = detail
        self.handledAt = handledAt
    }
}

extension SQLiteStore {
    /// Whether a message was handled already.
    public func mailHandled(mailbox: String, messageKey: String) throws -> Bool {
        try pool.read { db in try Int.fetchOne(db, sql: "SELECT 1 FROM mail_log WHERE mailbox = ? AND message_key = ?", arguments: [mailbox, messageKey]) != nil }
    }

    /// Records a handled message (idempotent).
    public func logMail(_ entry: MailLogEntry) throws {
        try writeTransaction { db in
            try db.execute(sql: "INSERT OR IGNORE INTO mail_log (mailbox, message_key, uid, sender, outcome, detail, handled_at) VALUES (?, ?, ?, ?, ?, ?, ?)", arguments: [
                entry.mailbox, entry.messageKey, entry.uid, entry.sender, entry.outcome, entry.detail, StoredDate.text(entry.handledAt),
            ])
        }
    }

    /// The mail log, newest first.
    public func mailLog(limit: Int) throws -> [MailLogEntry] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM mail_log ORDER BY handled_at DESC LIMIT ?", arguments: [limit]).map {
                MailLogEntry(mailbox: $0["mailbox"], messageKey: $0["message_key"], uid: $0["uid"], sender: $0["sender"], outcome: $0["outcome"], detail: $0["detail"], handledAt: StoredDate.date($0["handled_at"]))
            }
        }
    }

    /// The notice an outbox message with this Message-ID belongs to.
    public func noticeID(messageID: String) throws -> String? {
        try pool.read { db in try String.fetchOne(db, sql: "SELECT notice_id FROM outbox WHERE message_id = ?", arguments: [messageID]) }
    }

    /// Counts a bounce against an address.
    public func recordBounce(address: String, status: String, at date: Date) throws {
        try writeTransaction { db in
            try db.execute(sql: """
                INSERT INTO address_health (address, bounces, last_bounce_at, last_status) VALUES (?, 1, ?, ?)
                ON CONFLICT (address) DO UPDATE SET bounces = bounces + 1, last_bounce_at = excluded.last_bounce_at, last_status = excluded.last_status
                """, arguments: [address.lowercased(), StoredDate.text(date), status])
        }
    }

    /// Bounces per address.
    public func bounceCounts() throws -> [String: Int] {
        try pool.read { db in
            Dictionary(uniqueKeysWithValues: try Row.fetchAll(db, sql: "SELECT address, bounces FROM address_health").map { ($0[0] as String, $0[1] as Int) })
        }
    }
}
