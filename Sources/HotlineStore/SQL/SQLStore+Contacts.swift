import Foundation
import HotlineCore

extension SQLStore {
    static func contactChange(_ row: some SQLRow) throws -> ContactChange {
        var abuse: [String] = []
        if case .array(let items)? = try? JSONValue.parse(Array(try row.text("abuse").utf8)) {
            abuse = items.compactMap { if case .string(let address) = $0 { address } else { nil } }
        }
        return ContactChange(
            id: try row.text("id"), org: try row.text("org"), tokenID: try row.text("token_id"), abuse: abuse, webhook: try row.optionalText("webhook"),
            language: try row.text("language"), status: ContactChange.Status(rawValue: try row.text("status")) ?? .pending,
            createdAt: StoredDate.date(try row.text("created_at")), decidedBy: try row.optionalText("decided_by"),
            decidedAt: try row.optionalText("decided_at").map(StoredDate.date), reason: try row.optionalText("reason"))
    }

    /// Stores a change with its audit entry.
    public func insertContactChange(_ change: ContactChange, audit: AuditEntry) throws {
        try writing { db in
            try db.execute(
                "INSERT INTO contact_changes (id, org, token_id, abuse, webhook, language, status, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    .text(change.id), .text(change.org), .text(change.tokenID), .text(JSONValue.array(change.abuse.map(JSONValue.string)).serialized),
                    .optional(change.webhook), .text(change.language), .text(change.status.rawValue), .text(StoredDate.text(change.createdAt)),
                ])
            try AuditRow(audit).insert(db)
        }
    }

    /// A change by id.
    public func contactChange(id: String) throws -> ContactChange? {
        try reading { try $0.row("SELECT * FROM contact_changes WHERE id = ?", [.text(id)]).map(Self.contactChange) }
    }

    /// Changes of an organisation, in a state, oldest first.
    public func contactChanges(org: String?, status: ContactChange.Status?, limit: Int) throws -> [ContactChange] {
        let (filter, values) = SQLFilter.equal(["org": org, "status": status?.rawValue])
        return try reading {
            try $0.rows("SELECT * FROM contact_changes \(filter) ORDER BY created_at, id LIMIT ?", values + [.int(limit)]).map(Self.contactChange)
        }
    }

    /// Decides a pending change; approved, counts a directory change.
    public func decideContactChange(_ change: ContactChange, audit: AuditEntry) throws -> Bool {
        try writing { db in
            guard
                try db.execute(
                    "UPDATE contact_changes SET status = ?, decided_by = ?, decided_at = ?, reason = ? WHERE id = ? AND status = 'pending'",
                    [
                        .text(change.status.rawValue), .optional(change.decidedBy), .optional(change.decidedAt.map(StoredDate.text)), .optional(change.reason),
                        .text(change.id),
                    ])
                    == 1
            else { return false }
            if change.status == .approved {
                try StoreGenerations.bump(StoreGenerations.contacts, in: db)
                // An approved change is a confirmation too.
                try Self.confirm(db, org: change.org, at: change.decidedAt ?? Date())
            }
            try AuditRow(audit).insert(db)
            return true
        }
    }

    /// How many times approved changes altered the directory.
    public func contactGeneration() throws -> Int {
        try reading { try StoreGenerations.value(StoreGenerations.contacts, in: $0) }
    }

    static func confirm(_ db: some SQLExecutor, org: String, at date: Date) throws {
        try db.execute(
            "INSERT INTO contact_confirmations (org, confirmed_at) VALUES (?, ?) ON CONFLICT (org) DO UPDATE SET confirmed_at = excluded.confirmed_at",
            [.text(org), .text(StoredDate.text(date))])
    }

    /// Records a confirmation.
    public func confirmContact(org: String, at date: Date) throws { try writing { try Self.confirm($0, org: org, at: date) } }

    /// Confirmations and reminders per organisation.
    public func contactConfirmations() throws -> [String: (confirmedAt: Date?, remindedAt: Date?)] {
        var result: [String: (confirmedAt: Date?, remindedAt: Date?)] = [:]
        for row in try reading({ try $0.rows("SELECT * FROM contact_confirmations", []) }) {
            result[try row.text("org")] = (try row.optionalText("confirmed_at").map(StoredDate.date), try row.optionalText("reminded_at").map(StoredDate.date))
        }
        return result
    }

    /// Marks a reminder once per confirmation, whatever the number of instances.
    public func markContactReminded(org: String, since: Date, at date: Date) throws -> Bool {
        try writing { db in
            try db.execute("INSERT INTO contact_confirmations (org) VALUES (?) ON CONFLICT (org) DO NOTHING", [.text(org)])
            return try db.execute(
                "UPDATE contact_confirmations SET reminded_at = ? WHERE org = ? AND (reminded_at IS NULL OR reminded_at < ?)",
                [.text(StoredDate.text(date)), .text(org), .text(StoredDate.text(since))]) == 1
        }
    }
}
