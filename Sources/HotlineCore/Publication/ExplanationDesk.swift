import Foundation

/// Why an explanation was not filed or decided; the routes answer each with its own status.
public enum ExplanationError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The organisation is not on the comply-or-explain list for that period.
    case notListed(String)
    /// No such explanation.
    case notFound(String)
    /// Decided already.
    case decided(String)
    /// A field is missing or wrong.
    case invalid(String)
    /// Well-formed, but not possible: the period, or a text that cannot be published.
    case unprocessable(String)

    /// The message.
    public var description: String {
        switch self {
        case .notListed(let message), .notFound(let message), .decided(let message), .invalid(let message), .unprocessable(let message): message
        }
    }
}

/// Files and decides hosters' explanations. Only a listed hoster explains, in text that can
/// be published (no URLs or hashes), for a period of at most a year; an analyst accepts or
/// rejects it with a reason. Every step is audited.
public struct ExplanationDesk: Sendable {
    /// Where explanations are kept.
    public let store: any ExplanationStore
    /// The clock.
    public let time: any TimeSource
    /// Id maker.
    public let ids: any IDGenerator

    /// Creates the desk.
    public init(store: any ExplanationStore, time: any TimeSource, ids: any IDGenerator = UUIDv7Generator()) {
        self.store = store
        self.time = time
        self.ids = ids
    }

    /// Files `text` for `org` about `[since, until)`; `listed` says whether the organisation is
    /// on the list for that period (or on a draft in review).
    public func file(org: String, token: APIToken, since: Date, until: Date, text: String, listed: (String, Date, Date) throws -> Bool) throws
        -> HosterExplanation
    {
        let body = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !body.isEmpty, body.count <= HosterExplanation.maximumLength else {
            throw ExplanationError.invalid("\"text\" must be 1 to \(HosterExplanation.maximumLength) characters")
        }
        if let why = HosterExplanation.unpublishable(body) { throw ExplanationError.unprocessable("\"text\": \(why)") }
        guard since < until else { throw ExplanationError.unprocessable("\"since\" must be before \"until\"") }
        let now = time.now()
        guard until.timeIntervalSince(since) <= 366 * 86_400 else { throw ExplanationError.unprocessable("the period is at most a year") }
        guard since <= now else { throw ExplanationError.unprocessable("\"since\" is in the future") }
        guard try listed(org, since, until) else {
            throw ExplanationError.notListed("\(org) is not on the comply-or-explain list for \(RFC3339.format(since)) to \(RFC3339.format(until))")
        }
        let explanation = HosterExplanation(id: ids.next(), org: org, tokenID: token.id, periodStart: since, periodEnd: until, text: body, createdAt: now)
        try store.insertExplanation(
            explanation,
            audit: AuditEntry(
                at: now, actor: token.actor, event: "explanation.filed", subject: explanation.id,
                detail: [
                    "org": .string(org), "since": .string(RFC3339.format(since)), "until": .string(RFC3339.format(until)),
                    "characters": .number(Double(body.count)),
                ]))
        return explanation
    }

    /// Accepts or rejects a pending explanation as `actor`, with a reason.
    public func decide(id: String, accept: Bool, reason: String?, actor: String) throws -> HosterExplanation {
        let why = (reason ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard !why.isEmpty, why.count <= 2000 else { throw ExplanationError.invalid("a decision on an explanation needs a reason of at most 2000 characters") }
        guard var explanation = try store.explanation(id: id) else { throw ExplanationError.notFound("no explanation \(Quoted.text(id))") }
        guard explanation.status == .pending else { throw ExplanationError.decided("explanation \(id) was \(explanation.status.rawValue) already") }
        let now = time.now()
        explanation.status = accept ? .accepted : .rejected
        explanation.decidedBy = actor
        explanation.decidedAt = now
        explanation.decisionReason = why
        let entry = AuditEntry(
            at: now, actor: actor, event: accept ? "explanation.accepted" : "explanation.rejected", subject: id,
            detail: ["org": .string(explanation.org), "reason": .string(why)])
        guard try store.decideExplanation(explanation, audit: entry) else { throw ExplanationError.decided("explanation \(id) was decided a moment ago") }
        return explanation
    }
}
