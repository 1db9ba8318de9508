import Foundation

/// A recipient's answer to a notice, the same from the provider API and from a mail reply.
public enum NoticeAcknowledgement {
    /// What the recipient said.
    public typealias Answer = NoticeAnswer

    /// Records `answer` on `notice` (status, event with `detail`, re-check or escalation).
    ///
    /// `urls` limits the answer to some of the notice's URLs (as listed in it): a hoster
    /// removes some first. Those are checked at once; the notice counts as acknowledged when
    /// every URL still online is, and a partial rejection goes to analysts with the rest still
    /// followed up. Either way removal is confirmed by the checks, never by the answer.
    @discardableResult
    public static func apply(
        _ answer: Answer, to notice: Notice, urls: Set<String>? = nil, detail: String, store: any NoticeStore, at now: Date
    ) throws -> Notice {
        var notice = notice
        if notice.acknowledgedAt == nil { notice.acknowledgedAt = now }
        let chosen = notice.items.indices.filter { urls?.contains(notice.items[$0].subject.url) ?? true }
        let everyURL = urls == nil || Set(chosen.map { notice.items[$0].subject.url }) == Set(notice.items.map(\.subject.url))
        switch answer {
        case .removed:
            for index in chosen where notice.items[index].state == .online {
                notice.items[index].nextCheckAt = now
                notice.items[index].acknowledgedAt = notice.items[index].acknowledgedAt ?? now
            }
            if notice.items.allSatisfy({ $0.state != .online || $0.acknowledgedAt != nil }) { notice.status = .acknowledged }
            notice.nextDueAt = now
        case .rejected, .notOurs:
            notice.escalatedTo = "analysts"
            if everyURL {
                notice.status = .rejected
                notice.nextDueAt = nil
            }
        }
        var detail = detail
        if let urls { detail += " (\(chosen.count) of \(notice.items.count) URLs: \(urls.sorted().joined(separator: " ")))" }
        let event = NoticeEvent(id: UUIDv7Generator().next(), noticeID: notice.id, event: "ack.\(answer.rawValue)", at: now, detail: detail)
        try store.saveNotice(notice, updatedMessage: nil, newMessages: [], newItems: [], event: event, closingCases: [], at: now)
        return notice
    }

    /// Puts a notice in front of people with what the recipient wrote, when it is unclear.
    public static func unclear(_ notice: Notice, detail: String, store: any NoticeStore, at now: Date) throws {
        var notice = notice
        notice.escalatedTo = "analysts"
        let event = NoticeEvent(id: UUIDv7Generator().next(), noticeID: notice.id, event: "reply.unclear", at: now, detail: detail)
        try store.saveNotice(notice, updatedMessage: nil, newMessages: [], newItems: [], event: event, closingCases: [], at: now)
    }
}
