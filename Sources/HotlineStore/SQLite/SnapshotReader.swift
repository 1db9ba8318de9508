import Foundation
import GRDB

/// A connection of its own on which the next ingest batch's keys are read while the writer
/// still writes the batch before, as the database stood when the writer began that batch.
///
/// Reading them ahead on the writer's connection was a tenth of the writing thread's time,
/// and the writer waited for the next batch's parse to know its keys. A read transaction
/// begun while the writer holds the write lock sees exactly the last commit before the
/// writer's transaction began (nobody else can commit meanwhile), whenever its queries run.
final class SnapshotReader: @unchecked Sendable {
    private let path: String
    private let lock = NSLock()
    private var connection: DatabaseQueue?
    /// A snapshot is open: one at a time on the one connection.
    private var busy = false
    private var closed = false

    init(path: String) { self.path = path }

    /// Pins the last commit. Call it inside a write transaction. Nil while the previous
    /// snapshot is still open, after ``close()``, or when the connection cannot be opened;
    /// the next batch is then read in its own transaction.
    func begin() -> Snapshot? {
        let connection: DatabaseQueue? = lock.withLock {
            guard !busy, !closed else { return nil }
            if self.connection == nil { self.connection = try? Self.open(path) }
            if self.connection != nil { busy = true }
            return self.connection
        }
        guard let connection else { return nil }
        do {
            try connection.inDatabase { db in
                try db.execute(sql: "BEGIN DEFERRED")
                // A deferred transaction takes its snapshot at its first read.
                _ = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM sqlite_schema")
            }
        } catch {
            try? connection.inDatabase { db in if db.isInsideTransaction { try db.execute(sql: "ROLLBACK") } }
            lock.withLock { busy = false }
            return nil
        }
        return Snapshot(connection: connection, reader: self)
    }

    /// Opens no further snapshot, and lets its connection close (at once, or when the open
    /// snapshot ends).
    func close() {
        lock.withLock {
            closed = true
            connection = nil
        }
    }

    fileprivate func ended() { lock.withLock { busy = false } }

    private static func open(_ path: String) throws -> DatabaseQueue {
        var configuration = Configuration()
        configuration.readonly = true
        // The snapshot's transaction spans two accesses, on two threads.
        configuration.allowsUnsafeTransactions = true
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA cache_size = -16384")
            try db.execute(sql: "PRAGMA mmap_size = 1073741824")
        }
        return try DatabaseQueue(path: path, configuration: configuration)
    }
}

/// A read transaction of ``SnapshotReader``'s connection: read once, then ended (or ended
/// when it is dropped unread, so the log can still be checkpointed past it).
final class Snapshot: @unchecked Sendable {
    private let connection: DatabaseQueue
    private let reader: SnapshotReader
    private let lock = NSLock()
    private var open = true

    fileprivate init(connection: DatabaseQueue, reader: SnapshotReader) {
        self.connection = connection
        self.reader = reader
    }

    /// Runs `body` in the snapshot, then ends it.
    func read<T>(_ body: (Database) throws -> T) throws -> T {
        guard lock.withLock({ open }) else { throw DetachedTransactionError() }
        defer { end() }
        return try connection.inDatabase(body)
    }

    deinit { end() }

    private func end() {
        let wasOpen = lock.withLock {
            defer { open = false }
            return open
        }
        guard wasOpen else { return }
        try? connection.inDatabase { db in if db.isInsideTransaction { try db.execute(sql: "COMMIT") } }
        reader.ended()
    }
}
