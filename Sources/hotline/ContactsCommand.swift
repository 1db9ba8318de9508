import ArgumentParser
import Foundation
import HotlineCore

/// `hotline contacts pending|approve|reject`: hosters' own changes to their directory entries.
struct ContactsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "contacts",
        abstract: "Hosters' changes to their contact details (PUT /v1/provider/contact), waiting for an operator.",
        discussion: "An approved change overrides the directory file's abuse addresses, webhook and language; running gateways reload within seconds.",
        subcommands: [Pending.self, Approve.self, Reject.self]
    )

    struct Pending: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the changes waiting for approval, one JSON object per line.")
        @OptionGroup var global: GlobalOptions

        func run() throws {
            for change in try global.openStore().contactChanges(org: nil, status: .pending, limit: 10_000) { Output.out(change.json.serialized + "\n") }
        }
    }

    struct Approve: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Approve a change: it overrides the directory entry.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The change's id.") var id: String
        @Option(help: "Why (kept in the audit log).") var reason: String?

        func run() throws { try ContactsCommand.decide(global, id: id, approve: true, reason: reason) }
    }

    struct Reject: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Reject a change, with a reason.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The change's id.") var id: String
        @Option(help: "Why (the hoster sees it).") var reason: String

        func validate() throws {
            guard !reason.trimmingCharacters(in: .whitespaces).isEmpty else { throw ValidationError("--reason must not be empty") }
        }

        func run() throws { try ContactsCommand.decide(global, id: id, approve: false, reason: reason) }
    }

    static func decide(_ global: GlobalOptions, id: String, approve: Bool, reason: String?) throws {
        let store = try global.openStore()
        do {
            let change = try ContactChangeDesk(store: store, time: SystemTimeSource()).decide(
                id: id, approve: approve, reason: reason, actor: GlobalOptions.actor)
            Output.out(change.json.serialized + "\n")
        } catch let error as ContactChangeError {
            Output.err("hotline: \(error)\n")
            throw ExitCode(1)
        }
    }
}
