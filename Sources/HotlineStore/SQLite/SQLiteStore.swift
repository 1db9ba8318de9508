import Foundation
import GRDB
import HotlineCore
import HotlineHosting

/// The embedded store: SQLite through GRDB, in WAL mode with full sync, so a committed
/// batch survives a crash or power loss.
public final class SQLiteStore: SQLStore, Sendable {
    let pool: DatabasePool
    let checkpointer: WALCheckpointer
    /// Where ingest reads its next batch ahead.
    let snapshots: SnapshotReader

    /// Opens (creating and migrating as needed) the database at `path`.
    public convenience init(path: String) throws {
        try self.init(path: path, checkpointer: WALCheckpointer(path: path))
    }

    init(path: String, checkpointer: WALCheckpointer) throws {
        var configuration = Configuration()
        // The pool's connections hold the checkpointer through this closure, so it lives as long as they do.
        configuration.prepareDatabase { db in
            // FULL: the commit is on disk before write() returns, which is what lets ingest
            // acknowledge a report. Batching keeps this to one fsync per batch.
            try db.execute(sql: "PRAGMA synchronous = FULL")
            try db.execute(sql: "PRAGMA foreign_keys = ON")
            // Index lookups per report (open case by URL, client id) touch pages all over a
            // growing file: a 64 MiB page cache and memory-mapped reads keep them out of
            // read() system calls. Writes still go through the WAL.
            try db.execute(sql: "PRAGMA cache_size = -65536")
            try db.execute(sql: "PRAGMA mmap_size = 1073741824")
            // A multi-row INSERT keeps a statement journal of the pages it changes, to undo
            // itself alone on failure; past 64 KiB SQLite writes that to a temporary file,
            // which was 9% of an ingest batch's time in write(2). In memory it costs no call.
            try db.execute(sql: "PRAGMA temp_store = MEMORY")
            // Only the writer commits, so only its hook is ever called.
            checkpointer.install(on: db)
        }
        configuration.busyMode = .timeout(10)
        pool = try DatabasePool(path: path, configuration: configuration)
        self.checkpointer = checkpointer
        snapshots = SnapshotReader(path: path)
        try Migrations.migrate(pool)
        ExitCheckpoint.register(self)
    }

    deinit {
        ExitCheckpoint.unregister(self)
        checkpointer.close()
        snapshots.close()
    }

    /// Batches read their keys ahead (one writer: nothing to lock).
    public var usesIntakeKeys: Bool { true }

    /// Runs `body` in one write transaction, committed (durably) when it returns; an ingest
    /// batch's transaction can read the next batch ahead on the snapshot connection.
    public func write<T>(_ body: (SQLTransaction<Database>) throws -> T) throws -> T {
        try write(snapshots: snapshots, body)
    }

    /// Opens the store in `directory` (created if missing) as `hotline.sqlite`.
    public convenience init(directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try self.init(path: (directory as NSString).appendingPathComponent("hotline.sqlite"))
    }

    /// Runs `body` for reading.
    public func reading<T>(_ body: (Database) throws -> T) throws -> T {
        try pool.read(body)
    }

    /// One immediate transaction: SQLite has one writer at a time, and taking the lock at
    /// the start means a transaction never fails halfway for another writer.
    @discardableResult
    public func writing<T>(_ body: (Database) throws -> T) throws -> T {
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

extension SQLiteStore {
    /// Copies the database to a new file at `path` with SQLite's online backup API: a
    /// consistent snapshot while the gateway keeps running (writers wait only for the page
    /// copies, not for the whole backup), then checked with `PRAGMA integrity_check`.
    /// Refuses to overwrite a file.
    public func backup(to path: String) throws {
        guard !FileManager.default.fileExists(atPath: path) else {
            throw DatabaseError(resultCode: .SQLITE_CANTOPEN, message: "\(path) exists; a backup never overwrites a file")
        }
        let destination = try DatabaseQueue(path: path)
        try pool.backup(to: destination)
        let check = try destination.read { try String.fetchOne($0, sql: "PRAGMA integrity_check") }
        try destination.close()
        guard check == "ok" else {
            throw DatabaseError(resultCode: .SQLITE_CORRUPT, message: "the backup failed its integrity check: \(check ?? "no answer")")
        }
    }

    /// With a cursor: a million ranges are read without holding a million rows besides them.
    public func allIPRanges() throws -> [IPRange] {
        try pool.read { db in
            var ranges: [IPRange] = []
            let rows = try Row.fetchCursor(db, sql: "SELECT source, start_address, end_address, asn, country, description FROM ip_ranges")
            while let row = try rows.next() {
                guard let start = IPAddress(row[1] as String), let end = IPAddress(row[2] as String) else { continue }
                ranges.append(IPRange(start: start, end: end, info: IPRangeInfo(asn: row[3], country: row[4], description: row[5], source: row[0])))
            }
            return ranges
        }
    }
}
