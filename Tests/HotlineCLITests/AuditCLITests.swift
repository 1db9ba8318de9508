import Foundation
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
