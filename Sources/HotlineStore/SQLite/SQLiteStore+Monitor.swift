import Foundation
import GRDB
import HotlineCore

extension SQLiteStore {
    /// Every URL of the notices to hosters and of the forwards to partners and the police delivered in `[since, until)`, for the removal
    /// statistics. One pass over an index on `sent_at`; rows are decoded column by column,
    /// not through the JSON bodies, so a million URLs take about a second.
    public func noticeURLRows(since: Date, until: Date, threads: Int) throws -> [NoticeURLRow] {
        let range = [StoredDate.text(since), StoredDate.text(until)]
        let (low, high) = try rowidRange(
            sql: "SELECT MIN(rowid), MAX(rowid) FROM notices WHERE sent_at >= ? AND sent_at < ?", arguments: StatementArguments(range))
        // Ranges of notice rowids, concatenated in order, keep a notice's URLs together.
        return try readInRowidRanges(low: low, high: high, threads: threads) { db, from, to in
            try Self.noticeURLRows(
                db, condition: "n.rowid >= ? AND n.rowid < ? AND n.sent_at >= ? AND n.sent_at < ?",
                arguments: [from, to, range[0], range[1]])
        }.flatMap { $0 }
    }

    /// The URLs still online now of notices and forwards still followed, delivered before
    /// `until`: through the index on status, so only the open ones are read.
    public func openNoticeURLRows(until: Date) throws -> [NoticeURLRow] {
        try pool.read { db in
            try Self.noticeURLRows(
                db, condition: "n.status IN \(StoreQueries.openStatuses) AND i.removed_at IS NULL AND n.sent_at < ?",
                arguments: [StoredDate.text(until)])
        }
    }

    static func noticeURLRows(_ db: Database, condition: String, arguments: StatementArguments) throws -> [NoticeURLRow] {
        // Times come out of SQLite as Unix seconds (julianday), which is much cheaper than
        // parsing their text in Swift a million times.
        let rows = try Row.fetchCursor(
            db,
            sql: """
                SELECT n.rowid, n.reference, n.hoster_org, n.hoster_asn, n.hoster_country,
                       (julianday(n.sent_at) - 2440587.5) * 86400.0, (julianday(n.deadline) - 2440587.5) * 86400.0, n.reminders,
                       n.acknowledged_at IS NOT NULL, n.status, n.escalated_to IS NOT NULL, (julianday(i.removed_at) - 2440587.5) * 86400.0,
                       n.kind = 'forward', n.recipient, n.contact_id
                FROM notices n JOIN notice_items i ON i.notice_id = n.id
                WHERE \(condition) AND \(StoreQueries.followedNotices)
                ORDER BY n.rowid
                """, arguments: arguments)
        var result: [NoticeURLRow] = []
        var strings = SharedStrings()
        while let row = try rows.next() {
            let deadline: Double? = row[6]
            let removed: Double? = row[11]
            let forward: Bool = row[12]
            result.append(
                NoticeURLRow(
                    noticeKey: row[0], reference: row[1], org: strings.shared(row[2] ?? "unknown"), asn: row[3], country: row[4],
                    sentAt: Date(timeIntervalSince1970: row[5]), deadline: deadline.map { Date(timeIntervalSince1970: $0) }, reminders: row[7],
                    acknowledged: row[8], status: NoticeStatus(rawValue: row[9]) ?? .sent,
                    escalated: row[10], removedAt: removed.map { Date(timeIntervalSince1970: $0) }, kind: forward ? .forward : .notify,
                    recipient: strings.shared(row[13]), contactID: (row[14] as String?).map { strings.shared($0) }))
        }
        return result
    }
}

/// One stored intake decision, as replay reads it.
public struct StoredDecision: Sendable {
    /// The report.
    public var reportID: String
    /// The rule that decided.
    public var rule: String
    /// The outcome.
    public var outcome: String
    /// The actions, as stored JSON text.
    public var actions: String
    /// The facts, as stored JSON text.
    public var facts: String
}

extension SQLiteStore {
    /// Calls `body` with every decision taken at intake since `since`, oldest first, in
    /// batches of `batchSize` (so a caller can decide them on several threads).
    public func forEachIntakeDecision(since: Date, batchSize: Int = 4096, _ body: ([StoredDecision]) throws -> Void) throws {
        try pool.read { db in
            let rows = try Row.fetchCursor(
                db, sql: "SELECT report_id, rule, outcome, actions, facts FROM decisions WHERE trigger = 'intake' AND decided_at >= ? ORDER BY rowid",
                arguments: [StoredDate.text(since)])
            var batch: [StoredDecision] = []
            batch.reserveCapacity(batchSize)
            while let row = try rows.next() {
                batch.append(StoredDecision(reportID: row[0], rule: row[1], outcome: row[2], actions: row[3], facts: row[4]))
                if batch.count == batchSize {
                    try body(batch)
                    batch.removeAll(keepingCapacity: true)
                }
            }
            if !batch.isEmpty { try body(batch) }
        }
    }
}

extension SQLiteStore {
    /// Replays every intake decision since `since` under `ruleSet` on all cores: the rows are
    /// split by rowid into one range per thread, each read on its own connection and decided
    /// there, and the results merged.
    public func replay(ruleSet: RuleSet, since: Date, keep: Int, threads: Int) throws -> RuleReplay {
        let sinceText = StoredDate.text(since)
        let (low, high) = try rowidRange(
            sql: "SELECT MIN(rowid), MAX(rowid) FROM decisions WHERE trigger = 'intake' AND decided_at >= ?", arguments: [sinceText])
        let parts = try readInRowidRanges(low: low, high: high, threads: threads) { db, from, to in
            var replay = RuleReplay(ruleSet: ruleSet, keep: keep)
            let rows = try Row.fetchCursor(
                db,
                sql: "SELECT report_id, rule, outcome, actions, facts FROM decisions WHERE rowid >= ? AND rowid < ? AND trigger = 'intake' AND decided_at >= ?",
                arguments: [from, to, sinceText])
            while let row = try rows.next() {
                replay.replay(reportID: row[0], rule: row[1], outcome: row[2], actions: row[3], facts: row[4])
            }
            return replay
        }
        var result = RuleReplay(ruleSet: ruleSet, keep: keep)
        for part in parts { result.merge(part) }
        return result
    }

    /// The lowest and highest rowid a `SELECT MIN(rowid), MAX(rowid) …` finds; high < low when none.
    func rowidRange(sql: String, arguments: StatementArguments) throws -> (low: Int64, high: Int64) {
        try pool.read { db in
            let row = try Row.fetchOne(db, sql: sql, arguments: arguments)
            return ((row?[0] as Int64?) ?? 0, (row?[1] as Int64?) ?? -1)
        }
    }

    /// Runs `body` on `threads` slices of the rowids `low...high` at once, each on its own read
    /// connection; the results in slice order, or the first error.
    func readInRowidRanges<T: Sendable>(low: Int64, high: Int64, threads: Int, _ body: @escaping @Sendable (Database, Int64, Int64) throws -> T) throws -> [T] {
        guard high >= low else { return [] }
        let threads = max(1, threads)
        let span = (high - low + Int64(threads)) / Int64(threads)
        let results = LockedSlots<Result<T, any Error>>(count: threads)
        DispatchQueue.concurrentPerform(iterations: threads) { thread in
            let from = low + Int64(thread) * span
            let to = min(high + 1, from + span)
            results.put(thread, Result { try pool.read { db in try body(db, from, to) } })
        }
        return try results.all.map { try $0!.get() }
    }
}
