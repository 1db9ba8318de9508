import Foundation

/// Why an analyst's decision was not recorded; the route answers each with its own status.
public enum AnalystDecisionError: Error, Hashable, Sendable, CustomStringConvertible {
    /// No such case, or a case without a decision to start from.
    case notFound(String)
    /// The case is closed.
    case closed(String)
    /// The action names a template that does not exist.
    case unknownTemplate(String)
    /// A notice with nobody to send it to.
    case nobodyToNotify(String)
    /// A notice or forward of material the analyst found not illegal.
    case notIllegal(String)
    /// Another analyst is working the case.
    case taken(String)

    /// The message.
    public var description: String {
        switch self {
        case .notFound(let message), .closed(let message), .unknownTemplate(let message), .nobodyToNotify(let message), .notIllegal(let message),
            .taken(let message):
            message
        }
    }
}

/// An analyst decides an escalated case: notify, forward or close, with a reason. Recorded
/// as a decision (rule `analyst`, on the facts of the case's latest decision) with its
/// dispatch items, and in the audit log with who decided, in one transaction.
public struct AnalystDecision: Sendable {
    /// The rules in force (their digest is recorded with the decision).
    public let engine: DecisionEngine
    /// The templates that exist.
    public let templateNames: Set<String>
    /// Records the decision with its items.
    public let recorder: CaseDecisionRecorder
    /// The clock.
    public let time: any TimeSource
    /// Id maker.
    public let ids: any IDGenerator

    /// Creates the decider.
    public init(engine: DecisionEngine, templateNames: Set<String>, planner: DispatchPlanner, time: any TimeSource, ids: any IDGenerator = UUIDv7Generator()) {
        self.engine = engine
        self.templateNames = templateNames
        self.recorder = CaseDecisionRecorder(planner: planner)
        self.time = time
        self.ids = ids
    }

    /// Records `action` for `caseID`, decided by `token` for `reason` with the analyst's
    /// `classification` (what the notice and its X-ARF report state); returns the decision
    /// and, when the gateway observed hashes in the case, the pending verdict it gave them.
    public func decide(
        caseID: String, action: Action, reason: String, classification: AssessedClassification? = nil, token: APIToken,
        store: some ReportStore & CaseStore & VerdictStore & CaseTakeStore
    ) throws -> (decision: Decision, verdict: HashVerdict?) {
        let actor = token.actor
        if classification == .notIllegal, action.kind != .close {
            throw AnalystDecisionError.notIllegal("material found not_illegal is closed, not sent anywhere")
        }
        if let template = action.templateName, !templateNames.contains(template) {
            throw AnalystDecisionError.unknownTemplate("no template \(JSONValue.string(template).serialized)")
        }
        guard let caseRecord = try store.caseRecord(id: caseID) else { throw AnalystDecisionError.notFound("no case \(JSONValue.string(caseID).serialized)") }
        guard caseRecord.status == .open else { throw AnalystDecisionError.closed("case \(caseID) is closed") }
        guard let latest = try store.latestDecision(caseID: caseID), let report = try store.report(id: latest.reportID) else {
            throw AnalystDecisionError.notFound("case \(caseID) has no decision to start from")
        }
        let now = time.now()
        if let take = try store.caseTake(caseID: caseID, at: now), take.tokenID != token.id {
            throw AnalystDecisionError.taken("\(take.actor) is working case \(caseID) until \(RFC3339.format(take.until))")
        }
        let verdict = Verdict(rule: "analyst", outcome: action.kind, actions: [action], rulesDigest: engine.ruleSet.digest)
        var facts = latest.facts
        if let classification { facts[.analystClassification] = .string(classification.rawValue) }
        let decision = Decision(
            id: ids.next(), reportID: latest.reportID, caseID: caseID, trigger: "analyst", verdict: verdict, facts: facts, decidedAt: now)
        let remembered = try classification.flatMap { classification in
            VerdictReview(time: time, ids: ids).verdict(
                caseID: caseID, decisionID: decision.id, classification: classification, observed: try store.observedHashes(caseID: caseID), token: token,
                at: now)
        }
        let subject = ReportedURL(
            reportID: report.id, caseID: caseID, decisionID: decision.id, url: report.url.canonical, host: report.url.host, hashes: report.hashes.hashValues)
        let items = recorder.items(for: [action], subject: subject, facts: facts, now: now)
        if case .notify = action, let item = items.first, item.recipient == nil {
            throw AnalystDecisionError.nobodyToNotify("nobody to notify: no address for \(item.target) in this case's facts or the directory")
        }
        try store.write { transaction in
            let closing: CaseRecord? = if case .close = action { caseRecord } else { nil }
            try recorder.record(decision, items: items, closing: closing, at: now, in: transaction)
            try transaction.appendAudit(
                AuditEntry(
                    at: now, actor: actor, event: "case.decided", subject: caseID,
                    detail: [
                        "decision_id": .string(decision.id), "action": action.json, "reason": .string(reason),
                        "classification": classification.map { .string($0.rawValue) } ?? .null, "verdict_id": remembered.map { .string($0.id) } ?? .null,
                    ]))
            if let remembered {
                try transaction.insertVerdict(remembered)
                try transaction.appendAudit(
                    AuditEntry(
                        at: now, actor: actor, event: "verdict.pending", subject: remembered.id,
                        detail: [
                            "case_id": .string(caseID), "classification": .string(remembered.classification.rawValue),
                            "hashes": .number(Double(remembered.hashes.count)),
                        ]))
            }
        }
        try? store.releaseCase(caseID: caseID, tokenID: token.id)
        return (decision, remembered)
    }
}

extension Action {
    /// The template a notify or forward uses.
    public var templateName: String? {
        switch self {
        case .notify(_, let template, _, _): template
        case .forward(let to, let template, _, _): template ?? (to == .police ? "police-info" : "inhope-forward")
        default: nil
        }
    }
}
