/// The trace of one matched rule: which predicates held.
public struct RuleTrace: Hashable, Sendable {
    /// The rule.
    public var rule: String
    /// Its predicates, in evaluation order.
    public var steps: [TraceStep]

    /// `{"rule", "steps"}`.
    public var json: JSONValue {
        .object(["rule": .string(rule), "steps": .array(steps.map(\.json))])
    }
}

/// What the rules decided for one set of facts.
public struct Verdict: Hashable, Sendable {
    /// The rule whose action decided the outcome, or `default`.
    public var rule: String
    /// The first deciding action's kind.
    public var outcome: ActionKind
    /// Every action, tags included, in order.
    public var actions: [Action]
    /// The rules that matched, in order.
    public var matchedRules: [String]
    /// Why: the predicates of each matched rule.
    public var trace: [RuleTrace]
    /// The digest of the rules that decided.
    public var rulesDigest: String

    /// Creates a verdict; people's decisions (an analyst deciding a case) are recorded as one too.
    public init(rule: String, outcome: ActionKind, actions: [Action], matchedRules: [String] = [], trace: [RuleTrace] = [], rulesDigest: String) {
        self.rule = rule
        self.outcome = outcome
        self.actions = actions
        self.matchedRules = matchedRules
        self.trace = trace
        self.rulesDigest = rulesDigest
    }
}

/// For `rules explain`: every rule with every predicate's result.
public struct Explanation: Sendable {
    /// One rule's evaluation.
    public struct RuleResult: Sendable {
        /// The rule.
        public var rule: String
        /// Whether it matched.
        public var matched: Bool
        /// Whether evaluation reached it (earlier rules may have stopped it).
        public var reached: Bool
        /// Every predicate, evaluated exhaustively.
        public var steps: [TraceStep]
    }

    /// Each rule, in order.
    public var rules: [RuleResult]
    /// The decision.
    public var verdict: Verdict
}

/// Runs a rule set: first match wins, `continue: true` goes on, and the `default` decides
/// when no matched rule did.
public struct DecisionEngine: Sendable {
    /// The rules in force.
    public let ruleSet: RuleSet
    // The conditions apart from the rules, so the hot loop borrows one array element
    // instead of copying a whole rule.
    private let conditions: [Condition]
    // The indexes of each event's rules, so reports never walk lifecycle rules.
    // Indexed by `RuleEvent.ordinal`: an array index, not a hash lookup, on the hot path.
    private let rulesByEvent: [[Int]]

    /// Creates an engine for `ruleSet`.
    public init(ruleSet: RuleSet) {
        self.ruleSet = ruleSet
        self.conditions = ruleSet.rules.map(\.condition)
        self.rulesByEvent = RuleEvent.allCases.map { event in ruleSet.rules.indices.filter { ruleSet.rules[$0].event == event } }
    }

    /// Whether any rule handles `event`.
    public func handles(_ event: RuleEvent) -> Bool { !rulesByEvent[event.ordinal].isEmpty }

    /// Decides. Conditions are first evaluated without tracing; only matched rules are
    /// evaluated again to record why, which keeps deciding cheap.
    /// Lifecycle events without a matching rule get ``RuleEvent/fallbackActions``.
    /// `traced: false` leaves the trace empty, for replays that only compare outcomes.
    public func decide(_ facts: Facts, on event: RuleEvent = .report, traced: Bool = true) -> Verdict {
        var actions: [Action] = []
        var matched: [String] = []
        var trace: [RuleTrace] = []
        var decidingRule: String?
        for index in rulesByEvent[event.ordinal] where conditions[index].evaluate(facts) {
            let rule = ruleSet.rules[index]
            var steps: [TraceStep] = []
            if traced {
                _ = rule.condition.evaluate(facts, trace: &steps)
                trace.append(RuleTrace(rule: rule.name, steps: steps))
            }
            matched.append(rule.name)
            actions.append(contentsOf: rule.actions)
            if decidingRule == nil, rule.actions.contains(where: { $0.kind.isDisposition }) { decidingRule = rule.name }
            if !rule.continues { break }
        }
        if decidingRule == nil {
            actions.append(contentsOf: event == .report ? ruleSet.defaultActions : event.fallbackActions)
            decidingRule = "default"
        }
        let outcome = actions.first(where: { $0.kind.isDisposition })?.kind ?? .escalate
        return Verdict(rule: decidingRule!, outcome: outcome, actions: actions, matchedRules: matched, trace: trace, rulesDigest: ruleSet.digest)
    }

    /// Evaluates every rule exhaustively, for people asking why.
    public func explain(_ facts: Facts, on event: RuleEvent = .report) -> Explanation {
        let verdict = decide(facts, on: event)
        var results: [Explanation.RuleResult] = []
        var stopped = false
        for rule in ruleSet.rules where rule.event == event {
            var steps: [TraceStep] = []
            let matched = rule.condition.evaluate(facts, trace: &steps, exhaustive: true)
            results.append(Explanation.RuleResult(rule: rule.name, matched: matched, reached: !stopped, steps: steps))
            if matched && !rule.continues && !stopped { stopped = true }
        }
        return Explanation(rules: results, verdict: verdict)
    }
}
