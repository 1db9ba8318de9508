import Foundation

/// Places and ends standing holds for the CLI, the API and the workbench alike: the value
/// checked for its scope, the end in the future, a reason, and an audit entry for each step.
public struct HoldDesk: Sendable {
    /// Where holds are kept.
    public let store: any HoldStore
    /// The clock (`--at` shifts it).
    public let time: any TimeSource
    /// Id maker.
    public let ids: any IDGenerator

    /// Creates the desk.
    public init(store: any HoldStore, time: any TimeSource, ids: any IDGenerator = UUIDv7Generator()) {
        self.store = store
        self.time = time
        self.ids = ids
    }

    /// `until` as RFC 3339, or as a duration from now (`7d`).
    public func end(_ text: String) -> Date? {
        if let span = TimeSpan(text) { return time.now().addingTimeInterval(TimeInterval(span.seconds)) }
        return RFC3339.parse(text)
    }

    /// Places a hold; throws ``HoldValueError`` with what is wrong.
    public func place(scope: StandingHold.Scope, value: String, until text: String, reason: String, police: Bool, actor: String) throws -> StandingHold {
        let normalized: String
        switch StandingHold.normalize(value, scope: scope) {
        case .success(let value): normalized = value
        case .failure(let error): throw error
        }
        let now = time.now()
        guard let until = end(text) else {
            throw HoldValueError("\"until\" must be a time like 2026-12-31T12:00:00Z or a duration like 7d, got \(Quoted.text(text))")
        }
        guard until > now else { throw HoldValueError("\"until\" must be in the future, got \(RFC3339.format(until))") }
        let why = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !why.isEmpty, why.utf8.count <= 1000 else { throw HoldValueError("a hold needs a reason of at most 1000 bytes") }
        let hold = StandingHold(
            id: ids.next(), scope: scope, value: normalized, reason: why, police: police, createdBy: actor, createdAt: now, until: until)
        try store.insertHold(
            hold,
            audit: AuditEntry(
                at: now, actor: actor, event: "hold.placed", subject: hold.id,
                detail: [
                    "scope": .string(scope.rawValue), "value": .string(normalized), "until": .string(RFC3339.format(until)), "reason": .string(why),
                    "police": .bool(police),
                ]))
        return hold
    }

    /// Ends a hold now, by hand; `false` when it had ended already or does not exist.
    public func release(id: String, actor: String) throws -> Bool {
        let now = time.now()
        guard let hold = try store.openHolds().first(where: { $0.id == id }) else { return false }
        return try store.endHold(
            id: id, at: now, by: actor,
            audit: AuditEntry(
                at: now, actor: actor, event: "hold.ended", subject: id,
                detail: [
                    "scope": .string(hold.scope.rawValue), "value": .string(hold.value), "by": .string("hand"), "until": .string(RFC3339.format(hold.until)),
                ]))
    }
}
