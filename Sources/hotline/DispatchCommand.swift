import ArgumentParser
import Foundation
import HotlineCore

/// `hotline dispatch …`.
struct DispatchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dispatch", abstract: "What is decided but not yet sent.", subcommands: [Pending.self])

    /// `hotline dispatch pending`: why `hotline work` sent nothing yet.
    struct Pending: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the dispatch items waiting for their batch window or held for the police, with when each batch is due.",
            discussion: """
                One JSON object per item: url, case_id, kind, to, recipient, template, detection_method,
                deadline, batch_due_at (when the batch it is in goes: the window of its oldest item),
                due (whether that time has passed) and held. A summary on standard error.
                """)
        @OptionGroup var global: GlobalOptions
        @Option(help: "As of this time (RFC 3339); default now.")
        var at: String?

        func validate() throws { try ArgumentChecks.time(at) }

        func run() throws {
            let now = try at.map { try WorkCommand.parseTime($0) } ?? Date()
            let store = try global.openStore()
            let waiting = try store.waitingItems(limit: 100_000)
            let batches = DispatchBatch.batches(of: waiting)
            let groupDue = Dictionary(uniqueKeysWithValues: batches.map { ($0.key, $0.dueAt) })
            let held = try store.heldItems(limit: 100_000)
            for (item, isHeld) in waiting.map({ ($0, false) }) + held.map({ ($0, true) }) {
                var object: JSONObject = [
                    "url": .string(item.subject.url), "case_id": .string(item.subject.caseID), "kind": .string(item.kind.rawValue),
                    "to": .string(item.target.description),
                    "recipient": item.recipient.map { .string($0.name) } ?? .null, "template": .string(item.template),
                    "detection_method": .string(item.detectionMethod), "deadline": item.deadline.map { .string($0.description) } ?? .null,
                ]
                if isHeld {
                    object.append("held", .bool(true))
                    object.append("held_since", .string(RFC3339.format(item.createdAt)))
                } else {
                    let due = groupDue[item.batchKey] ?? item.dueAt
                    object.append("batch_due_at", .string(RFC3339.format(due)))
                    object.append("due", .bool(due <= now))
                    object.append("held", .bool(false))
                }
                Output.out(JSONValue.object(object).serialized + "\n")
            }
            let next = batches.map(\.dueAt).filter { $0 > now }.min()
            let dueNow = batches.filter { $0.dueAt <= now }.reduce(0) { $0 + $1.items.count }
            Output.err(
                "dispatch: \(waiting.count) waiting in \(batches.count) batch\(batches.count == 1 ? "" : "es") (\(dueNow) due now"
                    + (next.map { ", next at \(RFC3339.format($0))" } ?? "") + "), \(held.count) held for the police\n")
        }
    }
}
