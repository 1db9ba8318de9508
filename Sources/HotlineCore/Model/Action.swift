/// The kinds of action a rule can take.
public enum ActionKind: String, Hashable, Sendable, CaseIterable, Codable {
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

/// What a rule does.
public enum Action: Hashable, Sendable {
    /// Send a notice-and-takedown.
    case notify(to: DispatchTarget, template: String, deadline: TimeSpan, batchWindow: TimeSpan?)
    /// Forward to a partner hotline or the police; `policeFirst` holds the hoster's notice back
    /// until the police release it.
    case forward(to: DispatchTarget, template: String?, reason: String?, policeFirst: Bool)
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
