import Foundation
import GRDB
import HotlineCore

extension SQLiteStore.Transaction {
    /// Stores the dispatch items a decision asked for, in the decision's transaction.
    public func enqueueDispatch(_ items: [DispatchItem]) throws {
        for item in items { try DispatchItemRow.insert(item, db: db) }
    }
}

extension SQLiteStore: NoticeStore {
    public func waitingItems(limit: Int) throws -> [DispatchItem] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT body, status, due_at FROM dispatch_items WHERE status = 'waiting' ORDER BY due_at LIMIT ?", arguments: [limit]).map(DispatchItemRow.item)
        }
    }

    public func decisionFacts(decisionID: String, schema: FieldSchema) throws -> Facts? {
        try pool.read { db in
            try String.fetchOne(db.cachedStatement(sql: "SELECT facts FROM decisions WHERE id = ?"), arguments: [decisionID]).map { Facts(storedJSON: $0, schema: schema) }
        }
    }

    public func insertNotice(_ notice: Notice, messages: [OutboxMessage], consumedItems: [String], event: NoticeEvent?) throws {
        try writeTransaction { db in
            try NoticeRow.save(notice, db: db, insert: true)
            for message in messages { try OutboxRow.save(message, db: db) }
            for id in consumedItems {
                try db.cachedStatement(sql: "UPDATE dispatch_items SET status = 'batched', notice_id = ? WHERE id = ? AND status = 'waiting'").execute(arguments: [notice.id, id])
                guard db.changesCount == 1 else { throw StoreConflict("dispatch item \(id) was no longer waiting") }
            }
            if let event { try NoticeEventRow.insert(event, db: db) }
        }
    }

    public func redecide(itemID: String, decision: Decision, newItems: [DispatchItem]) throws {
        try writeTransaction { db in
            try db.execute(sql: "UPDATE dispatch_items SET status = 'moved' WHERE id = ? AND status = 'waiting'", arguments: [itemID])
            guard db.changesCount == 1 else { throw StoreConflict("dispatch item \(itemID) was no longer waiting") }
            try DecisionRow(decision).insert(db)
            for item in newItems { try DispatchItemRow.insert(item, db: db) }
        }
    }

    public func claimDueMessages(at date: Date, limit: Int, leaseUntil: Date) throws -> [OutboxMessage] {
        try writeTransaction { db in
            let now = StoredDate.text(date)
            let rows = try Row.fetchAll(db, sql: SQLClaims.dueMessages, arguments: [now, now, now, limit])
            for row in rows {
                try db.execute(sql: SQLClaims.leaseMessage, arguments: [StoredDate.text(leaseUntil), row["id"] as String])
                try db.execute(sql: SQLClaims.leaseNotice, arguments: [StoredDate.text(leaseUntil), row["notice_id"] as String])
            }
            return try rows.map(OutboxRow.message)
        }
    }

    public func claimDueNotices(at date: Date, limit: Int, leaseUntil: Date) throws -> [Notice] {
        try writeTransaction { db in
            let now = StoredDate.text(date)
            let rows = try Row.fetchAll(db, sql: SQLClaims.dueNotices, arguments: [now, now, limit])
            for row in rows { try db.execute(sql: SQLClaims.leaseNotice, arguments: [StoredDate.text(leaseUntil), row["id"] as String]) }
            return try rows.map { try NoticeRow.notice($0, db: db) }
        }
    }

    public func saveNotice(_ notice: Notice, updatedMessage: OutboxMessage?, newMessages: [OutboxMessage], newItems: [DispatchItem], event: NoticeEvent?, closingCases: [String], at date: Date) throws {
        try writeTransaction { db in
            try NoticeRow.save(notice, db: db, insert: false)
            if let updatedMessage { try OutboxRow.save(updatedMessage, db: db) }
            for message in newMessages { try OutboxRow.save(message, db: db) }
            for item in newItems { try DispatchItemRow.insert(item, db: db) }
            if let event { try NoticeEventRow.insert(event, db: db) }
            for caseID in closingCases {
                try db.execute(sql: "UPDATE cases SET status = 'closed', closed_at = ? WHERE id = ? AND status = 'open'", arguments: [StoredDate.text(date), caseID])
            }
        }
    }

    public func notice(_ idOrReference: String) throws -> Notice? {
        try pool.read { db in
            try Row.fetchOne(db, sql: "SELECT body FROM notices WHERE id = ? OR reference = ?", arguments: [idOrReference, idOrReference.uppercased()]).map { try NoticeRow.notice($0, db: db) }
        }
    }

    public func notices(status: NoticeStatus?, limit: Int) throws -> [Notice] {
        try pool.read { db in
            let rows: [Row]
            if let status {
                rows = try Row.fetchAll(db, sql: "SELECT body FROM notices WHERE status = ? ORDER BY created_at DESC, id DESC LIMIT ?", arguments: [status.rawValue, limit])
            } else {
                rows = try Row.fetchAll(db, sql: "SELECT body FROM notices ORDER BY created_at DESC, id DESC LIMIT ?", arguments: [limit])
            }
            return try rows.map { try NoticeRow.notice($0, db: db) }
        }
    }

    public func messages(status: OutboxStatus?, limit: Int) throws -> [OutboxMessage] {
        try pool.read { db in
            if let status {
                return try Row.fetchAll(db, sql: "SELECT * FROM outbox WHERE status = ? ORDER BY created_at DESC, id DESC LIMIT ?", arguments: [status.rawValue, limit]).map(OutboxRow.message)
            }
            return try Row.fetchAll(db, sql: "SELECT * FROM outbox ORDER BY created_at DESC, id DESC LIMIT ?", arguments: [limit]).map(OutboxRow.message)
        }
    }

    public func messages(noticeID: String) throws -> [OutboxMessage] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM outbox WHERE notice_id = ? ORDER BY created_at, id", arguments: [noticeID]).map(OutboxRow.message)
        }
    }

    public func events(noticeID: String) throws -> [NoticeEvent] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM notice_events WHERE notice_id = ? ORDER BY at, rowid", arguments: [noticeID]).map(NoticeEventRow.event)
        }
    }

    public func releaseHeldItems(caseID: String, at date: Date, actor: String) throws -> Int {
        try writeTransaction { db in
            try db.execute(sql: "UPDATE dispatch_items SET status = 'waiting', due_at = ? WHERE case_id = ? AND status = 'held'", arguments: [StoredDate.text(date), caseID])
            let released = db.changesCount
            if released > 0 {
                try AuditRow(AuditEntry(at: date, actor: actor, event: "dispatch.released", subject: caseID, detail: ["items": .number(Double(released))])).insert(db)
            }
            return released
        }
    }

    public func dispatchCounts() throws -> DispatchCounts {
        try pool.read { db in
            func counts(_ sql: String) throws -> [String: Int] {
                Dictionary(uniqueKeysWithValues: try Row.fetchAll(db, sql: sql).map { ($0[0] as String, $0[1] as Int) })
            }
            return DispatchCounts(
                items: try counts("SELECT status, COUNT(*) FROM dispatch_items GROUP BY status"),
                notices: try counts("SELECT status, COUNT(*) FROM notices GROUP BY status"),
                messages: try counts("SELECT status, COUNT(*) FROM outbox GROUP BY status"))
        }
    }

    /// Held items of every case, for `hotline notices held`.
    public func heldItems(limit: Int) throws -> [DispatchItem] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT body, status, due_at FROM dispatch_items WHERE status = 'held' ORDER BY created_at LIMIT ?", arguments: [limit]).map(DispatchItemRow.item)
        }
    }

    func writeTransaction<T>(_ body: (Database) throws -> T) throws -> T {
        try pool.writeWithoutTransaction { db in
            var result: T?
            try db.inTransaction(.immediate) {
                result = try body(db)
                return .commit
            }
            return result!
        }
    }
}
