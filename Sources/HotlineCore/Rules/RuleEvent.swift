/// What sets a rule off: a report arriving, or something happening to a notice later.
///
/// Lifecycle events go back into the same engine as reports, so that reminders, escalation
/// and closing are decided by rules an operator can read and test, not by code.
public enum RuleEvent: String, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    /// A report was received (the default `on`).
    case report
    /// A notice's deadline passed and the material is still online.
    case noticeOverdue = "notice.overdue"
    /// Every URL of a notice was found gone on consecutive checks.
    case noticeRemoved = "notice.removed"
    /// A notice could not be delivered after the last attempt.
    case deliveryFailed = "delivery.failed"
    /// A forward's URLs are still online a set time after it went to the partner or the
    /// police (`dispatch.followup.forward_stale_after`), and again each such period.
    case forwardStale = "forward.stale"

    /// The position in `allCases`.
    public var ordinal: Int {
        switch self {
        case .report: 0
        case .noticeOverdue: 1
        case .noticeRemoved: 2
        case .deliveryFailed: 3
        case .forwardStale: 4
        }
    }

    /// The name as written after `on:`.
    public var description: String { rawValue }

    /// What is decided when no rule for a lifecycle event matches: a person looks at it.
    /// Reports use the rule set's own `default`.
    public var fallbackActions: [Action] {
        [.escalate(queue: "analysts", reason: "no rule handles \(rawValue)", priority: .normal)]
    }
}
