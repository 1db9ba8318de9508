import Foundation
import HotlineCore
import Testing

@testable import HotlineStore

/// The embedded store's log is copied back into the database file off the writer's thread,
/// and by the writer itself when that falls behind. A committed page reaches the database
/// file only through a checkpoint, so the file's size shows whether one ran.
@Suite struct WALCheckpointerTests {
    /// Commits about 400 pages (1.6 MiB) of new rows in one transaction.
    private func writeRows(_ store: SQLiteStore) throws {
        try store.writing { db in
            try db.script("CREATE TABLE IF NOT EXISTS scratch (x BLOB)")
            for _ in 0..<400 { try db.execute("INSERT INTO scratch (x) VALUES (randomblob(4000))", []) }
        }
    }

    /// The path of a database file in a new directory, removed afterwards.
    private func withDatabasePath(_ body: (String) throws -> Void) throws {
        let directory = NSTemporaryDirectory() + "hotline-wal-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try body(directory + "/hotline.sqlite")
    }

    private func fileSize(_ path: String) throws -> Int {
        try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
    }

    @Test func aCommitPastTheThresholdIsCheckpointedInTheBackground() throws {
        try withDatabasePath { path in
            // SQLite's own autocheckpoint is replaced, and the inline one is out of reach: only the
            // background checkpoint can grow the file.
            let store = try SQLiteStore(path: path, checkpointer: WALCheckpointer(path: path, backgroundFrames: 50, inlineFrames: 1_000_000))
            let before = try fileSize(path)
            try writeRows(store)
            let deadline = Date().addingTimeInterval(20)
            while try fileSize(path) < before + 1_500_000, Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
            #expect(try fileSize(path) >= before + 1_500_000, "the log was not checkpointed within 20 s")
            #expect(try store.reading { try $0.row("SELECT COUNT(*) AS n FROM scratch", [])?.integer("n") } == 400)
        }
    }

    @Test func theWriterCheckpointsItselfWhenTheBackgroundOneDoesNotRun() throws {
        try withDatabasePath { path in
            let checkpointer = WALCheckpointer(path: path, backgroundFrames: 50, inlineFrames: 100)
            let store = try SQLiteStore(path: path, checkpointer: checkpointer)
            checkpointer.close()  // schedules nothing from now on
            let before = try fileSize(path)
            try writeRows(store)
            // The commit returned only after its own checkpoint: no waiting.
            #expect(try fileSize(path) >= before + 1_500_000)
        }
    }

    @Test func withNeitherThresholdReachedTheRowsStayInTheLog() throws {
        try withDatabasePath { path in
            let store = try SQLiteStore(path: path, checkpointer: WALCheckpointer(path: path, backgroundFrames: 1_000_000, inlineFrames: 1_000_000))
            let before = try fileSize(path)
            try writeRows(store)
            Thread.sleep(forTimeInterval: 0.2)
            // The control for the two above: SQLite's default would have checkpointed past 1,000 pages only.
            #expect(try fileSize(path) < before + 1_500_000)
            #expect(try fileSize(path + "-wal") >= 1_600_000)
        }
    }

    /// A command's process exits without closing its store: what it committed is copied into
    /// the database file and the log emptied, so the next process does not read through it.
    @Test func theLogIsCopiedBackAndEmptiedAtExitAndRemovedWhenTheStoreCloses() throws {
        try withDatabasePath { path in
            var store: SQLiteStore? = try SQLiteStore(
                path: path, checkpointer: WALCheckpointer(path: path, backgroundFrames: 1_000_000, inlineFrames: 1_000_000))
            let before = try fileSize(path)
            try writeRows(try #require(store))
            #expect(try fileSize(path + "-wal") >= 1_600_000)
            store?.truncateLog()
            #expect(try fileSize(path + "-wal") == 0)
            #expect(try fileSize(path) >= before + 1_500_000)
            try writeRows(try #require(store))
            #expect(try fileSize(path + "-wal") >= 1_600_000)
            // The snapshot reader's connection opened too.
            let followed = try store?.write { transaction in
                _ = try transaction.prepare(IntakeKeys(urls: ["https://example.com/"]), wait: false)
                return try transaction.follow() != nil
            }
            #expect(followed == true)
            // Closed, with the checkpointer's and the snapshot reader's connections too: SQLite
            // itself folds the log back and removes it.
            store = nil
            #expect(!FileManager.default.fileExists(atPath: path + "-wal"))
            #expect(try fileSize(path) >= before + 3_000_000)
            let reopened = try SQLiteStore(path: path)
            #expect(try reopened.reading { try $0.row("SELECT COUNT(*) AS n FROM scratch", [])?.integer("n") } == 800)
        }
    }
}
