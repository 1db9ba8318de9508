import ArgumentParser
import Foundation
import HotlineCore

/// `hotline backup FILE`: an online copy of the SQLite store.
struct BackupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Copy the SQLite store to FILE with SQLite's online backup API, while the gateway keeps running.",
        discussion: """
            Prints the audit log's head at the time of the copy: after a restore, `hotline audit
            verify --expect-head HEAD` proves the restored log is the one backed up. PostgreSQL
            stores are backed up with pg_dump; see docs/operations.md for both, and for restoring.
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The new file (never overwritten).")
    var file: String

    func validate() throws {
        guard !FileManager.default.fileExists(atPath: file) else { throw ValidationError("\(file) exists; a backup never overwrites a file") }
    }

    func run() throws {
        let gateway = try global.assembly()
        let started = Date()
        let (counts, audit) = try Output.setup { try gateway.backup(to: file) }
        let size = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? 0
        let head = audit.head.map { "\($0.seq):\($0.chain)" } ?? "empty"
        Output.out(
            "backup: \(file) (\(size) bytes, \(String(format: "%.1f", Date().timeIntervalSince(started))) s): \(counts.reports) reports, audit \(audit.entries) entries, "
                + "\(audit.problems.isEmpty ? "chain intact" : "\(audit.problems.count) problem(s)"); head \(head)\n")
        try global.openStore(gateway).audit("backup", ["file": .string((file as NSString).lastPathComponent), "audit_head": .string(head)])
        if !audit.problems.isEmpty { throw ExitCode(1) }
    }
}
