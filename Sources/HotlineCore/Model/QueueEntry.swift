import Foundation

/// One entry of the analysts' queue: a case whose latest decision escalated it, or a notice
/// the follow-up escalated. Never content; never the reporter's contact.
public struct QueueEntry: Hashable, Sendable {
    /// `case` or `notice`.
    public var kind: String
    /// The case (for `case`), or the notice's id.
    public var id: String
    /// The URL (first URL of a notice).
    public var url: String
    /// The queue.
    public var queue: String
    /// Why.
    public var reason: String
    /// `low`, `normal`, `high`.
    public var priority: String
    /// Since when.
    public var since: Date
    /// The facts the decision saw (cases) or the notice summary (notices), as JSON.
    public var detail: JSONValue

    /// Creates an entry.
    public init(kind: String, id: String, url: String, queue: String, reason: String, priority: String, since: Date, detail: JSONValue) {
        self.kind = kind
        self.id = id
        self.url = url
        self.queue = queue
        self.reason = reason
        self.priority = priority
        self.since = since
        self.detail = detail
    }
}

extension QueueEntry {
    /// The entry for a case whose latest decision escalated it: the queue, reason and
    /// priority of its `escalate` action (stored as JSON).
    public static func escalatedCase(id: String, url: String, actions: JSONValue, facts: JSONValue, decidedAt: Date) -> QueueEntry {
        var queue = "analysts"
        var reason = ""
        var priority = "normal"
        if case .array(let items) = actions {
            for action in items {
                if case .object(let object) = action, case .object(let escalate)? = object["escalate"] {
                    if case .string(let value)? = escalate["queue"] { queue = value }
                    if case .string(let value)? = escalate["reason"] { reason = value }
                    if case .string(let value)? = escalate["priority"] { priority = value }
                    break
                }
            }
        }
        return QueueEntry(kind: "case", id: id, url: url, queue: queue, reason: reason, priority: priority, since: decidedAt, detail: facts)
    }

    /// The entry for a hoster's open dispute of a match.
    public static func openDispute(_ dispute: Dispute) -> QueueEntry {
        QueueEntry(
            kind: "dispute", id: dispute.id, url: "", queue: "analysts", reason: "dispute by \(dispute.org): \(dispute.reason)", priority: "normal",
            since: dispute.createdAt, detail: dispute.json)
    }

    /// The entry for a notice the follow-up escalated.
    public static func escalatedNotice(_ notice: Notice) -> QueueEntry {
        let detail: JSONValue = .object([
            "reference": .string(notice.reference), "status": .string(notice.status.rawValue),
            "recipient": .string(notice.recipient.name), "urls": .number(Double(notice.items.count)),
            "last_error": notice.lastError.map(JSONValue.string) ?? .null,
        ])
        return QueueEntry(
            kind: "notice", id: notice.id, url: notice.items.first?.subject.url ?? "", queue: notice.escalatedTo ?? "analysts",
            reason: notice.escalationReason ?? notice.lastError ?? "follow-up escalated", priority: "high", since: notice.sentAt ?? notice.createdAt,
            detail: detail)
    }
}
