/// The kinds of action a rule can take.
public enum ActionKind: String, Hashable, Sendable, CaseIterable {
    /// Send a notice to whoever can remove the material.
    case notify
    /// Forward the report to a partner hotline or the police.
    case forward
    /// Hand the case to a human.
    case escalate
    /// Close the report without further action.
    case close
    /// Label the report; decides nothing.
    case tag

    /// Whether the action decides what happens to the report (everything but `tag`).
    public var isDisposition: Bool { self != .tag }
}

/// Who a notice goes to.
public enum NoticeRecipient: Hashable, Sendable, CustomStringConvertible {
    /// The hoster's abuse desk (`hosting.abuse_email`).
    case hosting
    /// The registrar's abuse desk (`registrar.abuse_email`).
    case registrar
    /// Whoever the hoster answers to: the directory entry's `escalation` addresses.
    case upstream
    /// A named entry of the contact directory.
    case contact(String)

    /// Parses `hosting`, `registrar` or `contact:NAME`.
    public init?(_ text: String) {
        switch text {
        case "hosting": self = .hosting
        case "registrar": self = .registrar
        case "upstream": self = .upstream
        default:
            guard text.hasPrefix("contact:"), text.count > 8 else { return nil }
            self = .contact(String(text.dropFirst(8)))
        }
    }

    /// The text form.
    public var description: String {
        switch self {
        case .hosting: "hosting"
        case .registrar: "registrar"
        case .upstream: "upstream"
        case .contact(let name): "contact:\(name)"
        }
    }
}

/// Who a report is forwarded to.
public enum ForwardTarget: Hashable, Sendable, CustomStringConvertible {
    /// The partner hotline in the hosting country (`hosting.partner_hotline`).
    case partner
    /// Law enforcement.
    case police
    /// A named entry of the contact directory.
    case contact(String)

    /// Parses `partner`, `police` or `contact:NAME`.
    public init?(_ text: String) {
        switch text {
        case "partner": self = .partner
        case "police": self = .police
        default:
            guard text.hasPrefix("contact:"), text.count > 8 else { return nil }
            self = .contact(String(text.dropFirst(8)))
        }
    }

    /// The text form.
    public var description: String {
        switch self {
        case .partner: "partner"
        case .police: "police"
        case .contact(let name): "contact:\(name)"
        }
    }
}

/// What a rule does.
public enum Action: Hashable, Sendable {
    /// Send a notice-and-takedown.
    case notify(to: NoticeRecipient, template: String, deadline: TimeSpan, batchWindow: TimeSpan?)
    /// Forward to a partner hotline or the police; `policeFirst` holds the hoster's notice back
    /// until the police release it.
    case forward(to: ForwardTarget, template: String?, reason: String?, policeFirst: Bool)
    /// Put the case in a queue for people.
    case escalate(queue: String, reason: String, priority: EscalationPriority)
    /// Close the report.
    case close(reason: String)
    /// Attach a label.
    case tag(String)

    /// The action's kind.
    public var kind: ActionKind {
        switch self {
        case .notify: .notify
        case .forward: .forward
        case .escalate: .escalate
        case .close: .close
        case .tag: .tag
        }
    }

    /// The default deadline of a notice: 24 hours, the Dutch code of conduct.
    public static let defaultDeadline = TimeSpan.hours(24)

    /// The action as JSON, the form used in output, storage and rule tests:
    /// `{"notify":{"to":"hosting","template":"ntd-first","deadline":"24h"}}`.
    public var json: JSONValue {
        switch self {
        case .notify(let to, let template, let deadline, let batchWindow):
            var body: JSONObject = ["to": .string(to.description), "template": .string(template), "deadline": .string(deadline.description)]
            if let batchWindow { body.append("batch_window", .string(batchWindow.description)) }
            return .object(["notify": .object(body)])
        case .forward(let to, let template, let reason, let policeFirst):
            var body: JSONObject = ["to": .string(to.description)]
            if let template { body.append("template", .string(template)) }
            if let reason { body.append("reason", .string(reason)) }
            if policeFirst { body.append("police_first", .bool(true)) }
            return .object(["forward": .object(body)])
        case .escalate(let queue, let reason, let priority):
            var body: JSONObject = ["queue": .string(queue), "reason": .string(reason)]
            if priority != .normal { body.append("priority", .string(priority.rawValue)) }
            return .object(["escalate": .object(body)])
        case .close(let reason):
            return .object(["close": .object(["reason": .string(reason)])])
        case .tag(let name):
            return .object(["tag": .string(name)])
        }
    }
}

/// How urgent an escalated case is.
public enum EscalationPriority: String, Hashable, Sendable, CaseIterable {
    /// Can wait.
    case low
    /// The usual.
    case normal
    /// Look first.
    case high
}

extension Array where Element == Action {
    /// The actions as a JSON array.
    public var json: JSONValue { .array(map(\.json)) }
}
