import Foundation
import GRDB
import HotlineCore

extension SQLiteStore: NoticeStore {
    public func waitingItems(limit: Int) throws -> [DispatchItem] {
        try pool.read { db in try StoreQueries.waitingItems(db, limit: limit) }
    }

    public func decisionFacts(decisionID: String, schema: FieldSchema) throws -> Facts? {
        try pool.read { db in try StoreQueries.decisionFacts(db, decisionID: decisionID, schema: schema) }
    }

    public func insertNotice(_ notice: Notice, messages: [OutboxMessage], consumedItems: [String], event: NoticeEvent?) throws {
        try writeTransaction { db in try StoreQueries.insertNotice(db, notice, messages: messages, consumedItems: consumedItems, event: event) }
    }

    public func redecide(itemID: String, decision: Decision, newItems: [DispatchItem]) throws {
        try writeTransaction { db in try StoreQueries.redecide(db, itemID: itemID, decision: decision, newItems: newItems) }
    }

    public func claimDueMessages(at date: Date, limit: Int, leaseUntil: Date) throws -> [OutboxMessage] {
        try writeTransaction { db in try StoreQueries.claimDueMessages(db, at: date, limit: limit, leaseUntil: leaseUntil) }
    }

    public func claimDueNotices(at date: Date, limit: Int, leaseUntil: Date) throws -> [Notice] {
        try writeTransaction { db in try StoreQueries.claimDueNotices(db, at: date, limit: limit, leaseUntil: leaseUntil) }
    }

    public func saveNotice(_ notice: Notice, updatedMessage: OutboxMessage?, newMessages: [OutboxMessage], newItems: [DispatchItem], event: NoticeEvent?, closingCases: [String], at date: Date) throws {
        try writeTransaction { db in
            try StoreQueries.saveNotice(db, notice, updatedMessage: updatedMessage, newMessages: newMessages, newItems: newItems, event: event, closingCases: closingCases, at: date)
        }
    }

    public func notice(_ idOrReference: String) throws -> Notice? {
        try pool.read { db in try StoreQueries.notice(db, idOrReference) }
    }

    public func notices(status: NoticeStatus?, limit: Int) throws -> [Notice] {
        try pool.read { db in try StoreQueries.notices(db, status: status, limit: limit) }
    }

    public func messages(status: OutboxStatus?, limit: Int) throws -> [OutboxMessage] {
        try pool.read { db in try StoreQueries.messages(db, status: status, limit: limit) }
    }

    public func messages(noticeID: String) throws -> [OutboxMessage] {
        try pool.read { db in try StoreQueries.messages(db, noticeID: noticeID) }
    }

    public func events(noticeID: String) throws -> [NoticeEvent] {
        try pool.read { db in try StoreQueries.events(db, noticeID: noticeID) }
    }

    public func releaseHeldItems(caseID: String, at date: Date, actor: String) throws -> Int {
        try writeTransaction { db in try StoreQueries.releaseHeldItems(db, caseID: caseID, at: date, actor: actor) }
    }

    public func dispatchCounts() throws -> DispatchCounts {
        try pool.read { db in try StoreQueries.dispatchCounts(db) }
    }

    /// Held items of every case, for `hotline notices held`.
    public func heldItems(limit: Int) throws -> [DispatchItem] {
        try pool.read { db in try StoreQueries.heldItems(db, limit: limit) }
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
