import Foundation

/// Why a contact change was not decided.
public enum ContactChangeError: Error, Hashable, Sendable, CustomStringConvertible {
    /// No such change.
    case notFound(String)
    /// Decided already.
    case decided(String)
    /// A rejection without a reason.
    case reasonRequired(String)

    /// The message.
    public var description: String {
        switch self {
        case .notFound(let message), .decided(let message), .reasonRequired(let message): message
        }
    }
}

/// Approves or rejects hosters' contact changes, for the API and `hotline contacts`.
public struct ContactChangeDesk: Sendable {
    /// Where changes are kept.
    public let store: any ContactChangeStore
    /// The clock.
    public let time: any TimeSource

    /// Creates the desk.
    public init(store: any ContactChangeStore, time: any TimeSource) {
        self.store = store
        self.time = time
    }

    /// Decides a pending change as `actor`; a rejection needs a reason.
    public func decide(id: String, approve: Bool, reason: String?, actor: String) throws -> ContactChange {
        let why = reason?.trimmingCharacters(in: .whitespacesAndNewlines)
        if !approve, why?.isEmpty ?? true { throw ContactChangeError.reasonRequired("a rejection needs a reason") }
        guard var change = try store.contactChange(id: id) else { throw ContactChangeError.notFound("no contact change \(Quoted.text(id))") }
        guard change.status == .pending else { throw ContactChangeError.decided("contact change \(id) was \(change.status.rawValue) already") }
        let now = time.now()
        change.status = approve ? .approved : .rejected
        change.decidedBy = actor
        change.decidedAt = now
        change.reason = why?.isEmpty == false ? why : nil
        let entry = AuditEntry(
            at: now, actor: actor, event: approve ? "contact.change_approved" : "contact.change_rejected", subject: id,
            detail: [
                "org": .string(change.org), "abuse": .array(change.abuse.map(JSONValue.string)), "webhook": change.webhook.map(JSONValue.string) ?? .null,
                "reason": change.reason.map(JSONValue.string) ?? .null,
            ])
        guard try store.decideContactChange(change, audit: entry) else { throw ContactChangeError.decided("contact change \(id) was decided a moment ago") }
        return change
    }
}
