import ArgumentParser
import Foundation
import HotlineCore

/// `hotline notices list|show|held|release`.
struct NoticesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "notices",
        abstract: "Notices and forwards: what was sent to whom, and what became of it.",
        subcommands: [List.self, Show.self, Held.self, Release.self]
    )

    /// One line of JSON per notice, newest first.
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List notices, newest first, one JSON object per line.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "Only this status: \(NoticeStatus.allCases.map(\.rawValue).joined(separator: ", ")).")
        var status: String?
        @Option(help: "At most this many.")
        var limit = 100

        func run() throws {
            var wanted: NoticeStatus?
            if let status {
                guard let parsed = NoticeStatus(rawValue: status) else {
                    Output.err(
                        "hotline: --status must be one of \(NoticeStatus.allCases.map(\.rawValue).joined(separator: ", ")), got \(JSONValue.string(status).serialized)\n"
                    )
                    throw ExitCode(2)
                }
                wanted = parsed
            }
            let store = try global.openStore()
            for notice in try store.notices(status: wanted, limit: limit) {
                Output.out(JSONValue.object(NoticeJSON.summary(notice)).serialized + "\n")
            }
        }
    }

    /// A notice with its URLs, messages and events.
    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one notice (by id or reference) with its URLs, messages and events.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The notice's id or reference (HG-…).")
        var notice: String
        @Flag(help: "Also print each message as sent (headers and body).")
        var raw = false

        func run() throws {
            let store = try global.openStore()
            guard let found = try store.notice(notice) else {
                Output.err("hotline: no notice \(JSONValue.string(notice).serialized)\n")
                throw ExitCode(1)
            }
            var object = NoticeJSON.summary(found)
            object.append("items", .array(found.items.map(NoticeJSON.item)))
            let messages = try store.messages(noticeID: found.id)
            object.append("messages", .array(messages.map { .object(NoticeJSON.message($0, raw: raw)) }))
            object.append("events", .array(try store.events(noticeID: found.id).map(NoticeJSON.event)))
            Output.out(JSONValue.object(object).serialized + "\n")
        }
    }

    /// Items held back by `police_first`.
    struct Held: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List URLs whose hoster notice is held until the police release it.")
        @OptionGroup var global: GlobalOptions

        func run() throws {
            let store = try global.openStore()
            for item in try store.heldItems(limit: 10_000) {
                Output.out(
                    JSONValue.object([
                        "case_id": .string(item.subject.caseID), "report_id": .string(item.subject.reportID), "url": .string(item.subject.url),
                        "target": .string(item.target.description), "held_since": .string(RFC3339.format(item.createdAt)),
                    ]).serialized + "\n")
            }
        }
    }

    /// Releases a case's held notices.
    struct Release: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Release a case's held hoster notices (police_first) so they go out with the next batch.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The case id.")
        var caseID: String

        func run() throws {
            let store = try global.openStore()
            let released = try store.releaseHeldItems(caseID: caseID, at: Date(), actor: GlobalOptions.actor)
            guard released > 0 else {
                Output.err("hotline: case \(caseID) has no held notices\n")
                throw ExitCode(1)
            }
            Output.out(JSONValue.object(["case_id": .string(caseID), "released": .number(Double(released))]).serialized + "\n")
        }
    }
}

/// `hotline outbox`: messages waiting, failed or delivered.
struct OutboxCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "outbox",
        abstract: "Outbox messages, newest first: pending (with the next attempt), failed (with the error), delivered."
    )
    @OptionGroup var global: GlobalOptions
    @Option(help: "pending, failed or delivered (default: pending and failed).")
    var status: String?
    @Option(help: "At most this many.")
    var limit = 100

    func run() throws {
        let store = try global.openStore()
        let statuses: [OutboxStatus]
        if let status {
            guard let parsed = OutboxStatus(rawValue: status) else {
                Output.err("hotline: --status must be pending, failed or delivered, got \(JSONValue.string(status).serialized)\n")
                throw ExitCode(2)
            }
            statuses = [parsed]
        } else {
            statuses = [.pending, .failed]
        }
        for wanted in statuses {
            for message in try store.messages(status: wanted, limit: limit) {
                Output.out(JSONValue.object(NoticeJSON.message(message, raw: false)).serialized + "\n")
            }
        }
    }
}

/// JSON forms of notices for the CLI (and later the API).
enum NoticeJSON {
    static func summary(_ notice: Notice) -> JSONObject {
        var object: JSONObject = [
            "id": .string(notice.id), "reference": .string(notice.reference), "kind": .string(notice.kind.rawValue),
            "status": .string(notice.status.rawValue), "target": .string(notice.recipient.target.description),
            "recipient": .string(notice.recipient.name), "channel": .string(notice.recipient.channel.rawValue),
            "addresses": .array((notice.recipient.channel == .webhook ? [notice.recipient.endpoint ?? ""] : notice.recipient.addresses).map(JSONValue.string)),
            "template": .string(notice.template), "urls": .number(Double(notice.items.count)),
            "urls_online": .number(Double(notice.onlineItems.count)), "created_at": .string(RFC3339.format(notice.createdAt)),
        ]
        if let sent = notice.sentAt { object.append("sent_at", .string(RFC3339.format(sent))) }
        if let deadline = notice.deadline { object.append("deadline", .string(RFC3339.format(deadline))) }
        object.append("reminders", .number(Double(notice.reminders)))
        if let removed = notice.removedAt { object.append("removed_at", .string(RFC3339.format(removed))) }
        if let escalated = notice.escalatedTo { object.append("escalated_to", .string(escalated)) }
        if let error = notice.lastError { object.append("last_error", .string(error)) }
        return object
    }

    static func item(_ item: NoticeItem) -> JSONValue {
        var object: JSONObject = [
            "url": .string(item.subject.url), "case_id": .string(item.subject.caseID), "report_id": .string(item.subject.reportID),
            "state": .string(item.state.rawValue), "checks": .number(Double(item.checks)),
        ]
        if let classification = item.classification { object.append("classification", .string(classification)) }
        if let last = item.lastCheck { object.append("last_check", .string(last)) }
        if let next = item.nextCheckAt { object.append("next_check_at", .string(RFC3339.format(next))) }
        if let removed = item.removedAt, item.state == .removed { object.append("removed_at", .string(RFC3339.format(removed))) }
        return .object(object)
    }

    static func message(_ message: OutboxMessage, raw: Bool) -> JSONObject {
        var object: JSONObject = [
            "id": .string(message.id), "notice_id": .string(message.noticeID), "purpose": .string(message.purpose),
            "channel": .string(message.channel.rawValue), "to": .array(message.destinations.map(JSONValue.string)),
            "status": .string(message.status.rawValue), "attempts": .number(Double(message.attempts)),
        ]
        if let id = message.messageID { object.append("message_id", .string(id)) }
        if message.status == .pending { object.append("next_attempt_at", .string(RFC3339.format(message.nextAttemptAt))) }
        if let delivered = message.deliveredAt { object.append("delivered_at", .string(RFC3339.format(delivered))) }
        if let receipt = message.receipt { object.append("receipt", .string(receipt)) }
        if let error = message.lastError { object.append("last_error", .string(error)) }
        if raw { object.append("payload", .string(String(decoding: message.payload, as: UTF8.self))) }
        return object
    }

    static func event(_ event: NoticeEvent) -> JSONValue {
        var object: JSONObject = ["event": .string(event.event), "at": .string(RFC3339.format(event.at))]
        if let rule = event.rule { object.append("rule", .string(rule)) }
        if let actions = event.actions { object.append("actions", actions) }
        object.append("detail", .string(event.detail))
        return .object(object)
    }
}
