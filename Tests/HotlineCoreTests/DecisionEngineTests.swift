import Testing

@testable import HotlineCore

@Suite struct DecisionEngineTests {
    let location = SourceLocation(file: "e.yaml", line: 1, column: 1)

    func engine(_ rules: [(String, String, [Action], Bool)], defaults: [Action] = [.escalate(queue: "analysts", reason: "none", priority: .normal)]) throws
        -> DecisionEngine
    {
        var content = RuleFileContent(file: "e.yaml")
        for (index, rule) in rules.enumerated() {
            let at = SourceLocation(file: "e.yaml", line: index + 1, column: 1)
            content.rules.append(
                RuleDraft(
                    name: rule.0, nameLocation: at, condition: ExpressionSource(text: rule.1, location: at), actions: rule.2, continues: rule.3, location: at))
        }
        content.defaultActions = defaults
        content.defaultLocation = location
        let (set, diagnostics) = RuleSetCompiler.compile([content], digest: "sha256:abc")
        #expect(!diagnostics.containsErrors, "\(diagnostics)")
        return DecisionEngine(ruleSet: try #require(set))
    }

    func facts(_ values: [String: FactValue]) -> Facts {
        var facts = Facts()
        for (name, value) in values { facts[Fact(name: name)!] = value }
        return facts
    }

    @Test func firstMatchWins() throws {
        let engine = try engine([
            ("dup", "case.duplicate", [.close(reason: "duplicate")], false),
            ("cdn", "hosting.cdn", [.tag("cdn")], false),
        ])
        let verdict = engine.decide(facts(["case.duplicate": .bool(true), "hosting.cdn": .bool(true)]))
        #expect(verdict.rule == "dup")
        #expect(verdict.outcome == .close)
        #expect(verdict.actions == [.close(reason: "duplicate")])
        #expect(verdict.matchedRules == ["dup"])
        #expect(verdict.rulesDigest == "sha256:abc")
    }

    @Test func continueCollectsActionsAndTheDecidingRuleIsTheFirstDisposition() throws {
        let engine = try engine([
            ("tag-crawler", #"report.source.type == "crawler""#, [.tag("crawler")], true),
            ("dup", "case.duplicate", [.close(reason: "duplicate")], false),
        ])
        let verdict = engine.decide(facts(["report.source.type": .string("crawler"), "case.duplicate": .bool(true)]))
        #expect(verdict.rule == "dup")
        #expect(verdict.actions == [.tag("crawler"), .close(reason: "duplicate")])
        #expect(verdict.matchedRules == ["tag-crawler", "dup"])
    }

    @Test func defaultRunsWhenNoMatchedRuleDecided() throws {
        let engine = try engine([("tag-crawler", #"report.source.type == "crawler""#, [.tag("crawler")], true)])
        let tagged = engine.decide(facts(["report.source.type": .string("crawler")]))
        #expect(tagged.rule == "default")
        #expect(tagged.outcome == .escalate)
        #expect(tagged.actions == [.tag("crawler"), .escalate(queue: "analysts", reason: "none", priority: .normal)])
        let nothing = engine.decide(facts([:]))
        #expect(nothing.rule == "default")
        #expect(nothing.matchedRules.isEmpty)
        #expect(nothing.trace.isEmpty)
    }

    @Test func traceSaysWhichPredicatesHeldAndWhatTheySaw() throws {
        let engine = try engine([("local", #"hosting.country in ["NL", "BE"] and hosting.abuse_email exists"#, [.close(reason: "x")], false)])
        let verdict = engine.decide(facts(["hosting.country": .string("NL"), "hosting.abuse_email": .string("abuse@example.net")]))
        #expect(verdict.trace.map(\.rule) == ["local"])
        #expect(
            verdict.trace[0].steps.map(\.text) == [
                #"hosting.country in ["NL", "BE"]: true (hosting.country = "NL")"#,
                #"hosting.abuse_email exists: true (hosting.abuse_email = "abuse@example.net")"#,
            ])
        #expect(
            verdict.trace[0].json.serialized
                == #"{"rule":"local","steps":[{"condition":"hosting.country in [\"NL\", \"BE\"]","result":true,"field":"hosting.country","value":"NL"},{"condition":"hosting.abuse_email exists","result":true,"field":"hosting.abuse_email","value":"abuse@example.net"}]}"#
        )
    }

    @Test func explainEvaluatesEveryPredicateOfEveryRule() throws {
        let engine = try engine([
            ("a", #"case.duplicate and hosting.country == "NL""#, [.close(reason: "a")], false),
            ("b", "hosting.country exists", [.close(reason: "b")], false),
            ("c", "hosting.country exists", [.close(reason: "c")], false),
        ])
        let explanation = engine.explain(facts(["hosting.country": .string("NL")]))
        #expect(explanation.rules.map(\.matched) == [false, true, true])
        #expect(explanation.rules.map(\.reached) == [true, true, false])
        #expect(
            explanation.rules[0].steps.map(\.text) == [
                "case.duplicate: false (case.duplicate absent)",
                #"hosting.country == "NL": true (hosting.country = "NL")"#,
            ])
        #expect(explanation.verdict.rule == "b")
    }

    @Test func warnsAboutRulesShadowedByEarlierOnes() {
        var content = RuleFileContent(file: "w.yaml")
        for (line, name, condition) in [(1, "always", "true"), (2, "never", "case.duplicate")] {
            let at = SourceLocation(file: "w.yaml", line: line, column: 3)
            content.rules.append(
                RuleDraft(
                    name: name, nameLocation: at, condition: ExpressionSource(text: condition, location: at), actions: [.close(reason: "x")], continues: false,
                    location: at))
        }
        content.defaultActions = [.close(reason: "d")]
        content.defaultLocation = location
        let diagnostics = RuleSetCompiler.compile([content], digest: "d").1.map(\.description)
        #expect(diagnostics == ["w.yaml:2:3: warning: rule \"never\" can never match: rule \"always\" before it always matches [unreachable-rule]"])
    }

    @Test func sameConditionTwiceIsUnreachable() {
        var content = RuleFileContent(file: "w.yaml")
        for (line, name) in [(1, "first"), (2, "second")] {
            let at = SourceLocation(file: "w.yaml", line: line, column: 3)
            content.rules.append(
                RuleDraft(
                    name: name, nameLocation: at, condition: ExpressionSource(text: line == 1 ? "case.duplicate" : "case.duplicate  ", location: at),
                    actions: [.close(reason: "x")], continues: false, location: at))
        }
        content.defaultActions = [.close(reason: "d")]
        content.defaultLocation = location
        #expect(
            RuleSetCompiler.compile([content], digest: "d").1.map(\.description) == [
                "w.yaml:2:3: warning: rule \"second\" can never match: rule \"first\" has the same condition and stops evaluation [unreachable-rule]"
            ])
    }

    @Test func duplicateRuleNamesAndMissingDefaultAreErrors() {
        var content = RuleFileContent(file: "d.yaml")
        for line in [3, 7] {
            let at = SourceLocation(file: "d.yaml", line: line, column: 5)
            content.rules.append(
                RuleDraft(
                    name: "same", nameLocation: at.advanced(by: 6), condition: ExpressionSource(text: "hosting.cdn", location: at),
                    actions: [.close(reason: "x")], continues: true, location: at))
        }
        let (set, diagnostics) = RuleSetCompiler.compile([content], digest: "d")
        #expect(set == nil)
        #expect(
            diagnostics.map(\.description) == [
                "d.yaml:1:1: error: no \"default\" in the rule set; it is required and decides what happens when no rule matches [missing-default]",
                "d.yaml:7:11: error: rule \"same\" is already defined at d.yaml:3:11 [duplicate-rule]",
            ])
    }
}
