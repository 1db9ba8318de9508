import ArgumentParser
import Foundation
import HotlineCore

/// `hotline holds add|list|end`: standing holds on a domain, a network, a contact or a case.
struct HoldsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "holds",
        abstract: "Standing holds: nothing goes out about a domain, network, contact or case until the hold ends.",
        discussion: """
            Items a hold covers wait in the outbox and are batched once when it ends (by its
            time, in the next dispatch pass, or by `holds end`). Rules see hold.* facts.
            """,
        subcommands: [Add.self, List.self, End.self]
    )

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Place a hold; prints it as JSON.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "A domain and every name under it.") var domain: String?
        @Option(help: "An IP range in CIDR notation.") var network: String?
        @Option(help: "A contact directory id.") var contact: String?
        @Option(name: .customLong("case"), help: "A case id.") var caseID: String?
        @Option(help: "When it ends: RFC 3339, or a duration from now such as 14d.") var until: String
        @Option(help: "Why (kept in the audit log; rules see hold.reason).") var reason: String
        @Flag(help: "Placed at the police's request.") var police = false
        @Option(help: "Act as if it were this time (RFC 3339).") var at: String?

        func validate() throws {
            let given = [domain, network, contact, caseID].compactMap { $0 }
            guard given.count == 1 else { throw ValidationError("give exactly one of --domain, --network, --contact, --case") }
            guard !reason.trimmingCharacters(in: .whitespaces).isEmpty else { throw ValidationError("--reason must not be empty") }
            try ArgumentChecks.time(at)
            guard TimeSpan(until) != nil || RFC3339.parse(until) != nil else {
                throw ValidationError("--until must be an RFC 3339 time or a duration such as 14d, got \(Quoted.text(until))")
            }
        }

        func run() throws {
            let gateway = try global.assembly()
            let store = try global.openStore(gateway)
            let time: any TimeSource = try at.map { try ShiftedTimeSource(start: WorkCommand.parseTime($0)) } ?? SystemTimeSource()
            let (scope, value): (StandingHold.Scope, String) =
                if let domain { (.domain, domain) } else if let network { (.network, network) } else if let contact { (.contact, contact) } else {
                    (.case, caseID ?? "")
                }
            do {
                let hold = try HoldDesk(store: store, time: time).place(
                    scope: scope, value: value, until: until, reason: reason, police: police, actor: GlobalOptions.actor)
                Output.out(hold.json(at: time.now()).serialized + "\n")
            } catch let error as HoldValueError {
                Output.err("hotline: \(error)\n")
                throw ExitCode(64)
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the holds, newest first, one JSON object per line.")
        @OptionGroup var global: GlobalOptions
        @Flag(help: "Only the holds in force.") var active = false
        @Option(help: "As of this time (RFC 3339) for --active.") var at: String?

        func validate() throws { try ArgumentChecks.time(at) }

        func run() throws {
            let store = try global.openStore()
            let now = try at.map { try WorkCommand.parseTime($0) } ?? Date()
            for hold in try store.holds(limit: 10_000) where !active || hold.isActive(at: now) {
                Output.out(hold.json(at: now).serialized + "\n")
            }
        }
    }

    struct End: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "End a hold now; what it held goes out with the next dispatch pass.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The hold's id.") var id: String
        @Option(help: "Act as if it were this time (RFC 3339).") var at: String?

        func validate() throws { try ArgumentChecks.time(at) }

        func run() throws {
            let store = try global.openStore()
            let time: any TimeSource = try at.map { try ShiftedTimeSource(start: WorkCommand.parseTime($0)) } ?? SystemTimeSource()
            guard try HoldDesk(store: store, time: time).release(id: id, actor: GlobalOptions.actor) else {
                Output.err("hotline: no hold \(Quoted.text(id)) in force\n")
                throw ExitCode(1)
            }
            Output.out("holds: \(id) ended\n")
        }
    }
}
