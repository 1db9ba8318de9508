import Foundation
import HotlineCore
import Testing

@testable import HotlineConfig

@Suite struct RuleLoaderTests {
    func check(_ text: String, file: String = "r.yaml") -> [String] {
        RuleLoader.compile(sources: [(file, text)]).diagnostics.map(\.description)
    }

    @Test func collectsEveryProblemInTheFile() {
        let text = """
            version: 1
            lists:
              local: [NL]
              spare: [BE]
            macros:
              known: hash.match == "known"
            rules:
              - name: one
                wehn: case.duplicate
                then: [{ close: duplicate }]
              - name: two
                when: known and hosting.country in locals and hash.classifcation == "A1"
                then:
                  - notfy: { to: hosting, template: ntd-first }
              - name: two
                when: hosting.country in local
                then:
                  - notify: { to: hoster, template: ntd-first, deadline: soon }
                continue: yes
            default:
              - escalate: { reason: "nobody" }
            """
        #expect(
            check(text, file: "broken.yaml") == [
                "broken.yaml:4:3: warning: list \"spare\" is never used [unused-list]",
                "broken.yaml:8:5: error: a rule is missing required key \"when\" [missing-key]",
                "broken.yaml:9:5: error: unknown key \"wehn\" in a rule; did you mean \"when\"? [unknown-key]",
                "broken.yaml:12:40: error: undefined list \"locals\"; did you mean \"local\"? [undefined-list]",
                "broken.yaml:12:51: error: unknown field \"hash.classifcation\"; did you mean \"hash.classification\"? [unknown-field]",
                "broken.yaml:14:9: error: unknown action \"notfy\"; did you mean \"notify\"? [unknown-action]",
                "broken.yaml:15:11: error: rule \"two\" is already defined at broken.yaml:11:11 [duplicate-rule]",
                "broken.yaml:18:23: error: \"to\" of notify must be hosting, registrar, upstream or contact:NAME, got \"hoster\" [invalid-value]",
                "broken.yaml:18:62: error: \"deadline\" must be a duration like 30m, 24h or 7d, got \"soon\" [invalid-value]",
                "broken.yaml:19:15: error: \"continue\" must be true or false, got \"yes\" [invalid-value]",
            ])
    }

    @Test func pointsIntoQuotedAndBlockConditions() {
        let text = """
            version: 1
            macros:
              m: |
                case.duplicate
                  and nope.x
            rules:
              - name: x
                when: m
                then: [{close: x}]
              - name: q
                when: "hosting.country == \\"NL\\" and bad.f"
                then: [{close: x}]
            default: [{close: z}]
            """
        #expect(
            check(text) == [
                "r.yaml:5:11: error: unknown field \"nope.x\" [unknown-field]",
                "r.yaml:11:42: error: unknown field \"bad.f\" [unknown-field]",
            ])
    }

    @Test func topLevelProblems() {
        #expect(
            check("version: 2\nrule: []\ndefault: [{tag: x}]\n") == [
                "r.yaml:1:10: error: unsupported version \"2\"; this gateway reads version 1 [unsupported-version]",
                "r.yaml:2:1: error: unknown key \"rule\" in the rule file; did you mean \"rules\"? [unknown-key]",
                "r.yaml:3:1: error: \"default\" must contain notify, forward, escalate or close; tags alone decide nothing [invalid-value]",
            ])
        #expect(check("") == ["r.yaml:1:1: error: rule file is empty; it needs version, rules and default [missing-key]"])
        #expect(
            check("version: 1\nrules: []\n") == [
                "r.yaml:1:1: error: no \"default\" in the rule set; it is required and decides what happens when no rule matches [missing-default]"
            ])
    }

    @Test func actionShapes() {
        let text = """
            version: 1
            rules:
              - name: a
                when: case.duplicate
                then:
                  - escalate
                  - forward: { to: interpol }
                  - escalate: { reason: x, priority: urgent }
                  - notify: { to: contact:hoster-a, template: t, batch_window: 1h, colour: red }
            default: [{close: z}]
            """
        #expect(
            check(text) == [
                "r.yaml:6:9: error: action \"escalate\" needs arguments, e.g. escalate: { reason: \"...\" } [invalid-value]",
                "r.yaml:7:24: error: \"to\" of forward must be partner, police or contact:NAME, got \"interpol\" [invalid-value]",
                "r.yaml:8:42: error: \"priority\" must be low, normal or high, got \"urgent\" [invalid-value]",
                "r.yaml:9:72: error: unknown key \"colour\" in notify; expected one of to, template, deadline, batch_window [unknown-key]",
            ])
    }

    @Test func readsActionsWithTheirDefaults() throws {
        let text = """
            version: 1
            rules:
              - name: a
                when: case.duplicate
                then:
                  - notify: { to: contact:hoster-a, template: t, batch_window: 2h }
                  - forward: { to: police, police_first: true }
                  - escalate: { reason: look, priority: high }
                  - close: { reason: done }
                  - tag: x
            default: [{close: z}]
            """
        let set = try #require(RuleLoader.compile(sources: [("r.yaml", text)]).ruleSet)
        #expect(
            set.rules[0].actions == [
                .notify(to: .contact("hoster-a"), template: "t", deadline: .hours(24), batchWindow: .hours(2)),
                .forward(to: .police, template: nil, reason: nil, policeFirst: true),
                .escalate(queue: "analysts", reason: "look", priority: .high),
                .close(reason: "done"),
                .tag("x"),
            ])
    }

    @Test func listsAndMacrosAreSharedAcrossFilesAndDefaultMustBeUnique() {
        let lists = "version: 1\nlists:\n  eu: [NL, DE]\nmacros:\n  local: hosting.country in eu\ndefault: [{close: z}]\n"
        let rules = "version: 1\nrules:\n  - name: a\n    when: local\n    then: [{close: x}]\ndefault: [{close: y}]\n"
        let result = RuleLoader.compile(sources: [("a.yaml", lists), ("b.yaml", rules)])
        #expect(result.diagnostics.map(\.description) == ["b.yaml:6:1: error: \"default\" is already defined in a.yaml [duplicate-name]"])
    }

    @Test func digestDependsOnNamesAndContentNotOnDirectory() {
        let a = RuleLoader.digest([("/x/r.yaml", "version: 1\n")])
        #expect(a == RuleLoader.digest([("/y/r.yaml", "version: 1\n")]))
        #expect(a != RuleLoader.digest([("/x/s.yaml", "version: 1\n")]))
        #expect(a != RuleLoader.digest([("/x/r.yaml", "version: 1\n\n")]))
        #expect(a.hasPrefix("sha256:") && a.count == 71)
    }
}

@Suite struct ShippedRulesTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test func shippedRulesLoadWithoutDiagnostics() throws {
        let result = RuleLoader.load(paths: [Self.root.appendingPathComponent("Rules").path])
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics)")
        let set = try #require(result.ruleSet)
        #expect(
            set.rules.map(\.name) == [
                "tag-crawler-reports", "duplicate-of-open-case", "known-material-behind-cdn", "known-material-at-local-hoster",
                "known-material-abroad-with-partner", "known-material-abroad-without-partner", "similar-to-known-material",
                "reported-hash-not-observed", "fetch-refused", "url-gone-before-action", "hosting-lookup-failed", "removed-close-case",
                "forward-removed-close-case", "forward-stale-remind-partner", "forward-stale-to-analysts", "overdue-first-reminder", "overdue-second-reminder",
                "overdue-involve-registrar",
                "overdue-to-analysts", "delivery-failed-to-analysts",
            ])
        #expect(set.rules.filter { $0.event == .report }.count == 11)
        #expect(Set(set.rules.map(\.event)) == Set(RuleEvent.allCases))
    }

    @Test func shippedRuleTestsPass() throws {
        let directory = Self.root.appendingPathComponent("Rules/tests").path
        let files = try RuleLoader.ruleFiles([directory])
        #expect(!files.isEmpty)
        var count = 0
        for file in files {
            let (testFile, diagnostics) = RuleTestFile.load(file)
            #expect(diagnostics.isEmpty, "\(diagnostics)")
            let loaded = try #require(testFile)
            let engine = DecisionEngine(ruleSet: try #require(RuleLoader.load(paths: loaded.ruleFiles).ruleSet))
            for test in loaded.tests {
                #expect(RuleTestRunner.run(test, engine: engine).isEmpty, "\(test.name)")
                count += 1
            }
        }
        #expect(count >= 10)
    }

    @Test func shippedConfigLoads() throws {
        let (config, diagnostics) = GatewayConfig.load(Self.root.appendingPathComponent("Config/hotline.yaml").path)
        #expect(diagnostics.isEmpty)
        let loaded = try #require(config)
        #expect(loaded.country == "NL")
        #expect(loaded.batchSize == 1000)
        #expect(loaded.rulePaths == [Self.root.appendingPathComponent("Config/../Rules").path])
        // Examples and tests must never reach real DNS or RDAP servers.
        #expect(loaded.dns == .off && loaded.rdap == .off)
        #expect(loaded.rdapBootstrapPath == Self.root.appendingPathComponent("Config/rdap").path)
    }
}
