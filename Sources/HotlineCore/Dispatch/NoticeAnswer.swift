/// A recipient's answer to a notice, the same from the provider API and from a mail reply.
public enum NoticeAnswer: String, Sendable, CaseIterable {
    /// The material is gone: checked at once, removal still confirmed by the checks.
    case removed
    /// Refused, with a reason: to analysts.
    case rejected
    /// Not their customer or network: to analysts, who find the right party.
    case notOurs = "not_ours"
}
