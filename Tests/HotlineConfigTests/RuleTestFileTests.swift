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
        #expect(
            RuleTestRunner.run(loaded.tests[2], engine: engine).map(\.description) == [
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
        #expect(
            diagnostics.map(\.description) == [
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
        let (config, diagnostics) = GatewayConfig.parse(
            "version: 1\nhotline: {name: H, country: BE}\nrules: [a, /abs/b]\nstorage: sqlite\ningest: {batch_size: 50}\n", file: "/etc/hotline/hotline.yaml")
        #expect(diagnostics.isEmpty)
        let loaded = try #require(config)
        #expect(loaded.hotlineName == "H")
        #expect(loaded.country == "BE")
        #expect(loaded.rulePaths == ["/etc/hotline/a", "/abs/b"])
        #expect(loaded.batchSize == 50)
    }

    @Test func collectsEveryProblem() {
        let (config, diagnostics) = GatewayConfig.parse(
            "version: 1\nhotline: {country: nl, nmae: x}\nstorage: mysql\ningest: {batch_size: 0}\n", file: "c.yaml")
        #expect(config == nil)
        #expect(
            diagnostics.map(\.description) == [
                "c.yaml:2:24: error: unknown key \"nmae\" in hotline; did you mean \"name\"? [unknown-key]",
                "c.yaml:2:20: error: \"country\" must be a two-letter uppercase ISO 3166 code, got \"nl\" [invalid-value]",
                "c.yaml:3:10: error: \"storage\" must be sqlite (the embedded default) or postgres://USER@HOST:PORT/DATABASE, got \"mysql\" [invalid-value]",
                "c.yaml:4:22: error: \"batch_size\" must be a whole number from 1 to 100000, got \"0\" [invalid-value]",
            ])
    }

    @Test func storageIsSQLiteOrAPostgreSQLURLWithThePasswordKeptOutOfTheConfig() throws {
        func problems(_ storage: String) -> [String] { GatewayConfig.parse("version: 1\nstorage: \(storage)\n", file: "s.yaml").1.map(\.description) }
        #expect(
            problems("postgres://hotline:secret@db.test/hotline") == [
                "s.yaml:2:10: error: the storage URL must not hold the password; name an environment variable in password_env or a file in password_file [invalid-value]"
            ])
        #expect(
            problems("postgres://db.test/hotline") == [
                "s.yaml:2:10: error: the storage URL needs a user and a host: postgres://USER@HOST:PORT/DATABASE, got postgres://db.test/hotline [invalid-value]"
            ])
        #expect(
            problems("postgres://hotline@db.test") == [
                "s.yaml:2:10: error: the storage URL needs a database name after the host: postgres://USER@HOST:PORT/DATABASE, got postgres://hotline@db.test [invalid-value]"
            ])
        #expect(
            problems("postgres://hotline@db.test/h?pool=3") == [
                "s.yaml:2:10: error: unknown storage URL option pool=3; known: sslmode=disable|require, connections=1…64 [invalid-value]"
            ])
        #expect(
            problems("{ url: postgres://hotline@db.test/h, password_env: A, password_file: b }") == [
                "s.yaml:2:79: error: give the storage password in password_env or password_file, not both [invalid-value]"
            ])
        #expect(
            problems("{ url: postgres://hotline@db.test/h, passwd_env: A }") == [
                "s.yaml:2:47: error: unknown key \"passwd_env\" in storage; did you mean \"password_env\"? [unknown-key]"
            ])

        let (config, diagnostics) = GatewayConfig.parse(
            "version: 1\nstorage: { url: \"postgres://hotline@db.test:6432/h?sslmode=require&connections=8\", password_env: DB_PASSWORD }\n",
            file: "/etc/h/s.yaml")
        #expect(diagnostics.isEmpty, "\(diagnostics)")
        guard case .postgres(let settings)? = config?.storage else {
            Issue.record("not a PostgreSQL store: \(String(describing: config?.storage))")
            return
        }
        #expect(
            settings
                == PostgresSettings(
                    host: "db.test", port: 6432, username: "hotline", password: .environment("DB_PASSWORD", namedBy: "storage.password_env"), database: "h",
                    requireTLS: true, connections: 8))
        #expect(try settings.password?.reveal(environment: ["DB_PASSWORD": "from-the-environment"]) == "from-the-environment")
        #expect(throws: SecretError.self) { try settings.password?.reveal(environment: [:]) }
        #expect((try? settings.password?.reveal(environment: [:])) == nil)
        do {
            _ = try settings.password?.reveal(environment: [:])
        } catch {
            #expect(error.message == "the environment variable DB_PASSWORD named by storage.password_env is not set")
        }
        #expect(GatewayConfig.parse("version: 1\n", file: "d.yaml").0?.storage == .sqlite, "SQLite by default")
    }
}
