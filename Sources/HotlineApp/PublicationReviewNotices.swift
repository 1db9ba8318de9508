import Foundation
import HotlineCore

/// Tells each hoster on a new draft's comply-or-explain list that it is listed, why, and
/// until when it can respond: one message to the organisation's own channel, through the
/// outbox like every notice (the next `hotline work`, or `hotline serve`, delivers it).
public struct PublicationReviewNotices: Sendable {
    /// The template the message is written with.
    public static let template = "publication-review"

    /// The assembly (identity, clock).
    public let assembly: GatewayAssembly

    /// Creates the pass.
    public init(assembly: GatewayAssembly) { self.assembly = assembly }

    /// Queues one message per listed organisation of `draft` that the directory can reach;
    /// returns how many.
    @discardableResult
    public func run(draft: Publication, stats: RemovalStatistics, store: any GatewayStorage, parts: GatewayParts, at now: Date) throws -> Int {
        let ids = UUIDv7Generator()
        var queued = 0
        for finding in stats.complyOrExplain {
            guard let org = finding.figures.contactID, draft.listed.contains(org),
                let recipient = parts.planner.directory.recipient(for: .contact(org), facts: Facts())
            else { continue }
            let id = ids.next()
            let reason =
                "listed on the draft of edition \(draft.version) (\(RFC3339.format(draft.since)) to \(RFC3339.format(draft.until))): "
                + finding.reasons.joined(separator: "; ") + "; you may respond until \(RFC3339.format(draft.reviewUntil))"
            let notice = Notice(
                id: id, reference: Notice.reference(for: id), kind: .forward, recipient: recipient, template: Self.template, status: .pending, createdAt: now,
                deadlineSpan: nil, reason: reason, items: [])
            let message = try assembly.renderer(parts: parts).message(
                for: notice, purpose: "publication-review", template: Self.template, reminder: 0, messageID: ids.next(), firstMessageID: nil, at: now)
            try store.insertStandalone(notice, message: message, detail: "publication v\(draft.version) review for \(org)", ids: ids, at: now)
            try store.appendAudit(
                AuditEntry(at: now, actor: "publication", event: "publication.review_notice", subject: org, detail: ["version": .number(Double(draft.version))])
            )
            queued += 1
        }
        return queued
    }
}
