import ArgumentParser
import Foundation
import HotlineApp
import HotlineConfig
import HotlineCore
import HotlineYAML

/// `hotline rules …`.
struct RulesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rules",
        abstract: "Check, test and explain rule files.",
        subcommands: [RulesCheckCommand.self, RulesTestCommand.self, RulesExplainCommand.self, RulesFieldsCommand.self, RulesReplayCommand.self]
    )
}

/// `hotline rules check [PATH…]`.
struct RulesCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check rule files; prints every problem as PATH:LINE:COLUMN: error|warning: MESSAGE [CODE].")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Rule files or directories (default: Rules/).")
    var paths: [String] = []

    @Option(help: "The templates the rules' names are checked against (default: the config's templates directory).")
    var templates: String?

    /// How the result is printed.
    enum Format: String, ExpressibleByArgument { case text, json }

    @Option(help: "text (diagnostics on standard error) or json (one object on standard output, for CI and editors).")
    var format: Format = .text

    func run() throws {
        let result = RuleLoader.load(paths: paths.isEmpty ? ["Rules"] : paths)
        var diagnostics = result.diagnostics
        // Every problem in one run: the config's, the templates' and the rules' together, and
        // a check that could not be made is an error, never a silent pass.
        var templatesPath = templates
        if templatesPath == nil {
            do {
                let (assembly, warnings) = try global.loadAssembly()
                diagnostics += warnings
                templatesPath = assembly.config.dispatch.templatesPath
            } catch  where !error.diagnostics.isEmpty {
                diagnostics += error.diagnostics
            } catch {
                diagnostics.append(
                    .error(
                        .io, "\(error.message); the templates the rules name were not checked (or pass --templates DIR)",
                        at: SourceLocation(file: global.config, line: 1, column: 1)))
            }
        }
        if let templatesPath {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: templatesPath, isDirectory: &isDirectory), isDirectory.boolValue {
                diagnostics += TemplateLoader.load(templatesPath).1
                diagnostics += TemplateLoader.check(result.contents, againstDirectory: templatesPath)
            } else {
                diagnostics.append(
                    .error(
                        .io, "no templates directory, so the templates the rules name cannot be checked; pass --templates DIR or --config FILE",
                        at: SourceLocation(file: templatesPath, line: 1, column: 1)))
            }
        }
        diagnostics = diagnostics.sortedByLocation
        let errors = diagnostics.filter { $0.severity == .error }.count
        let warnings = diagnostics.count - errors
        if format == .json {
            let ok = result.ruleSet != nil && errors == 0
            Output.out(
                JSONValue.object([
                    "ok": .bool(ok), "files": .array(result.files.map { .string($0) }),
                    "rules": ok ? .number(Double(result.ruleSet?.rules.count ?? 0)) : .null,
                    "rules_version": ok ? .string(result.ruleSet?.digest ?? "") : .null, "errors": .number(Double(errors)),
                    "warnings": .number(Double(warnings)), "diagnostics": .array(diagnostics.map(\.json)),
                ]).serialized + "\n")
            if !ok { throw ExitCode(1) }
            return
        }
        Output.printDiagnostics(diagnostics)
        guard let ruleSet = result.ruleSet, errors == 0 else {
            Output.err("\(errors) error\(errors == 1 ? "" : "s"), \(warnings) warning\(warnings == 1 ? "" : "s")\n")
            throw ExitCode(1)
        }
        Output.out(
            "rules OK: \(result.files.count) file\(result.files.count == 1 ? "" : "s"), \(ruleSet.rules.count) rules, \(warnings) warning\(warnings == 1 ? "" : "s"); \(ruleSet.digest)\n"
        )
    }
}

/// `hotline rules test [PATH…]`.
struct RulesTestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Run rule tests (YAML files with rule_files and tests); exits 1 on any failure.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Test files or directories (default: Rules/tests/).")
    var paths: [String] = []

    @Option(name: .customLong("run"), help: "Run only the tests whose name matches this regular expression (as promtool's --run).")
    var selection: String?

    @Option(help: "Also write the results as JUnit XML to this file, for CI.")
    var junit: String?

    func validate() throws {
        if let selection, (try? NSRegularExpression(pattern: selection)) == nil {
            throw ValidationError("--run must be a regular expression, got \(JSONValue.string(selection).serialized)")
        }
    }

    func run() throws {
        let testFiles: [String]
        do {
            testFiles = try RuleLoader.ruleFiles(paths.isEmpty ? ["Rules/tests"] : paths)
        } catch {
            Output.printDiagnostics([error])
            throw ExitCode(1)
        }
        let filter = try selection.map { try NSRegularExpression(pattern: $0) }
        var passed = 0
        var failed = 0
        var skipped = 0
        var broken = false
        var report = JUnitReport()
        for file in testFiles {
            let (testFile, diagnostics) = RuleTestFile.load(file)
            Output.printDiagnostics(diagnostics)
            guard let testFile else {
                broken = true
                report.error(file: file, message: diagnostics.map(\.description).joined(separator: "\n"))
                continue
            }
            let load = RuleLoader.load(paths: testFile.ruleFiles)
            Output.printDiagnostics(load.diagnostics.filter { $0.severity == .error })
            guard let ruleSet = load.ruleSet else {
                Output.err("\(file): rule files did not load; \(testFile.tests.count) tests not run\n")
                broken = true
                report.error(file: file, message: load.diagnostics.filter { $0.severity == .error }.map(\.description).joined(separator: "\n"))
                continue
            }
            let engine = DecisionEngine(ruleSet: ruleSet)
            for test in testFile.tests {
                if let filter, filter.firstMatch(in: test.name, range: NSRange(test.name.startIndex..., in: test.name)) == nil {
                    skipped += 1
                    continue
                }
                let started = Date()
                let failures = RuleTestRunner.run(test, engine: engine)
                report.add(file: file, test: test.name, failures: failures.map(\.description), seconds: Date().timeIntervalSince(started))
                if failures.isEmpty {
                    passed += 1
                    Output.out("PASS \(test.name)\n")
                } else {
                    failed += 1
                    Output.out("FAIL \(test.name)\n")
                    for failure in failures { Output.out(failure.description + "\n") }
                }
            }
        }
        Output.out("rules: \(passed) passed, \(failed) failed\(selection == nil ? "" : ", \(skipped) not selected")\n")
        if let junit {
            do {
                try report.xml.write(toFile: junit, atomically: true, encoding: .utf8)
            } catch {
                Output.err("hotline: cannot write \(junit): \(error.localizedDescription)\n")
                throw ExitCode(2)
            }
        }
        if let selection, passed + failed == 0 {
            Output.err("hotline: no test matches --run \(JSONValue.string(selection).serialized)\n")
            throw ExitCode(1)
        }
        if failed > 0 || broken { throw ExitCode(1) }
    }
}

/// `hotline rules explain`.
struct RulesExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Show which rules match a report and why.",
        discussion: """
            Reads one report (a JSON object) from FILE or standard input, adds the facts given with
            --fact NAME=VALUE or --facts FILE (YAML or JSON mapping), and prints every rule with
            each condition's result and the value it saw.

            --enrich looks the report up as intake would, in the --data-dir store: its hashes in
            the hash lists (as claims, or as evidence with --trust-hashes), its host in the contact
            directory, the imported IP tables and the cache (DNS and RDAP only as the config or
            --dns/--rdap say). --id REPORT explains a stored report's last decision: the facts it
            saw, under the rules in force now (or --rules). --fact and --facts override either.
            """)

    @OptionGroup var resolver: ResolverOptions

    @Flag(help: "Add the facts intake would find: hash lists, directory, IP tables (from --data-dir).")
    var enrich = false

    @Flag(help: "With --enrich, the report's hashes count as evidence (as ingest --trust-hashes).")
    var trustHashes = false

    @Option(help: "Explain a stored report (by id) with the facts its last decision saw.")
    var id: String?

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: "Rule files or directories (default: from the config).")
    var rules: [String] = []

    @Option(name: .long, help: "A fact to assume, as NAME=VALUE (repeatable).")
    var fact: [String] = []

    @Option(name: .long, help: "A YAML or JSON file mapping fact names to values.")
    var facts: String?

    @Flag(name: .long, help: "Print JSON instead of text.")
    var json = false

    @Option(help: "The event to explain: report (default), notice.overdue, notice.removed, delivery.failed or forward.stale.")
    var on: String = "report"

    @Argument(help: "The report: a JSON file, or - for standard input.")
    var report: String = "-"

    func validate() throws {
        if id != nil && enrich { throw ValidationError("--id explains the facts a stored decision saw; --enrich is for a report given as a file") }
        if trustHashes && !enrich { throw ValidationError("--trust-hashes needs --enrich") }
    }

    func run() throws {
        let gateway = try global.assembly(try resolver.apply(to: GatewayOverrides(rulePaths: rules.isEmpty ? nil : rules)))
        let ruleSet = try Output.ruleSet(gateway)
        // The facts to explain: a stored decision's, or those of the report given.
        var factValues: Facts
        var submission: ReportSubmission?
        if let id {
            let store = try global.openStore(gateway)
            guard let latest = try store.latestDecision(reportID: id) else {
                Output.err("hotline: no decided report \(JSONValue.string(id).serialized) in \(global.dataDir)\n")
                throw ExitCode(1)
            }
            factValues = latest.facts
        } else {
            let given = try readReport()
            submission = given
            factValues = RuleTestRunner.facts(
                for: RuleTestCase(name: "explain", location: SourceLocation(file: report, line: 1, column: 1), report: given, facts: []))
        }
        var assumed: [(fact: Fact, value: FactValue?)] = []
        var problems: [String] = []
        var pairs: [(String, String, String)] = []
        if let facts {
            let text: String
            do {
                text = try RuleLoader.readText(facts)
            } catch {
                Output.printDiagnostics([error])
                throw ExitCode(2)
            }
            do {
                if let node = try YAMLParser.parse(text, file: facts).node, case .mapping(let entries) = node.kind {
                    for entry in entries {
                        pairs.append((entry.key.scalar ?? "", entry.value.scalar ?? "", "\(facts):\(entry.key.location.line)"))
                    }
                } else {
                    problems.append("\(facts): must be a mapping of fact names to values")
                }
            } catch {
                Output.printDiagnostics([error])
                throw ExitCode(2)
            }
        }
        for item in fact {
            guard let equals = item.firstIndex(of: "=") else {
                problems.append("--fact \(item): expected NAME=VALUE")
                continue
            }
            pairs.append((String(item[..<equals]), String(item[item.index(after: equals)...]), "--fact \(item)"))
        }
        for (name, value, origin) in pairs {
            guard let field = Facts.schema[name] else {
                var message = "\(origin): unknown field \"\(name)\""
                if let suggestion = Facts.schema.suggestion(for: name) { message += "; did you mean \"\(suggestion)\"?" }
                problems.append(message)
                continue
            }
            guard let parsed = FactValue(text: value, as: field.type) else {
                problems.append("\(origin): \(name) is a \(field.type.rawValue), got \(JSONValue.string(value).serialized)")
                continue
            }
            assumed.append((Fact(rawValue: field.index)!, parsed))
        }
        if !problems.isEmpty {
            for problem in problems { Output.err(problem + "\n") }
            throw ExitCode(2)
        }
        guard let event = RuleEvent(rawValue: on) else {
            Output.err("--on must be one of \(RuleEvent.allCases.map(\.rawValue).joined(separator: ", ")), got \(JSONValue.string(on).serialized)\n")
            throw ExitCode(2)
        }
        let engine = DecisionEngine(ruleSet: ruleSet)
        if enrich, let submission { try enrichAsIntake(&factValues, submission, gateway: gateway, ruleSet: ruleSet) }
        for item in assumed { factValues[item.fact] = item.value }
        let explanation = engine.explain(factValues, on: event)
        if json {
            let rulesJSON = explanation.rules.map { result -> JSONValue in
                .object([
                    "rule": .string(result.rule), "matched": .bool(result.matched), "reached": .bool(result.reached), "steps": .array(result.steps.map(\.json)),
                ])
            }
            let object: JSONObject = [
                "rule": .string(explanation.verdict.rule), "outcome": .string(explanation.verdict.outcome.rawValue),
                "actions": explanation.verdict.actions.json, "rules_version": .string(ruleSet.digest),
                "facts": .object(factValues.json), "rules": .array(rulesJSON),
            ]
            Output.out(JSONValue.object(object).serialized + "\n")
            return
        }
        var text = ""
        for result in explanation.rules {
            let state = result.matched ? (result.reached ? "MATCH" : "match (not reached)") : "no match"
            text += "\(result.rule): \(state)\n"
            for step in result.steps { text += "    \(step.text)\n" }
        }
        let verdict = explanation.verdict
        text += "decision: \(verdict.outcome.rawValue) by \(verdict.rule)\n"
        text += "actions: \(verdict.actions.json.serialized)\n"
        text += "rules: \(ruleSet.digest)\n"
        Output.out(text)
    }

    /// The report from the file argument or standard input; exits 2 when it is unusable.
    private func readReport() throws -> ReportSubmission {
        let data: Data
        if report == "-" {
            data = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            guard let contents = FileManager.default.contents(atPath: report) else {
                Output.err("hotline: cannot read \(report)\n")
                throw ExitCode(2)
            }
            data = contents
        }
        do {
            return try ReportSubmission.parse(json: Array(data))
        } catch {
            Output.err("hotline: report: \(error.message)\n")
            throw ExitCode(2)
        }
    }

    /// What intake would add without fetching: the hashes against the lists (claims, or
    /// evidence with --trust-hashes), then hosting and the other enrichers.
    private func enrichAsIntake(_ facts: inout Facts, _ submission: ReportSubmission, gateway: GatewayAssembly, ruleSet: RuleSet) throws {
        let store = try global.openStore(gateway)
        let (parts, warnings) = try Output.setup { try gateway.parts(store: store, ruleSet: ruleSet) }
        Output.printDiagnostics(warnings)
        let intake = submission.report(id: "explain", now: Date())
        let claimed = parts.hashIndex.match(intake.hashes)
        claimed?.applyClaimed(to: &facts)
        if trustHashes { claimed?.apply(to: &facts, source: .reported) }
        let enrichers = gateway.enrichers(parts: parts, store: store)
        for enricher in enrichers { enricher.prepare([intake.url]) }
        for enricher in enrichers { enricher.enrich(intake, facts: &facts) }
    }
}

/// `hotline rules fields`: the facts rules can read.
struct RulesFieldsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fields",
        abstract: "List the fields rules can read: name, type, allowed values, meaning.")

    func run() throws {
        func pad(_ text: String, _ width: Int) -> String { text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count) }
        var text = ""
        for field in FieldSchema.standard.fields {
            let values = field.allowedValues?.joined(separator: " | ") ?? "-"
            text += pad(field.name, 28) + pad(field.type.rawValue, 10) + pad(values, 30) + field.summary + "\n"
        }
        Output.out(text)
    }
}

/// `hotline rules replay --since 30d --rules DIR`.
struct RulesReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Re-decide stored reports with their recorded facts under other rules and show what would change. Sends and stores nothing.")

    @OptionGroup var global: GlobalOptions

    @Option(help: "Rule files or directories to try (default: the config's).")
    var rules: [String] = []

    @Option(help: "Reports decided this far back (30d, 12h).")
    var since = "30d"

    @Option(help: "How many changed reports to list.")
    var limit = 50

    @Flag(help: "Print JSON.")
    var json = false

    func validate() throws {
        try ArgumentChecks.span(since, option: "--since")
        try ArgumentChecks.count(limit, option: "--limit", in: 0...100_000)
    }

    func run() throws {
        let gateway = try global.assembly(GatewayOverrides(rulePaths: rules.isEmpty ? nil : rules))
        let ruleSet = try Output.ruleSet(gateway)
        guard let span = TimeSpan(since) else {
            Output.err("hotline: --since must be a duration like 30d, got \(JSONValue.string(since).serialized)\n")
            throw ExitCode(2)
        }
        let store = try global.openStore(gateway)
        let started = Date()
        let result = try store.replay(ruleSet: ruleSet, since: Date().addingTimeInterval(-TimeInterval(span.seconds)), keep: limit)
        let seconds = Date().timeIntervalSince(started)
        if json {
            Output.out(result.json.serialized + "\n")
        } else {
            Output.out("replayed \(result.total) reports decided in the last \(since) under \(ruleSet.digest): \(result.changed) would change\n")
            Output.out("outcomes now:   " + result.outcomesBefore.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ") + "\n")
            Output.out("outcomes after: " + result.outcomesAfter.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ") + "\n")
            for (move, count) in result.outcomeMoves.sorted(by: { ($1.value, $0.key) < ($0.value, $1.key) }) { Output.out("  \(count)\toutcome \(move)\n") }
            for (move, count) in result.ruleMoves.sorted(by: { ($1.value, $0.key) < ($0.value, $1.key) }) { Output.out("  \(count)\trule \(move)\n") }
            if !result.changes.isEmpty { Output.out("reports that move (first \(result.changes.count)):\n") }
            for change in result.changes {
                Output.out(
                    "  \(change.reportID) \(change.url): \(change.before.rule)/\(change.before.outcome) → \(change.after.rule)/\(change.after.outcome)\(change.actionsOnly ? " (actions only)" : "")\n"
                )
            }
        }
        Output.err(
            "replay: \(result.total) reports in \(String(format: "%.2f", seconds)) s (\(seconds > 0 ? Int(Double(result.total) / seconds) : result.total)/s); nothing sent, nothing stored\n"
        )
    }
}
