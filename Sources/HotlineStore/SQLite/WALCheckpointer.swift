import Foundation
import GRDB
import GRDBSQLite

/// Copies the write-ahead log back into the database file on another core, so the writer
/// does not.
///
/// SQLite's default is that the commit which takes the log past 1,000 pages checkpoints it
/// there and then: it writes those pages into the database file and syncs it, inside the
/// writer's commit. An ingest profile put 18% of the writing thread's time in that, while the
/// second core had room. Here the writer's commit only schedules a passive checkpoint on a
/// connection of its own, which runs beside the next batches (a passive checkpoint takes no
/// lock a writer needs). Should that fall behind, the writer still checkpoints itself at
/// ``inlineFrames``, as SQLite would, so the log cannot grow without bound.
///
/// Durability does not change: a commit is durable once its log frames are synced
/// (`synchronous = FULL`), checkpointed or not.
final class WALCheckpointer: @unchecked Sendable {
    /// The log size, in pages, at which a commit schedules a checkpoint: SQLite's own
    /// autocheckpoint threshold.
    static let backgroundFrames: Int32 = 1000
    /// The log size at which the writer checkpoints inline after all (64 MiB of 4 KiB pages).
    static let inlineFrames: Int32 = 16_000

    private let path: String
    private let backgroundFrames: Int32
    private let inlineFrames: Int32
    private let queue = DispatchQueue(label: "hotline.store.wal-checkpoint", qos: .utility)
    private let lock = NSLock()
    private var scheduled = false
    private var closed = false
    /// Opened on the first checkpoint; used only on `queue`.
    private var connection: DatabaseQueue?

    /// Tests pass smaller thresholds.
    init(path: String, backgroundFrames: Int32 = WALCheckpointer.backgroundFrames, inlineFrames: Int32 = WALCheckpointer.inlineFrames) {
        self.path = path
        self.backgroundFrames = backgroundFrames
        self.inlineFrames = inlineFrames
    }

    /// Makes `db`'s commits report the log's size here instead of checkpointing inline.
    /// The connection's configuration retains the checkpointer, so the unretained reference
    /// the hook holds is valid whenever it is called.
    func install(on db: Database) {
        sqlite3_wal_hook(db.sqliteConnection, walCommitHook, Unmanaged.passUnretained(self).toOpaque())
    }

    /// Stops scheduling, and closes its connection once a checkpoint under way is done (one
    /// queued finds it closed and returns): SQLite copies the log back and removes it only
    /// when the last connection closes.
    func close() {
        lock.withLock { closed = true }
        queue.sync { self.connection = nil }
    }

    /// Called by SQLite after each commit with the number of pages now in the log.
    fileprivate func committed(frames: Int32, db: OpaquePointer?, name: UnsafePointer<CChar>?) {
        if frames >= inlineFrames {
            // The same call SQLite's default hook makes; its failure does not fail the commit.
            _ = sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, nil, nil)
            return
        }
        guard frames >= backgroundFrames else { return }
        let schedule = lock.withLock {
            guard !scheduled, !closed else { return false }
            scheduled = true
            return true
        }
        if schedule { queue.async { self.checkpoint() } }
    }

    private func checkpoint() {
        let open = lock.withLock {
            scheduled = false
            return !closed
        }
        guard open else { return }  // close() releases the connection after this
        do {
            let connection = try self.connection ?? Self.open(path)
            self.connection = connection
            try connection.writeWithoutTransaction { try $0.execute(sql: "PRAGMA wal_checkpoint(PASSIVE)") }
        } catch {
            // Nothing is lost: the log still holds every commit, and the writer's inline
            // checkpoint at inlineFrames takes over. A new connection is tried next time.
            connection = nil
        }
    }

    private static func open(_ path: String) throws -> DatabaseQueue {
        var configuration = Configuration()
        configuration.prepareDatabase { db in
            // A checkpoint syncs the log before copying it and the database file after.
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        configuration.busyMode = .timeout(10)
        return try DatabaseQueue(path: path, configuration: configuration)
    }
}

/// SQLite's `sqlite3_wal_hook` callback: forwards to the checkpointer in `context`.
private func walCommitHook(_ context: UnsafeMutableRawPointer?, _ db: OpaquePointer?, _ name: UnsafePointer<CChar>?, _ frames: Int32) -> Int32 {
    guard let context else { return SQLITE_OK }
    Unmanaged<WALCheckpointer>.fromOpaque(context).takeUnretainedValue().committed(frames: frames, db: db, name: name)
    return SQLITE_OK
}
