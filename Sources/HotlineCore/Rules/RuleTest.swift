import Foundation

/// One rule test: a report, the facts enrichment is assumed to have found, and what the
/// rules are expected to decide.
public struct RuleTestCase: Sendable {
    /// The test's name.
    public var name: String
    /// Where it is written.
    public var location: SourceLocation
    /// The report.
    public var report: ReportSubmission
    /// Facts to assume, overriding those derived from the report.
    public var facts: [(fact: Fact, value: FactValue?)]
    /// The rule expected to decide, if given.
    public var expectedRule: String?
    /// The outcome expected, if given.
    public var expectedOutcome: ActionKind?
    /// The full list of actions expected, if given.
    public var expectedActions: [Action]?
    /// The event the rules are run for (`on:`); reports by default.
    public var event: RuleEvent

    /// Creates a test case.
    public init(
        name: String, location: SourceLocation, report: ReportSubmission, facts: [(fact: Fact, value: FactValue?)] = [], expectedRule: String? = nil,
        expectedOutcome: ActionKind? = nil, expectedActions: [Action]? = nil, event: RuleEvent = .report
    ) {
        self.event = event
        self.name = name
        self.location = location
        self.report = report
        self.facts = facts
        self.expectedRule = expectedRule
        self.expectedOutcome = expectedOutcome
        self.expectedActions = expectedActions
    }
}

/// A failed rule test, with expected versus got.
public struct RuleTestFailure: Sendable, Hashable, CustomStringConvertible {
    /// The test.
    public var test: String
    /// Where the test is.
    public var location: SourceLocation
    /// What differed: `rule`, `outcome` or `actions`.
    public var aspect: String
    /// What the test expected.
    public var expected: String
    /// What the rules did.
    public var got: String

    /// `FILE:LINE:COL: test "NAME": ASPECT: expected X, got Y`.
    public var description: String {
        "\(location): test \"\(test)\": \(aspect)\n  expected: \(expected)\n  got:      \(got)"
    }
}

/// Runs rule tests against an engine; pure, so it is the same in the CLI and in tests.
public enum RuleTestRunner {
    /// The time rule tests run at: reports without `received_at` were received at this time.
    public static let testTime = Date(timeIntervalSince1970: 1_767_225_600)

    /// The verdict for one test case.
    public static func verdict(for test: RuleTestCase, engine: DecisionEngine) -> Verdict {
        verdictAndFacts(for: test, engine: engine).verdict
    }

    /// The facts a test case's rules see.
    public static func facts(for test: RuleTestCase) -> Facts {
        let report = test.report.report(id: "test", now: testTime)
        var isDuplicate = false
        var count = 1
        for fact in test.facts {
            if fact.fact == .caseDuplicate, case .bool(let value) = fact.value { isDuplicate = value }
            if fact.fact == .caseReportCount, case .number(let value) = fact.value { count = Int(value) }
        }
        if isDuplicate && count < 2 { count = 2 }
        let caseInfo = CaseInfo(caseID: "test", isDuplicate: isDuplicate, reportCount: count, openedAt: testTime)
        var facts = Facts.intake(report: report, caseInfo: caseInfo, channel: "file", now: testTime)
        for fact in test.facts { facts[fact.fact] = fact.value }
        return facts
    }

    static func verdictAndFacts(for test: RuleTestCase, engine: DecisionEngine) -> (verdict: Verdict, facts: Facts) {
        let facts = facts(for: test)
        return (engine.decide(facts, on: test.event), facts)
    }

    /// Runs one test; returns its failures (empty when it passed).
    public static func run(_ test: RuleTestCase, engine: DecisionEngine) -> [RuleTestFailure] {
        let verdict = verdict(for: test, engine: engine)
        var failures: [RuleTestFailure] = []
        func fail(_ aspect: String, _ expected: String, _ got: String) {
            failures.append(RuleTestFailure(test: test.name, location: test.location, aspect: aspect, expected: expected, got: got))
        }
        if let rule = test.expectedRule, rule != verdict.rule {
            fail("rule", rule, verdict.rule + (verdict.matchedRules.isEmpty ? " (no rule matched)" : ""))
        }
        if let outcome = test.expectedOutcome, outcome != verdict.outcome {
            fail("outcome", outcome.rawValue, verdict.outcome.rawValue)
        }
        if let actions = test.expectedActions, actions != verdict.actions {
            fail("actions", actions.json.serialized, verdict.actions.json.serialized)
        }
        return failures
    }
}

extension FactValue {
    /// Reads a value of `type` from text as an operator writes it in YAML (`24h`, `NL`, `true`).
    public init?(text: String, as type: FactType) {
        switch type {
        case .string: self = .string(text)
        case .number:
            guard let value = Double(text) else { return nil }
            self = .number(value)
        case .bool:
            guard text == "true" || text == "false" else { return nil }
            self = .bool(text == "true")
        case .duration:
            guard let span = TimeSpan(text) else { return nil }
            self = .duration(span)
        case .ip:
            guard let address = IPAddress(text) else { return nil }
            self = .ip(address)
        case .ipList:
            // Comma-separated, as `--fact hosting.ips=192.0.2.1,2001:db8::1` writes it.
            var addresses: [IPAddress] = []
            for part in text.split(separator: ",") {
                guard let address = IPAddress(part.trimmingCharacters(in: .whitespaces)) else { return nil }
                addresses.append(address)
            }
            self = .ips(addresses)
        }
    }
}
