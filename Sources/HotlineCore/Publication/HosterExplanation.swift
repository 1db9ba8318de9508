import Foundation

/// A listed hoster's explanation, in its own words, for a period: why it did not meet the
/// targets. Analysts accept or reject it with a reason; an accepted one is published beside
/// the hoster's entry on the comply-or-explain list.
public struct HosterExplanation: Hashable, Sendable {
    /// Where it stands.
    public enum Status: String, Hashable, Sendable, CaseIterable {
        /// Waiting for an analyst.
        case pending
        /// Published with the hoster's entry.
        case accepted
        /// Not published; the hoster sees the reason.
        case rejected
    }

    /// Its id.
    public var id: String
    /// The organisation (directory contact id) that filed it.
    public var org: String
    /// The token that filed it.
    public var tokenID: String
    /// The period it is about.
    public var periodStart: Date
    /// End of the period.
    public var periodEnd: Date
    /// The hoster's text.
    public var text: String
    /// Where it stands.
    public var status: Status
    /// When it was filed.
    public var createdAt: Date
    /// The analyst who decided it.
    public var decidedBy: String?
    /// When.
    public var decidedAt: Date?
    /// Why.
    public var decisionReason: String?

    /// The longest text taken: a paragraph or two, as a published list can show.
    public static let maximumLength = 2000

    /// Creates an explanation.
    public init(
        id: String, org: String, tokenID: String, periodStart: Date, periodEnd: Date, text: String, status: Status = .pending, createdAt: Date,
        decidedBy: String? = nil, decidedAt: Date? = nil, decisionReason: String? = nil
    ) {
        self.id = id
        self.org = org
        self.tokenID = tokenID
        self.periodStart = periodStart
        self.periodEnd = periodEnd
        self.text = text
        self.status = status
        self.createdAt = createdAt
        self.decidedBy = decidedBy
        self.decidedAt = decidedAt
        self.decisionReason = decisionReason
    }

    /// Whether it covers any of `[since, until)`.
    public func overlaps(since: Date, until: Date) -> Bool { periodStart < until && periodEnd > since }

    /// Why `text` cannot be published, if it cannot: the list names organisations and counts
    /// only, so a hoster's text may not carry a URL, a host name with a path, or a hash.
    public static func unpublishable(_ text: String) -> String? {
        // The same check every published file gets, so an accepted text cannot stop a publication.
        if let leak = PublicationSite.leaks(in: text) { return "the text \(leak) (the published list names organisations and counts only)" }
        if text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control && $0 != "\n" && $0 != "\r" && $0 != "\t" }) {
            return "the text must not contain control characters"
        }
        return nil
    }

    /// As JSON, for the hoster and the analysts alike.
    public var json: JSONValue {
        .object([
            "id": .string(id), "org": .string(org), "status": .string(status.rawValue), "since": .string(RFC3339.format(periodStart)),
            "until": .string(RFC3339.format(periodEnd)), "text": .string(text), "created_at": .string(RFC3339.format(createdAt)),
            "decided_at": decidedAt.map { .string(RFC3339.format($0)) } ?? .null, "decision_reason": decisionReason.map(JSONValue.string) ?? .null,
        ])
    }
}

/// Storage of explanations, shared by every instance.
public protocol ExplanationStore: Sendable {
    /// Stores a new explanation with its audit entry.
    func insertExplanation(_ explanation: HosterExplanation, audit: AuditEntry) throws
    /// One by id.
    func explanation(id: String) throws -> HosterExplanation?
    /// Those of an organisation (`nil`: all), in a state (`nil`: any), oldest first.
    func explanations(org: String?, status: HosterExplanation.Status?, limit: Int) throws -> [HosterExplanation]
    /// Decides a pending explanation with its audit entry; `false` when it was no longer pending.
    func decideExplanation(_ explanation: HosterExplanation, audit: AuditEntry) throws -> Bool
}
