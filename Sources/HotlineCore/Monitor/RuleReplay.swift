import Foundation

/// Re-deciding stored reports under another rule set, with the facts recorded when they were
/// decided: what an operator checks before reloading a rule edit. Sends and stores nothing.
public struct RuleReplay: Sendable {
    /// One report whose decision would change.
    public struct Change: Hashable, Sendable {
        /// The report.
        public var reportID: String
        /// Its URL.
        public var url: String
        /// The rule and outcome recorded.
        public var before: (rule: String, outcome: String)
        /// Under the new rules.
        public var after: (rule: String, outcome: String)
        /// Whether only the actions differ (same rule and outcome, other arguments).
        public var actionsOnly: Bool

        /// Whether the two are the same.
        public static func == (lhs: Change, rhs: Change) -> Bool { lhs.reportID == rhs.reportID }
        /// Hashes what equality compares.
        public func hash(into hasher: inout Hasher) { hasher.combine(reportID) }
    }

    /// The candidate rules.
    public let engine: DecisionEngine
    /// Reports re-decided.
    public private(set) var total = 0
    /// Reports whose decision changes.
    public private(set) var changed = 0
    /// Counts per `old rule → new rule` and per `old outcome → new outcome`, changed ones only.
    public private(set) var ruleMoves: [String: Int] = [:]
    /// Outcome transitions.
    public private(set) var outcomeMoves: [String: Int] = [:]
    /// Outcomes under the new rules, of everything replayed.
    public private(set) var outcomesAfter: [String: Int] = [:]
    /// Outcomes recorded, of everything replayed.
    public private(set) var outcomesBefore: [String: Int] = [:]
    /// The first `keep` changes.
    public private(set) var changes: [Change] = []
    /// How many changes to keep for listing.
    public let keep: Int

    /// A replay with `ruleSet`, keeping up to `keep` changes to list.
    public init(ruleSet: RuleSet, keep: Int = 100) {
        engine = DecisionEngine(ruleSet: ruleSet)
        self.keep = keep
    }

    /// Re-decides one stored decision.
    public mutating func replay(reportID: String, rule: String, outcome: String, actions: String, facts factsJSON: String) {
        let facts = Facts(storedJSON: factsJSON)
        let verdict = engine.decide(facts, traced: false)
        add(
            reportID: reportID, url: { if case .string(let url)? = facts[.reportURL] { url } else { "" } }(), rule: rule, outcome: outcome, actions: actions,
            verdict: verdict)
    }

    mutating func add(reportID: String, url: String, rule: String, outcome: String, actions: String, verdict: Verdict) {
        total += 1
        outcomesBefore[outcome, default: 0] += 1
        outcomesAfter[verdict.outcome.rawValue, default: 0] += 1
        let same = verdict.rule == rule && verdict.outcome.rawValue == outcome
        let actionsSame = same && verdict.actions.json.serialized == actions
        guard !actionsSame else { return }
        changed += 1
        ruleMoves["\(rule) → \(verdict.rule)", default: 0] += 1
        outcomeMoves["\(outcome) → \(verdict.outcome.rawValue)", default: 0] += 1
        if changes.count < keep {
            changes.append(Change(reportID: reportID, url: url, before: (rule, outcome), after: (verdict.rule, verdict.outcome.rawValue), actionsOnly: same))
        }
    }

    /// Adds another replay's counts (for replays split over threads).
    public mutating func merge(_ other: RuleReplay) {
        total += other.total
        changed += other.changed
        for (key, value) in other.ruleMoves { ruleMoves[key, default: 0] += value }
        for (key, value) in other.outcomeMoves { outcomeMoves[key, default: 0] += value }
        for (key, value) in other.outcomesBefore { outcomesBefore[key, default: 0] += value }
        for (key, value) in other.outcomesAfter { outcomesAfter[key, default: 0] += value }
        changes += other.changes.prefix(max(0, keep - changes.count))
    }

    /// The summary as JSON.
    public var json: JSONValue {
        func counts(_ map: [String: Int]) -> JSONValue {
            .object(JSONObject(map.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.map { ($0.key, .number(Double($0.value))) }))
        }
        return .object([
            "rules_version": .string(engine.ruleSet.digest), "replayed": .number(Double(total)), "changed": .number(Double(changed)),
            "outcomes_before": counts(outcomesBefore), "outcomes_after": counts(outcomesAfter),
            "rule_moves": counts(ruleMoves), "outcome_moves": counts(outcomeMoves),
            "changes": .array(
                changes.map { change in
                    .object([
                        "report_id": .string(change.reportID), "url": .string(change.url),
                        "before": .object(["rule": .string(change.before.rule), "outcome": .string(change.before.outcome)]),
                        "after": .object(["rule": .string(change.after.rule), "outcome": .string(change.after.outcome)]),
                        "actions_only": .bool(change.actionsOnly),
                    ])
                }),
        ])
    }
}
