import Foundation

/// A recipient's answer to a notice, the same from the provider API and from a mail reply.
public enum NoticeAcknowledgement {
    /// What the recipient said.
    public typealias Answer = NoticeAnswer

    /// Records `answer` on `notice` (status, event with `detail`, re-check or escalation).
    @discardableResult
    public static func apply(_ answer: Answer, to notice: Notice, detail: String, store: any NoticeStore, at now: Date) throws -> Notice {
        var notice = notice
        if notice.acknowledgedAt == nil { notice.acknowledgedAt = now }
        switch answer {
        case .removed:
            notice.status = .acknowledged
            for index in notice.items.indices where notice.items[index].state == .online { notice.items[index].nextCheckAt = now }
            notice.nextDueAt = now
        case .rejected, .notOurs:
            notice.status = .rejected
            notice.escalatedTo = "analysts"
            notice.nextDueAt = nil
        }
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
