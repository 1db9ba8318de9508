import ArgumentParser
import Foundation
import HotlineCore

/// `hotline audit verify`.
struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "The audit log's hash chain.",
        subcommands: [Verify.self]
    )

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Recompute the audit log's hash chain; exit 1 when an entry was changed or removed.",
            discussion:
                "Prints the head (last sequence number and chain value). Keep it somewhere else and pass it back with --expect-head to detect entries removed from the end as well."
        )
        @OptionGroup var global: GlobalOptions
        @Option(help: "SEQ:CHAIN printed by an earlier verify; the chain must still contain it.")
        var expectHead: String?

        func run() throws {
            let store = try global.openStore()
            let result = try store.verifyAuditLog()
            var problems = result.problems
            if let expectHead {
                let parts = expectHead.split(separator: ":", maxSplits: 1).map(String.init)
                guard parts.count == 2, let seq = Int64(parts[0]) else {
                    Output.err("hotline: --expect-head must be SEQ:CHAIN as printed by an earlier verify\n")
                    throw ExitCode(2)
                }
                if let head = result.head, head.seq < seq {
                    problems.append("the log ends at entry \(head.seq), before the expected head \(seq): entries were removed from the end")
                } else if try store.auditChain(seq: seq) != parts[1] {
                    problems.append("entry \(seq) no longer has the expected chain value")
                }
            }
            for problem in problems { Output.out("audit: \(problem)\n") }
            let head = result.head.map { "\($0.seq):\($0.chain)" } ?? "empty"
            Output.out("audit: \(result.entries) entries, \(problems.isEmpty ? "chain intact" : "\(problems.count) problem(s)"); head \(head)\n")
            if !problems.isEmpty { throw ExitCode(1) }
        }
    }
}
