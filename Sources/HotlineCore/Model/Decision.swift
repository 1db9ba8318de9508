import Foundation

/// A recorded decision: what was decided, by which rule, why, on which facts, under which rules.
///
/// Kept for every automated decision so that any of them can be explained later to an
/// operator, a regulator or a court.
public struct Decision: Hashable, Sendable {
    /// The decision's id.
    public var id: String
    /// The report decided.
    public var reportID: String
    /// Its case.
    public var caseID: String
    /// What set the decision off: `intake` now; lifecycle events later.
    public var trigger: String
    /// The verdict.
    public var verdict: Verdict
    /// The facts the rules saw.
    public var facts: Facts
    /// When.
    public var decidedAt: Date

    /// Creates a decision.
    public init(id: String, reportID: String, caseID: String, trigger: String = "intake", verdict: Verdict, facts: Facts, decidedAt: Date) {
        self.id = id
        self.reportID = reportID
        self.caseID = caseID
        self.trigger = trigger
        self.verdict = verdict
        self.facts = facts
        self.decidedAt = decidedAt
    }
}

/// A decision as read back from the store, in the form output needs.
public struct DecisionSummary: Hashable, Sendable {
    /// The rule that decided.
    public var rule: String
    /// The outcome (first deciding action's kind).
    public var outcome: String
    /// The actions as stored.
    public var actions: JSONValue
    /// The rules digest in force.
    public var rulesDigest: String

    /// Creates a summary.
    public init(rule: String, outcome: String, actions: JSONValue, rulesDigest: String) {
        self.rule = rule
        self.outcome = outcome
        self.actions = actions
        self.rulesDigest = rulesDigest
    }

    /// The summary of a fresh verdict.
    public init(_ verdict: Verdict) {
        self.init(rule: verdict.rule, outcome: verdict.outcome.rawValue, actions: verdict.actions.json, rulesDigest: verdict.rulesDigest)
    }
}

/// One entry of the append-only audit log.
public struct AuditEntry: Hashable, Sendable {
    /// When.
    public var at: Date
    /// Who: a user, or `system` for the gateway itself.
    public var actor: String
    /// What happened, e.g. `ingest.batch`, `rules.loaded`.
    public var event: String
    /// The id it concerns, if any.
    public var subject: String?
    /// Details; never content, never personal data.
    public var detail: JSONObject

    /// Creates an entry.
    public init(at: Date, actor: String, event: String, subject: String? = nil, detail: JSONObject = JSONObject()) {
        self.at = at
        self.actor = actor
        self.event = event
        self.subject = subject
        self.detail = detail
    }
}
