import ArgumentParser
import Foundation
import HotlineApp
import HotlineCore

/// `hotline mail poll|log`.
struct MailCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mail",
        abstract: "Read the configured mailboxes: reports by mail, replies to notices, bounces.",
        subcommands: [Poll.self, Log.self]
    )

    struct Poll: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Read every configured mailbox (or one) until nothing unhandled is left; prints one JSON line per mailbox.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "Only this mailbox.")
        var mailbox: String?
        @Flag(help: "No DNS or RDAP lookups for the reports read.")
        var offline = false

        func run() throws {
            let gateway = try global.assembly(GatewayOverrides(offline: offline))
            let boxes = gateway.config.mailboxes.filter { mailbox == nil || $0.name == mailbox }
            guard !boxes.isEmpty else {
                Output.err("hotline: no mailbox\(mailbox.map { " named \($0)" } ?? "") in the config (mailboxes:)\n")
                throw ExitCode(2)
            }
            let store = try global.openStore(gateway)
            let runtime = try Output.setup { try gateway.runtime(store: store) }
            // Fault injection for the crash test: exit right after a message's effect is stored,
            // before the message is flagged handled.
            var afterEffect: (@Sendable () -> Void)?
            if ProcessInfo.processInfo.environment["HOTLINE_FAULT_EXIT_AFTER_MAIL"] != nil { afterEffect = { _exit(137) } }
            // And for the crash-loop test: die while handling a message, as a parser bug would.
            var beforeEffect: (@Sendable () -> Void)?
            if ProcessInfo.processInfo.environment["HOTLINE_FAULT_EXIT_IN_MAIL"] != nil { beforeEffect = { _exit(134) } }
            let processor = gateway.mailProcessor(runtime: runtime, afterEffect: afterEffect, beforeEffect: beforeEffect)
            var failed = false
            for box in boxes {
                do {
                    Output.out(try processor.poll(box).json.serialized + "\n")
                } catch {
                    Output.err("hotline: mailbox \(box.name): \(error)\n")
                    failed = true
                }
            }
            if failed { throw ExitCode(1) }
        }
    }

    struct Log: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "What was done with each message, newest first, one JSON object per line.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "At most this many.")
        var limit = 100

        func run() throws {
            for entry in try global.openStore().mailLog(limit: limit) {
                Output.out(
                    JSONValue.object([
                        "mailbox": .string(entry.mailbox), "message": .string(entry.messageKey), "uid": .number(Double(entry.uid)),
                        "sender": entry.sender.map(JSONValue.string) ?? .null, "outcome": .string(entry.outcome), "detail": .string(entry.detail),
                        "at": .string(RFC3339.format(entry.handledAt)),
                    ]).serialized + "\n")
            }
        }
    }
}
