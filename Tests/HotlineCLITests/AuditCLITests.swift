import Foundation
import HotlineTesting
import Testing

@Suite(.serialized) struct AuditCLITests {
    func sql(_ database: String, _ statements: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "python3", "-c", "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.executescript(sys.argv[2]); c.commit()", database, statements,
        ]
        try process.run()
        process.waitUntilExit()
    }

    @Test func theHashChainShowsChangedRemovedAndTruncatedEntries() throws {
        let directory = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = directory.appendingPathComponent("data").path
        for _ in 0..<3 { _ = try CLI.run(["ingest", "--data-dir", data, "examples/reports.jsonl"]) }
        let intact = try CLI.run(["audit", "verify", "--data-dir", data])
        #expect(intact.status == 0)
        let head = try #require(intact.lines.last?.components(separatedBy: "head ").last)
        #expect(intact.lines.last == "audit: 3 entries, chain intact; head \(head)")
        #expect(try CLI.run(["audit", "verify", "--data-dir", data, "--expect-head", head]).status == 0)

        // Someone with the database file drops the guard and edits an entry.
        let database = data + "/hotline.sqlite"
        try sql(database, "DROP TRIGGER audit_log_append_only_update; UPDATE audit_log SET actor = 'someone-else' WHERE seq = 2;")
        let edited = try CLI.run(["audit", "verify", "--data-dir", data])
        #expect(edited.status == 1)
        #expect(edited.lines.first == "audit: entry 2 does not match the chain (changed, or an entry before it was changed or removed)")
        // ... and removes the last one.
        try sql(database, "DROP TRIGGER audit_log_append_only_delete; DELETE FROM audit_log WHERE seq = 3;")
        let truncated = try CLI.run(["audit", "verify", "--data-dir", data, "--expect-head", head])
        #expect(truncated.status == 1)
        #expect(truncated.lines.contains("audit: the log ends at entry 2, before the expected head 3: entries were removed from the end"))
    }
}

/// Issue 18.15: the backups docs/operations.md describes restore, and the restored audit log
/// is the one backed up (its chain intact up to the head printed at backup time).
@Suite(.serialized) struct BackupCLITests {
    @Test func anOnlineSQLiteBackupRestoresWithItsAuditChain() throws {
        let directory = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = directory.appendingPathComponent("data").path
        _ = try CLI.run(["ingest", "--data-dir", data, "examples/reports.jsonl"])
        _ = try CLI.run(["tokens", "create", "--role", "analyst", "--data-dir", data])
        let file = directory.appendingPathComponent("backup.sqlite").path
        let backup = try CLI.run(["backup", "--data-dir", data, file])
        #expect(backup.status == 0, "\(backup.stderr)")
        let head = try #require(backup.lines.last?.components(separatedBy: "head ").last)
        #expect(backup.lines.last?.contains(": 7 reports, audit 2 entries, chain intact; head ") == true, "\(backup.stdout)")
        // The gateway goes on after the backup (the backup itself is audited, in the live log only).
        _ = try CLI.run(["ingest", "--data-dir", data, "examples/reports.jsonl"])

        // Restore as docs/operations.md says: the file becomes a data directory's hotline.sqlite.
        let restored = directory.appendingPathComponent("restored").path
        try FileManager.default.createDirectory(atPath: restored, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: file, toPath: restored + "/hotline.sqlite")
        let verified = try CLI.run(["audit", "verify", "--data-dir", restored, "--expect-head", head])
        #expect(verified.status == 0, "\(verified.stdout)\(verified.stderr)")
        #expect(verified.lines.last == "audit: 2 entries, chain intact; head \(head)")
        // Everything came back: a backup of the restored store holds the same.
        let again = try CLI.run(["backup", "--data-dir", restored, directory.appendingPathComponent("again.sqlite").path])
        #expect(again.lines.last?.contains(": 7 reports, audit 2 entries, chain intact; head \(head)") == true, "\(again.stdout)\(again.stderr)")
        #expect(try CLI.run(["tokens", "list", "--data-dir", restored]).lines.count == 1)
        // The live log moved on; the backup's head is still in it.
        let live = try CLI.run(["audit", "verify", "--data-dir", data, "--expect-head", head])
        #expect(live.status == 0)
        #expect(live.lines.last?.hasPrefix("audit: 4 entries, chain intact") == true, "\(live.stdout)")
        // Never over an existing file.
        #expect(try CLI.run(["backup", "--data-dir", data, file]).status == 64)
    }

    @Test(.enabled(if: TestPostgres.available || TestPostgres.required))
    func aPgDumpRestoresWithItsAuditChain() throws {
        let server = try #require(TestPostgres.shared, "PostgreSQL did not start")
        let directory = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let variable = "HOTLINE_TEST_BACKUP_PASSWORD"
        func config(_ url: String) throws -> String {
            let path = directory.appendingPathComponent("hotline-\(url.split(separator: "/").last ?? "").yaml").path
            try """
            version: 1
            rules: \(CLI.root.appendingPathComponent("Rules").path)
            templates: \(CLI.root.appendingPathComponent("Config/templates").path)
            storage: { url: "\(url)", password_env: \(variable) }
            """.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }
        let environment = [variable: server.password]
        let original = try config(try server.createDatabase())
        _ = try CLI.run(["ingest", "--config", original, "examples/reports.jsonl"], environment: environment)
        _ = try CLI.run(["tokens", "create", "--config", original, "--role", "analyst"], environment: environment)
        let verified = try CLI.run(["audit", "verify", "--config", original], environment: environment)
        #expect(verified.status == 0, "\(verified.stderr)")
        let head = try #require(verified.lines.last?.components(separatedBy: "head ").last)
        #expect(try CLI.run(["backup", "--config", original, directory.appendingPathComponent("x").path], environment: environment).status == 2)

        #expect(verified.lines.last?.hasPrefix("audit: 2 entries, chain intact") == true, "\(verified.stdout)")
        let originalURL = try #require(try String(contentsOfFile: original, encoding: .utf8).components(separatedBy: "\"")[safe: 1])
        let dump = directory.appendingPathComponent("hotline.dump").path
        try server.dump(originalURL, to: dump)
        let copyURL = try server.createDatabase()
        try server.restore(dump, into: copyURL)
        let copy = try config(copyURL)
        let restored = try CLI.run(["audit", "verify", "--config", copy, "--expect-head", head], environment: environment)
        #expect(restored.status == 0, "\(restored.stdout)\(restored.stderr)")
        #expect(restored.lines.last == "audit: 2 entries, chain intact; head \(head)")
        #expect(try CLI.run(["tokens", "list", "--config", copy], environment: environment).lines.count == 1)
    }
}

extension Array {
    fileprivate subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}

@Suite(.serialized) struct PurgeCLITests {
    @Test func reporterContactsAreErasedAfterTheRetentionPeriodAndTheAuditLogSaysHowMany() throws {
        let directory = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = directory.appendingPathComponent("data").path
        _ = try CLI.run(
            ["ingest", "--data-dir", data, "--at", "2026-11-01T00:00:00Z", "-"],
            stdin: #"{"url":"https://example.com/p1","reporter":"person@example.org","received_at":"2026-11-01T00:00:00Z"}"# + "\n")
        _ = try CLI.run(
            ["ingest", "--data-dir", data, "--at", "2027-01-20T00:00:00Z", "-"],
            stdin: #"{"url":"https://example.com/p2","reporter":"other@example.org","received_at":"2027-01-20T00:00:00Z"}"# + "\n")
        let purge = try CLI.run(["purge", "--data-dir", data, "--at", "2027-02-01T00:00:00Z"])
        #expect(purge.status == 0)
        #expect(purge.stdout == "purge: erased 1 reporter contact(s) stored before 2026-11-03T00:00:00Z; 1 kept\n")
        #expect(try CLI.run(["audit", "verify", "--data-dir", data]).status == 0)
    }
}
