import Foundation
import HotlineCore

/// A store on SQL: SQLite (embedded, one machine) or PostgreSQL (several instances). Both
/// give a way to read and a way to write in one transaction; every query is written once,
/// here and in ``StoreQueries``, against ``SQLExecutor``.
public protocol SQLStore: ReportStore, NoticeStore, HashListStore, IPRangeStore where Transaction == SQLTransaction<Executor> {
    /// How statements run.
    associatedtype Executor: SQLExecutor
    /// Runs `body` for reading.
    func reading<T>(_ body: (Executor) throws -> T) throws -> T
    /// Runs `body` in one write transaction: committed when it returns, rolled back when it throws.
    @discardableResult
    func writing<T>(_ body: (Executor) throws -> T) throws -> T
}

/// The ingest pipeline's transaction on either database.
public struct SQLTransaction<Executor: SQLExecutor>: ReportStoreTransaction {
    let db: Executor
    /// What ``prepare(_:wait:)`` read ahead for an ingest batch, and the writes it holds.
    private let readAhead = ReadAheadSlot()
    /// Made by ``follow()``: it answers from its read-ahead and buffers every write, and must
    /// never touch `db`, which belongs to the writing thread.
    let detached: Bool
    /// Where the next batch is read ahead (SQLite only).
    let snapshots: SnapshotReader?

    init(db: Executor, detached: Bool = false, snapshots: SnapshotReader? = nil) {
        self.db = db
        self.detached = detached
        self.snapshots = snapshots
    }

    /// `db`, for a statement now; a detached transaction has none to run.
    func direct() throws -> Executor {
        guard !detached else { throw DetachedTransactionError() }
        return db
    }

    /// The report stored earlier with this client id from this source, if any.
    public func existingReport(clientID: String, scope: String) throws -> ExistingReport? {
        guard
            var found = try readAhead.value?.existingReport(clientID: clientID, scope: scope)
                ?? StoreQueries.existingReport(direct(), clientID: clientID, scope: scope)
        else { return nil }
        // A decision of this transaction is written at its end; the encoder holds it till then.
        if let latest = readAhead.rows.summary(reportID: found.reportID) { found.decision = latest }
        return found
    }

    /// The open case whose first URL is this canonical URL, or that added it later, if any.
    public func openCase(url: String) throws -> CaseRecord? {
        if let known = readAhead.value?.openCase(url: url) { return known }
        let record = try StoreQueries.openCase(direct(), url: url)
        if let record { readAhead.value?.read(record) }
        return record
    }

    /// An open case whose reports carried one of these content hashes, if any.
    public func openCase(contentHashes: [(HashAlgorithm, String)]) throws -> CaseRecord? {
        if let known = readAhead.value?.openCase(contentHashes: contentHashes) { return known }
        let record = try StoreQueries.openCase(direct(), contentHashes: contentHashes)
        if let record { readAhead.value?.read(record) }
        return record
    }

    /// Records that a case also includes a URL besides its first (idempotent).
    public func addCaseURL(caseID: String, url: String) throws {
        if let buffer = readAhead.buffer { buffer.add(url: url, to: caseID) } else { try StoreQueries.addCaseURL(direct(), caseID: caseID, url: url) }
        readAhead.value?.added(url: url, to: caseID)
    }

    /// Records content hashes seen in a case (idempotent).
    public func addCaseHashes(caseID: String, hashes: [(HashAlgorithm, String)]) throws {
        if let buffer = readAhead.buffer {
            for hash in hashes { buffer.add(hash: hash, to: caseID) }
        } else {
            try StoreQueries.addCaseHashes(direct(), caseID: caseID, hashes: hashes)
        }
        readAhead.value?.added(hashes: hashes, to: caseID)
    }

    /// Stores a new case.
    public func insertCase(_ record: CaseRecord) throws {
        if let buffer = readAhead.buffer { buffer.insert(CaseRow(record)) } else { try CaseRow(record).insert(direct()) }
        readAhead.value?.inserted(record)
    }

    /// Updates a case's status, count and close time.
    public func updateCase(_ record: CaseRecord) throws {
        if let buffer = readAhead.buffer {
            // The difference to the count as read: every update of the case carries all of it.
            buffer.update(CaseRow(record), added: readAhead.value?.storedCount(of: record.id).map { record.reportCount - $0 })
        } else {
            try CaseRow(record).update(direct())
        }
        readAhead.value?.updated(record)
    }

    /// Closes an open case at `date`; written at once (the fetch service's transactions buffer nothing).
    public func closeCase(_ caseID: String, at date: Date) throws {
        try direct().execute(
            "UPDATE cases SET status = 'closed', closed_at = ? WHERE id = ? AND status = 'open'", [.text(StoredDate.text(date)), .text(caseID)])
    }

    /// Stores a report in a case.
    public func insertReport(_ report: Report, caseID: String) throws {
        if let buffer = readAhead.buffer {
            buffer.insert(
                ReportRow(report, caseID: caseID),
                contact: report.reporter.map { ReporterContactRow(report_id: report.id, contact: $0, stored_at: StoredDate.text(report.receivedAt)) })
        } else {
            try StoreQueries.insertReport(direct(), report, caseID: caseID)
        }
        readAhead.value?.inserted(report, caseID: caseID)
    }

    /// Stores a decision with its actions, trace and facts.
    public func insertDecision(_ decision: Decision) throws {
        readAhead.rows.add(decision)
    }

    /// Appends one entry to the audit chain. A buffered batch appends it after
    /// its rows: the chain's lock is held to commit, and taken before the rows it would
    /// serialize every instance's inserts behind it, not just the commits.
    public func appendAudit(_ entry: AuditEntry) throws {
        if let buffer = readAhead.buffer { buffer.append(AuditRow(entry)) } else { try AuditRow(entry).insert(direct()) }
    }

    /// Stores the dispatch items a decision asked for, in the decision's transaction.
    public func enqueueDispatch(_ items: [DispatchItem]) throws {
        for item in items { readAhead.rows.add(item) }
    }

    /// Stores a report's wait for evidence, in the transaction that stored the report.
    public func enqueueEvidence(_ task: EvidenceTask) throws {
        if let buffer = readAhead.buffer { buffer.insert(task) } else { try StoreQueries.enqueueEvidence(direct(), task) }
    }

    /// Marks a report's evidence task done; `false` when it was done already.
    public func completeEvidence(reportID: String, at date: Date) throws -> Bool {
        try StoreQueries.completeEvidence(direct(), reportID: reportID, at: date)
    }

    /// Writes what the batch buffered, and the decisions and dispatch items encoded meanwhile;
    /// the store calls it before committing.
    func finish() throws {
        let db = try direct()
        let rows = try readAhead.rows.finish()
        if let buffer = readAhead.buffer {
            buffer.insert(rows)
            try buffer.write(db)
            // Everything is written: the next batch, read ahead, may follow only this.
            readAhead.successor?.expected = try db.writeMark()
            // Freeing a batch's read-ahead and rows, thousands of small arrays and strings, was
            // 6% of the writing thread's time; the batch is done with them, so another core
            // frees them while this one commits.
            nonisolated(unsafe) let done = (readAhead.value, buffer)  // no other reference is left
            readAhead.value = nil
            readAhead.buffer = nil
            ReadAheadSlot.release.async { withExtendedLifetime(done) {} }
            return
        }
        for row in rows {
            switch row {
            case .decision(let values): try db.send(DecisionRow.insertSQL, values)
            case .item(let values): try db.send(DispatchItemRow.insertSQL, values)
            }
        }
    }

    /// Reads the batch's lookups ahead and buffers its writes. PostgreSQL first takes a
    /// transaction-level advisory lock per key, in one statement: waiting, in ascending order
    /// of the keys' 64-bit hashes; not waiting, with `pg_try_advisory_xact_lock`, answering the
    /// names of the keys it did not get (no one else can change the locked ones until the
    /// commit; what was read for a busy key goes unused). SQLite has one writer at a time, so
    /// every key is free.
    ///
    /// A detached transaction (``follow()``) reads them in its snapshot instead, as the batch
    /// it follows found the database, and takes every answer that batch read or changed from
    /// that batch, as its commit will leave it.
    public func prepare(_ keys: IntakeKeys, wait: Bool) throws -> Set<String> {
        if detached {
            guard let pending = readAhead.pending else { throw DetachedTransactionError() }
            readAhead.pending = nil
            let found = try pending.snapshot.read { try IntakeReadAhead(keys: keys, db: $0) }
            guard let next = pending.previous.overlaid(found, decided: pending.decided) else { throw DetachedTransactionError() }
            readAhead.value = next
            return []
        }
        let db = try direct()
        var busy: Set<String> = []
        if let session = db as? PostgresSession {
            let names = keys.lockNames
            guard !names.isEmpty else { return [] }
            let hashes = Set(names.map(Self.keyHash)).sorted()
            // The numbers are ours (hashes), so they go into the text; the subquery fixes the order.
            let array = "ARRAY[\(hashes.map(String.init).joined(separator: ","))]::bigint[]"
            if wait {
                try session.execute("SELECT COUNT(pg_advisory_xact_lock(k)) FROM (SELECT k FROM unnest(\(array)) AS k ORDER BY k) ordered", [])
            } else {
                let refused = Set(
                    try session.rows("SELECT k FROM unnest(\(array)) AS k WHERE NOT pg_try_advisory_xact_lock(k)", []).map { Int64(try $0.integer("k")) })
                busy = Set(names.filter { refused.contains(Self.keyHash($0)) })
            }
        }
        readAhead.value = try IntakeReadAhead(keys: keys, db: db)
        readAhead.buffer = IntakeWriteBuffer()
        return busy
    }

    /// A detached transaction for the next batch, to be decided on another thread while this
    /// one writes and commits: it holds a snapshot of the database as this transaction found
    /// it, begun now (this connection holds the write lock, so it is the last commit before
    /// this transaction), and this batch's read-ahead as its commit will leave it. Only where
    /// a connection can tell that nothing else wrote between two batches (SQLite, one writer
    /// at a time): PostgreSQL's other instances could.
    public func follow() throws -> SQLTransaction? {
        let db = try direct()
        // Only SQLite stores pass a snapshot reader.
        guard let current = readAhead.value, readAhead.buffer != nil, let snapshot = snapshots?.begin() else { return nil }
        let origin = AheadOrigin()
        readAhead.successor = origin
        let ahead = SQLTransaction(db: db, detached: true)
        // The verdicts are copied now: the encoder forgets them when this batch finishes.
        ahead.readAhead.pending = (snapshot, current, readAhead.rows.decided)
        ahead.readAhead.buffer = IntakeWriteBuffer()
        ahead.readAhead.origin = origin
        return ahead
    }

    /// Takes `ahead` over when the transaction that read it ahead committed and this
    /// connection's mark is still the one it left: no other connection committed (SQLite's
    /// `data_version`) and this one changed no row since (another transaction of this
    /// process on the same writer). Only first in a transaction, before anything is read ahead.
    public func adopt(_ ahead: SQLTransaction) throws -> Bool {
        let db = try direct()
        guard ahead.detached, readAhead.value == nil, readAhead.buffer == nil, let origin = ahead.readAhead.origin, origin.committed,
            let expected = origin.expected, try db.writeMark() == expected
        else { return false }
        readAhead.value = ahead.readAhead.value
        readAhead.buffer = ahead.readAhead.buffer
        readAhead.rows = ahead.readAhead.rows
        // Taken over once: a second transaction adopting it would write it twice.
        ahead.readAhead.origin = nil
        return true
    }

    /// Called once the transaction committed: a batch read ahead after it may now follow it.
    func committed() { readAhead.successor?.committed = true }

    /// FNV-1a, 64 bits: stable across processes and versions, unlike Swift's `hashValue`.
    static func keyHash(_ key: String) -> Int64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in key.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return Int64(bitPattern: hash)
    }
}

/// What one transaction keeps beside its statements (the transaction value itself is
/// immutable): an ingest batch's read-ahead and write buffer, and the rows encoded meanwhile.
final class ReadAheadSlot {
    /// Where finished batches' read-ahead and buffers are freed.
    static let release = DispatchQueue(label: "hotline.store.release", qos: .utility)
    var value: IntakeReadAhead?
    var buffer: IntakeWriteBuffer?
    var rows = DecisionRowEncoder()
    /// Set by ``SQLTransaction/follow()``: where this transaction tells the next batch's how
    /// it ended.
    var successor: AheadOrigin?
    /// In a detached transaction: the transaction it follows.
    var origin: AheadOrigin?
    /// In a detached transaction before ``SQLTransaction/prepare(_:wait:)``: its snapshot,
    /// and the read-ahead and verdicts of the batch it follows.
    var pending: (snapshot: Snapshot, previous: IntakeReadAhead, decided: [String: Verdict])?
}

/// How the transaction a batch was read ahead in ended, for ``SQLTransaction/adopt(_:)``;
/// written and read by the writing thread only.
final class AheadOrigin {
    /// The connection's mark once that transaction's writes were done.
    var expected: SQLWriteMark?
    /// Whether it committed; a rolled-back one leaves its mark, but not its writes.
    var committed = false
}

/// A transaction made by ``SQLTransaction/follow()`` was asked for something it did not read
/// ahead, or to run a statement (both need the writing thread's connection), or the batch
/// it follows changed what it read in a way that cannot be told without reading again. The
/// batch is then decided again in a transaction of its own.
struct DetachedTransactionError: Error, CustomStringConvertible {
    var description: String { "a batch decided ahead needed the database; it is decided again in its own transaction" }
}

// MARK: Reports

extension SQLStore {
    /// Runs `body` in one write transaction: committed (durably) when it returns, rolled back
    /// when it throws.
    public func write<T>(_ body: (SQLTransaction<Executor>) throws -> T) throws -> T {
        try write(snapshots: nil, body)
    }

    /// ``write(_:)``, whose transaction can read the next batch ahead on `snapshots`.
    func write<T>(snapshots: SnapshotReader?, _ body: (SQLTransaction<Executor>) throws -> T) throws -> T {
        let written = try writing { db in
            let transaction = SQLTransaction(db: db, snapshots: snapshots)
            let result = try body(transaction)
            try transaction.finish()
            return (result, transaction)
        }
        written.1.committed()
        return written.0
    }

    /// Row counts.
    public func counts() throws -> StoreCounts { try reading { try StoreQueries.counts($0) } }

    /// The stored report, if any.
    public func report(id: String) throws -> Report? { try reading { try StoreQueries.report($0, id: id) } }

    /// The decisions recorded for a report, oldest first.
    public func decisions(reportID: String) throws -> [DecisionSummary] { try reading { try StoreQueries.decisions($0, reportID: reportID) } }

    /// The recorded facts and trace of a report's decisions, for explaining a decision later.
    public func decisionRecords(reportID: String) throws -> [DecisionRecord] {
        try reading { try StoreQueries.decisionRecords($0, reportID: reportID) }
    }

    /// Runs raw SQL, one or several statements: for tests of the append-only triggers and for benchmark setup.
    public func execute(sql: String) throws {
        try writing { try $0.script(sql) }
    }
}

// MARK: Dispatch

extension SQLStore {
    /// Items waiting for their batch window (not held), oldest first.
    public func waitingItems(limit: Int) throws -> [DispatchItem] { try reading { try StoreQueries.waitingItems($0, limit: limit) } }

    /// Held items of every case, for `hotline notices held`.
    public func heldItems(limit: Int) throws -> [DispatchItem] { try reading { try StoreQueries.heldItems($0, limit: limit) } }

    /// The facts a decision saw, to re-decide or to decide a lifecycle event.
    public func decisionFacts(decisionID: String) throws -> Facts? {
        try reading { try StoreQueries.decisionFacts($0, decisionID: decisionID) }
    }

    /// Stores a new notice with its messages and marks `consumedItems` batched; throws
    /// ``StoreConflict`` when one of them is no longer waiting (another worker batched it).
    public func insertNotice(_ notice: Notice, messages: [OutboxMessage], consumedItems: [String], event: NoticeEvent?) throws {
        try writing { try StoreQueries.insertNotice($0, notice, messages: messages, consumedItems: consumedItems, event: event) }
    }

    /// Marks an item moved, stores the new decision for its report and the items it asked for.
    public func redecide(itemID: String, decision: Decision, newItems: [DispatchItem]) throws {
        try writing { try StoreQueries.redecide($0, itemID: itemID, decision: decision, newItems: newItems) }
    }

    /// Messages due for an attempt at `date`, oldest first, claimed until `leaseUntil`: while
    /// the lease runs, other workers (other gateway instances) skip them and their notices;
    /// saving the notice releases it, and a worker that died lets it lapse.
    public func claimDueMessages(at date: Date, limit: Int, leaseUntil: Date) throws -> [OutboxMessage] {
        try writing { try StoreQueries.claimDueMessages($0, at: date, limit: limit, leaseUntil: leaseUntil) }
    }

    /// Notices being followed up with a check or deadline due at `date`, claimed like messages.
    public func claimDueNotices(at date: Date, limit: Int, leaseUntil: Date) throws -> [Notice] {
        try writing { try StoreQueries.claimDueNotices($0, at: date, limit: limit, leaseUntil: leaseUntil) }
    }

    /// Writes a notice's new state together with a message update, new messages, new items,
    /// an event, and the cases to close.
    public func saveNotice(
        _ notice: Notice, updatedMessage: OutboxMessage?, newMessages: [OutboxMessage], newItems: [DispatchItem], event: NoticeEvent?, closingCases: [String],
        at date: Date
    ) throws {
        try writing {
            try StoreQueries.saveNotice(
                $0, notice, updatedMessage: updatedMessage, newMessages: newMessages, newItems: newItems, event: event, closingCases: closingCases, at: date)
        }
    }

    /// A notice by id or reference.
    public func notice(_ idOrReference: String) throws -> Notice? { try reading { try StoreQueries.notice($0, idOrReference) } }

    /// Notices, newest first, optionally of one status.
    public func notices(status: NoticeStatus?, limit: Int) throws -> [Notice] { try reading { try StoreQueries.notices($0, status: status, limit: limit) } }

    /// Outbox messages, newest first, optionally of one status.
    public func messages(status: OutboxStatus?, limit: Int) throws -> [OutboxMessage] {
        try reading { try StoreQueries.messages($0, status: status, limit: limit) }
    }

    /// The messages of one notice, oldest first.
    public func messages(noticeID: String) throws -> [OutboxMessage] { try reading { try StoreQueries.messages($0, noticeID: noticeID) } }

    /// A notice's events, oldest first.
    public func events(noticeID: String) throws -> [NoticeEvent] { try reading { try StoreQueries.events($0, noticeID: noticeID) } }

    /// Releases a case's held items (`police_first`) so they batch from `date`; returns how many.
    public func releaseHeldItems(caseID: String, at date: Date, actor: String) throws -> Int {
        try writing { try StoreQueries.releaseHeldItems($0, caseID: caseID, at: date, actor: actor) }
    }

    /// Pending evidence tasks, claimed until `leaseUntil`.
    public func claimEvidenceTasks(at date: Date, limit: Int, leaseUntil: Date) throws -> [EvidenceTask] {
        try writing { try StoreQueries.claimEvidenceTasks($0, at: date, limit: limit, leaseUntil: leaseUntil) }
    }

    /// Gives back claims not worked on.
    public func releaseEvidenceTasks(reportIDs: [String]) throws {
        guard !reportIDs.isEmpty else { return }
        try writing { db in
            for id in reportIDs { try db.execute("UPDATE evidence_tasks SET lease_until = NULL WHERE report_id = ? AND status = 'pending'", [.text(id)]) }
        }
    }

    /// How many reports wait for evidence.
    public func evidenceBacklog() throws -> Int {
        try reading { try $0.row("SELECT COUNT(*) AS n FROM evidence_tasks WHERE status = 'pending'", [])?.integer("n") ?? 0 }
    }

    /// Counts per status, for summaries: items, notices and messages.
    public func dispatchCounts() throws -> DispatchCounts { try reading { try StoreQueries.dispatchCounts($0) } }

    /// Notices to one organisation (a directory contact id), newest first.
    public func notices(contactID: String, limit: Int) throws -> [Notice] {
        try reading { db in
            try db.rows("SELECT body FROM notices WHERE contact_id = ? ORDER BY created_at DESC, id DESC LIMIT ?", [.text(contactID), .int(max(0, limit))]).map
            {
                try NoticeRow.notice($0, db: db)
            }
        }
    }
}

// MARK: Hash lists

extension SQLStore {
    /// Creates the list or updates its source and default classification.
    public func saveList(_ list: HashList) throws {
        let now = SQLValue.text(StoredDate.text(Date()))
        try writing {
            try $0.execute(
                """
                INSERT INTO hash_lists (name, source, default_classification, enabled, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (name) DO UPDATE SET source = excluded.source, default_classification = excluded.default_classification, updated_at = excluded.updated_at
                """, [.text(list.name), .text(list.source), .text(list.defaultClassification.rawValue), .int(list.enabled ? 1 : 0), now, now])
        }
    }

    /// The list named `name`.
    public func list(named name: String) throws -> HashList? {
        try reading { try $0.row("SELECT * FROM hash_lists WHERE name = ?", [.text(name)]).map(Self.hashList) }
    }

    static func hashList(_ row: some SQLRow) throws -> HashList {
        HashList(
            name: try row.text("name"), source: try row.text("source"),
            defaultClassification: HashClassification(rawValue: try row.text("default_classification")) ?? .unclassified,
            enabled: try row.integer("enabled") != 0)
    }

    /// Stores entries in a list: new ones added, changed classifications updated, retracted ones left retracted.
    public func importEntries(_ entries: [HashListEntry], into list: String) throws -> HashImportCounts {
        let now = SQLValue.text(StoredDate.text(Date()))
        return try writing { db in
            guard let listID = try db.row("SELECT id FROM hash_lists WHERE name = ?", [.text(list)]).map({ try $0.integer("id") }) else {
                throw NoSuchHashList(list)
            }
            var counts = HashImportCounts()
            // An entry listed twice counts once, with its last classification.
            var last: [String: Int] = [:]
            for (index, entry) in entries.enumerated() { last[entry.algorithm.rawValue + ":" + entry.value] = index }
            let unique = entries.enumerated().filter { last[$0.element.algorithm.rawValue + ":" + $0.element.value] == $0.offset }.map(\.element)
            // A thousand entries at a time: one statement finds which exist, one inserts the new.
            for start in stride(from: 0, to: unique.count, by: 1000) {
                let chunk = unique[start..<min(unique.count, start + 1000)]
                var stored: [String: String?] = [:]
                // One query per algorithm with `hash IN (…)`: the primary key answers it. A
                // row-value IN over VALUES made SQLite scan the whole list for every chunk, so
                // importing a million hashes took minutes and grew with the list.
                for (algorithm, group) in Dictionary(grouping: chunk, by: \.algorithm) {
                    let marks = Array(repeating: "?", count: group.count).joined(separator: ", ")
                    for row in try db.rows(
                        "SELECT algorithm, hash, classification FROM hash_entries WHERE list_id = ? AND algorithm = ? AND hash IN (\(marks))",
                        [.int(listID), .text(algorithm.rawValue)] + group.map { SQLValue.text($0.value) })
                    {
                        stored[try row.text("algorithm") + ":" + row.text("hash")] = .some(try row.optionalText("classification"))
                    }
                }
                var new: [[SQLValue]] = []
                for entry in chunk {
                    let classification = SQLValue.optional(entry.classification?.rawValue)
                    switch stored[entry.algorithm.rawValue + ":" + entry.value] {
                    case nil:
                        new.append([.int(listID), .text(entry.algorithm.rawValue), .text(entry.value), classification, now])
                    case .some(let current) where current == entry.classification?.rawValue:
                        counts.unchanged += 1
                    case .some:
                        try db.execute(
                            "UPDATE hash_entries SET classification = ? WHERE list_id = ? AND algorithm = ? AND hash = ?",
                            [classification, .int(listID), .text(entry.algorithm.rawValue), .text(entry.value)])
                        counts.updated += 1
                    }
                }
                if !new.isEmpty {
                    try db.execute(
                        "INSERT INTO hash_entries (list_id, algorithm, hash, classification, added_at) VALUES "
                            + Array(repeating: "(?, ?, ?, ?, ?)", count: new.count).joined(separator: ", "), Array(new.joined()))
                    counts.added += new.count
                }
            }
            counts.unchanged += entries.count - unique.count
            if counts.added + counts.updated > 0 { try StoreGenerations.bump(StoreGenerations.hashLists, in: db) }
            return counts
        }
    }

    /// Turns a list on or off; returns whether the list exists.
    public func setEnabled(_ enabled: Bool, list: String) throws -> Bool {
        try writing { db in
            let found =
                try db.execute(
                    "UPDATE hash_lists SET enabled = ?, updated_at = ? WHERE name = ?", [.int(enabled ? 1 : 0), .text(StoredDate.text(Date())), .text(list)])
                > 0
            if found { try StoreGenerations.bump(StoreGenerations.hashLists, in: db) }
            return found
        }
    }

    /// Marks a hash as a false positive in one list or all; returns how many entries were retracted.
    public func retract(_ algorithm: HashAlgorithm, _ value: String, list: String?, reason: String, at: Date) throws -> Int {
        try writing { db in
            var sql = "UPDATE hash_entries SET retracted_at = ?, retraction_reason = ? WHERE algorithm = ? AND hash = ? AND retracted_at IS NULL"
            var values: [SQLValue] = [.text(StoredDate.text(at)), .text(reason), .text(algorithm.rawValue), .text(value)]
            if let list {
                sql += " AND list_id = (SELECT id FROM hash_lists WHERE name = ?)"
                values.append(.text(list))
            }
            let retracted = try db.execute(sql, values)
            if retracted > 0 { try StoreGenerations.bump(StoreGenerations.hashLists, in: db) }
            return retracted
        }
    }

    /// Puts a hash on the allow-list: never a match, whatever list holds it.
    public func allow(_ algorithm: HashAlgorithm, _ value: String, reason: String, at: Date) throws {
        try writing { db in
            try db.execute(
                """
                INSERT INTO hash_allowlist (algorithm, hash, reason, added_at) VALUES (?, ?, ?, ?)
                ON CONFLICT (algorithm, hash) DO UPDATE SET reason = excluded.reason
                """, [.text(algorithm.rawValue), .text(value), .text(reason), .text(StoredDate.text(at))])
            try StoreGenerations.bump(StoreGenerations.hashLists, in: db)
        }
    }

    /// Visits every entry of every enabled list that is not retracted, for the in-memory
    /// index; a visitor rather than an array, since police lists run to tens of millions.
    public func forEachActiveEntry(_ body: (ActiveHashEntry) throws -> Void) throws {
        // In pages along the primary key, so ten million entries are never in memory as rows at once.
        var after: (list: Int, algorithm: String, hash: String) = (0, "", "")
        while true {
            let rows = try reading {
                try $0.rows(
                    """
                    SELECT e.list_id AS list_id, l.name AS list, e.algorithm AS algorithm, e.hash AS hash,
                           COALESCE(e.classification, l.default_classification) AS classification
                    FROM hash_entries e JOIN hash_lists l ON l.id = e.list_id
                    WHERE l.enabled = 1 AND e.retracted_at IS NULL AND (e.list_id, e.algorithm, e.hash) > (?, ?, ?)
                    ORDER BY e.list_id, e.algorithm, e.hash LIMIT 50000
                    """, [.int(after.list), .text(after.algorithm), .text(after.hash)])
            }
            guard let last = rows.last else { return }
            for row in rows {
                guard let algorithm = HashAlgorithm(rawValue: try row.text("algorithm")),
                    let classification = HashClassification(rawValue: try row.text("classification"))
                else { continue }
                try body(ActiveHashEntry(algorithm: algorithm, value: try row.text("hash"), list: try row.text("list"), classification: classification))
            }
            after = (try last.integer("list_id"), try last.text("algorithm"), try last.text("hash"))
        }
    }

    /// The allow-list.
    public func allowedHashes() throws -> [(algorithm: HashAlgorithm, value: String)] {
        try reading { try $0.rows("SELECT algorithm, hash FROM hash_allowlist", []) }.compactMap { row in
            guard let algorithm = HashAlgorithm(rawValue: try row.text("algorithm")) else { return nil }
            return (algorithm, try row.text("hash"))
        }
    }

    /// Entries per list and algorithm, retracted entries, and the allow-list's size.
    public func hashListStatistics() throws -> (lists: [HashListStatistics], allowed: Int) {
        try reading { db in
            var result: [HashListStatistics] = []
            for row in try db.rows("SELECT * FROM hash_lists ORDER BY name", []) {
                let id = SQLValue.int(try row.integer("id"))
                var entries: [HashAlgorithm: Int] = [:]
                for count in try db.rows(
                    "SELECT algorithm, COUNT(*) AS n FROM hash_entries WHERE list_id = ? AND retracted_at IS NULL GROUP BY algorithm", [id])
                {
                    if let algorithm = HashAlgorithm(rawValue: try count.text("algorithm")) { entries[algorithm] = try count.integer("n") }
                }
                let retracted = try db.row("SELECT COUNT(*) AS n FROM hash_entries WHERE list_id = ? AND retracted_at IS NOT NULL", [id])?.integer("n") ?? 0
                let videos = try db.row("SELECT COUNT(*) AS n FROM video_hashes WHERE list_id = ? AND retracted_at IS NULL", [id])?.integer("n") ?? 0
                result.append(HashListStatistics(list: try Self.hashList(row), entries: entries, retracted: retracted, videos: videos))
            }
            return (result, try db.row("SELECT COUNT(*) AS n FROM hash_allowlist", [])?.integer("n") ?? 0)
        }
    }
}

// MARK: IP ranges

extension SQLStore {
    /// Replaces every range of `source` with `ranges`.
    public func replaceIPRanges(source: String, with ranges: [IPRange]) throws {
        try writing { db in
            try db.execute("DELETE FROM ip_ranges WHERE source = ?", [.text(source)])
            for range in ranges {
                try db.execute(
                    "INSERT INTO ip_ranges (source, start_address, end_address, asn, country, description) VALUES (?, ?, ?, ?, ?, ?)",
                    [
                        .text(source), .text(range.start.description), .text(range.end.description), .optional(range.info.asn), .optional(range.info.country),
                        .optional(range.info.description),
                    ])
            }
        }
    }

    /// Every stored range.
    public func allIPRanges() throws -> [IPRange] {
        try reading { try $0.rows("SELECT source, start_address, end_address, asn, country, description FROM ip_ranges", []) }.compactMap { row in
            guard let start = IPAddress(try row.text("start_address")), let end = IPAddress(try row.text("end_address")) else { return nil }
            return IPRange(
                start: start, end: end,
                info: IPRangeInfo(
                    asn: try row.optionalInt("asn"), country: try row.optionalText("country"), description: try row.optionalText("description"),
                    source: try row.text("source")))
        }
    }

    /// Range counts per source.
    public func ipRangeSources() throws -> [(source: String, ranges: Int)] {
        try reading { try $0.rows("SELECT source, COUNT(*) AS n FROM ip_ranges GROUP BY source ORDER BY source", []) }.map {
            (try $0.text("source"), try $0.integer("n"))
        }
    }
}
