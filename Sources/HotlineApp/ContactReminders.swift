import Foundation
import HotlineCore

/// Reminds hosters whose contact details were not confirmed for 90 days (counted from
/// their first provider token when they never confirmed): one notice to the organisation's
/// channel per confirmation period, whatever the number of instances (the store marks the
/// reminder once). Confirming (`POST /v1/provider/contact/confirm`) or an approved change
/// starts a new period.
public struct ContactReminders: Sendable {
    /// The template the reminder is written with.
    public static let template = "contact-confirm"

    /// The assembly (identity, clock).
    public let assembly: GatewayAssembly

    /// Creates the pass.
    public init(assembly: GatewayAssembly) { self.assembly = assembly }

    /// Queues the reminders due now; returns how many.
    @discardableResult
    public func run(store: any GatewayStorage, parts: GatewayParts) throws -> Int {
        let now = assembly.time.now()
        var first: [String: Date] = [:]
        for token in try store.tokens() where token.role == .provider && token.revokedAt == nil {
            if let org = token.org { first[org] = min(first[org] ?? token.createdAt, token.createdAt) }
        }
        guard !first.isEmpty else { return 0 }
        let confirmations = try store.contactConfirmations()
        let ids = UUIDv7Generator()
        var queued = 0
        for (org, since) in first.sorted(by: { $0.key < $1.key }) {
            let confirmed = confirmations[org]?.confirmedAt ?? since
            guard now.timeIntervalSince(confirmed) >= ContactChange.confirmationLifetime,
                let recipient = parts.planner.directory.recipient(for: .contact(org), facts: Facts())
            else { continue }
            let id = ids.next()
            let notice = Notice(
                id: id, reference: Notice.reference(for: id), kind: .forward, recipient: recipient, template: Self.template, status: .pending, createdAt: now,
                deadlineSpan: nil, reason: "contact details not confirmed since \(RFC3339.format(confirmed))", items: [])
            let message = try assembly.renderer(parts: parts).message(
                for: notice, purpose: "contact-reminder", template: Self.template, reminder: 0, messageID: ids.next(), firstMessageID: nil, at: now)
            guard try store.markContactReminded(org: org, since: confirmed, at: now) else { continue }
            try store.insertStandalone(notice, message: message, detail: "contact confirmation reminder for \(org)", ids: ids, at: now)
            try store.appendAudit(
                AuditEntry(at: now, actor: "dispatch", event: "contact.reminded", subject: org, detail: ["confirmed_at": .string(RFC3339.format(confirmed))]))
            queued += 1
        }
        return queued
    }
}
