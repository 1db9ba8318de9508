import HotlineCore
import Testing
@testable import HotlineConfig

@Suite struct RuleTestFileTests {
    let rules = """
        version: 1
        rules:
          - name: dup
            when: case.duplicate
            then: [{close: duplicate}]
          - name: local
            when: hosting.country == "NL"
            then:
              - notify: { to: hosting, template: ntd-first }
        default:
          - escalate: { reason: "no rule" }
        """

    func engine() throws -> DecisionEngine {
        DecisionEngine(ruleSet: try #require(RuleLoader.compile(sources: [("r.yaml", rules)]).ruleSet))
    }

    @Test func runsTestsAndReportsExpectedVersusGot() throws {
        let text = """
            rule_files: [r.yaml]
            tests:
              - name: passes
                report: { url: "https://example.com/a" }
                facts: { hosting.country: NL }
                expect:
                  rule: local
                  actions:
                    - notify: { to: hosting, template: ntd-first, deadline: 24h }
              - name: lists of addresses are facts too
                report: { url: "https://example.com/a" }
                facts: { hosting.country: NL, hosting.ips: [192.0.2.1, "2001:db8::1"] }
                expect: { rule: local }
              - name: fails
                report: { url: "https://example.com/a" }
                facts: { case.duplicate: true }
                expect:
                  rule: local
                  outcome: notify
                  actions:
                    - notify: { to: hosting, template: ntd-first }
            """
        let (file, diagnostics) = RuleTestFile.parse(text, file: "tests/t.yaml")
        #expect(diagnostics.isEmpty)
        let loaded = try #require(file)
        #expect(loaded.ruleFiles == ["tests/r.yaml"])
        let engine = try engine()
        #expect(RuleTestRunner.run(loaded.tests[0], engine: engine).isEmpty)
        #expect(loaded.tests[1].facts.last?.value == .ips([IPAddress("192.0.2.1")!, IPAddress("2001:db8::1")!]))
        #expect(RuleTestRunner.run(loaded.tests[1], engine: engine).isEmpty)
        #expect(RuleTestRunner.run(loaded.tests[2], engine: engine).map(\.description) == [
            "tests/t.yaml:14:5: test \"fails\": rule\n  expected: local\n  got:      dup",
            "tests/t.yaml:14:5: test \"fails\": outcome\n  expected: notify\n  got:      close",
            "tests/t.yaml:14:5: test \"fails\": actions\n  expected: [{\"notify\":{\"to\":\"hosting\",\"template\":\"ntd-first\",\"deadline\":\"24h\"}}]\n  got:      [{\"close\":{\"reason\":\"duplicate\"}}]",
        ])
    }

    @Test func reportsBadTestsWithPositions() {
        let text = """
            rule_files: [r.yaml]
            tests:
              - name: bad
                report: { url: "ftp://example.com/" }
                facts: { hosting.contry: NL, hash.match: maybe, hosting.asn: many }
                expect: { outcome: tag, rules: x }
            """
        let (file, diagnostics) = RuleTestFile.parse(text, file: "t.yaml")
        #expect(file == nil)
        #expect(diagnostics.map(\.description) == [
            "t.yaml:4:13: error: report: field \"url\" has scheme \"ftp\"; only http and https are accepted: \"ftp://example.com/\" [invalid-value]",
            "t.yaml:5:14: error: unknown field \"hosting.contry\" in facts; did you mean \"hosting.country\"? [unknown-field]",
            "t.yaml:5:46: error: \"maybe\" is not a value of hash.match; expected one of known, similar, none, allowlisted [unknown-value]",
            "t.yaml:5:66: error: fact \"hosting.asn\" is a number, got \"many\" [type-mismatch]",
            "t.yaml:6:29: error: unknown key \"rules\" in expect; did you mean \"rule\"? [unknown-key]",
            "t.yaml:6:24: error: \"outcome\" must be notify, forward, escalate or close, got \"tag\" [invalid-value]",
        ])
    }
}

@Suite struct GatewayConfigTests {
    @Test func readsEveryKeyAndResolvesPathsRelativeToTheFile() throws {
        let (config, diagnostics) = GatewayConfig.parse("version: 1\nhotline: {name: H, country: BE}\nrules: [a, /abs/b]\nstorage: sqlite\ningest: {batch_size: 50}\n", file: "/etc/hotline/hotline.yaml")
        #expect(diagnostics.isEmpty)
        let loaded = try #require(config)
        #expect(loaded.hotlineName == "H")
        #expect(loaded.country == "BE")
        #expect(loaded.rulePaths == ["/etc/hotline/a", "/abs/b"])
        #expect(loaded.batchSize == 50)
    }

    @Test func collectsEveryProblem() {
        let (config, diagnostics) = GatewayConfig.parse("version: 1\nhotline: {country: nl, nmae: x}\nstorage: mysql\ningest: {batch_size: 0}\n", file: "c.yaml")
        #expect(config == nil)
        #expect(diagnostics.map(\.description) == [
            "c.yaml:2:24: error: unknown key \"nmae\" in hotline; did you mean \"name\"? [unknown-key]",
            "c.yaml:2:20: error: \"country\" must be a two-letter uppercase ISO 3166 code, got \"nl\" [invalid-value]",
            "c.yaml:3:10: error: \"storage\" must be sqlite (the embedded default), got \"mysql\" [invalid-value]",
            "c.yaml:4:22: error: \"batch_size\" must be a whole number from 1 to 100000, got \"0\" [invalid-value]",
        ])
    }
}
