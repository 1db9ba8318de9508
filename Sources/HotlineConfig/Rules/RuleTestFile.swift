import Foundation
import HotlineCore
import HotlineYAML

/// A rule test file, in the spirit of `promtool test rules`:
///
/// ```yaml
/// rule_files: [../nl-hotline.yaml]
/// tests:
///   - name: known material at a Dutch hoster is notified
///     report: { url: "https://example.com/a.jpg" }
///     facts: { hash.match: known, hash.classification: A1, hosting.country: NL }
///     expect:
///       rule: known-material-at-local-hoster
///       outcome: notify
///       actions:
///         - notify: { to: hosting, template: ntd-first, deadline: 24h }
/// ```
public struct RuleTestFile: Sendable {
    /// The test file's path.
    public var file: String
    /// Rule files, resolved relative to the test file.
    public var ruleFiles: [String]
    /// The tests.
    public var tests: [RuleTestCase]

    /// Reads a test file; `nil` with diagnostics when it cannot be used.
    public static func load(_ path: String) -> (RuleTestFile?, [Diagnostic]) {
        let text: String
        do {
            text = try RuleLoader.readText(path)
        } catch {
            return (nil, [error])
        }
        return parse(text, file: path)
    }

    /// Parses test file text.
    public static func parse(_ text: String, file: String) -> (RuleTestFile?, [Diagnostic]) {
        var reader: YAMLReader
        let root: YAMLNode?
        do {
            (root, reader) = try YAMLReader.start(text, file: file)
        } catch {
            return (nil, [error])
        }
        guard let root, let top = reader.mapping(root, allowed: ["rule_files", "tests"], required: ["rule_files", "tests"], what: "the rule test file") else {
            if root == nil {
                reader.error(.missingKey, "test file is empty; it needs rule_files and tests", at: SourceLocation(file: file, line: 1, column: 1))
            }
            return (nil, reader.diagnostics)
        }
        let directory = (file as NSString).deletingLastPathComponent
        var ruleFiles: [String] = []
        if let node = top["rule_files"], let items = reader.sequence(node, key: "rule_files") {
            for item in items {
                guard let path = reader.string(item, key: "rule_files") else { continue }
                ruleFiles.append(path.hasPrefix("/") || directory.isEmpty ? path : directory + "/" + path)
            }
        }
        var tests: [RuleTestCase] = []
        if let node = top["tests"], let items = reader.sequence(node, key: "tests") {
            for item in items {
                if let test = parseTest(item, reader: &reader) { tests.append(test) }
            }
        }
        if reader.diagnostics.containsErrors { return (nil, reader.diagnostics) }
        return (RuleTestFile(file: file, ruleFiles: ruleFiles, tests: tests), reader.diagnostics)
    }

    private static func parseTest(_ node: YAMLNode, reader: inout YAMLReader) -> RuleTestCase? {
        let schema = FieldSchema.standard
        guard let fields = reader.mapping(node, allowed: ["name", "on", "report", "facts", "expect"], required: ["name", "report", "expect"], what: "a test")
        else { return nil }
        let name = fields["name"].flatMap { reader.string($0, key: "name") }
        var report: ReportSubmission?
        if let reportNode = fields["report"] {
            do {
                report = try ReportSubmission.parse(reportNode.json)
            } catch {
                reader.error(.invalidValue, "report: \(error.message)", at: reportNode.location)
            }
        }
        var facts: [(fact: Fact, value: FactValue?)] = []
        if let factsNode = fields["facts"], case .mapping(let pairs) = factsNode.kind {
            for pair in pairs {
                guard let fieldName = pair.key.scalar else { continue }
                guard let field = schema[fieldName] else {
                    var message = "unknown field \"\(fieldName)\" in facts"
                    if let suggestion = schema.suggestion(for: fieldName) { message += "; did you mean \"\(suggestion)\"?" }
                    reader.error(.unknownField, message, at: pair.key.location)
                    continue
                }
                let fact = Fact(rawValue: field.index)!
                if pair.value.isNull {
                    facts.append((fact, nil))
                    continue
                }
                if field.type == .ipList, case .sequence(let items) = pair.value.kind {
                    let addresses = items.compactMap { $0.scalar.flatMap(IPAddress.init) }
                    guard addresses.count == items.count else {
                        reader.error(
                            .typeMismatch, "fact \"\(fieldName)\" is a list of IP addresses, got \(YAMLReader.show(pair.value))", at: pair.value.location)
                        continue
                    }
                    facts.append((fact, .ips(addresses)))
                    continue
                }
                guard let text = pair.value.scalar, let value = FactValue(text: text, as: field.type) else {
                    reader.error(
                        .typeMismatch, "fact \"\(fieldName)\" is a \(field.type.rawValue), got \(YAMLReader.show(pair.value))", at: pair.value.location)
                    continue
                }
                if case .string(let string) = value, let allowed = field.allowedValues, !allowed.contains(string) {
                    reader.error(
                        .unknownValue, "\(YAMLReader.show(pair.value)) is not a value of \(fieldName); expected one of \(allowed.joined(separator: ", "))",
                        at: pair.value.location)
                    continue
                }
                facts.append((fact, value))
            }
        } else if let factsNode = fields["facts"], !factsNode.isNull {
            reader.error(.invalidValue, "\"facts\" must be a mapping of field names to values, got \(factsNode.kindName)", at: factsNode.location)
        }
        var rule: String?
        var outcome: ActionKind?
        var actions: [Action]?
        if let expectNode = fields["expect"], let expect = reader.mapping(expectNode, allowed: ["rule", "outcome", "actions"], what: "expect") {
            if expect.isEmpty { reader.error(.missingKey, "expect needs at least one of rule, outcome, actions", at: expectNode.location) }
            rule = expect["rule"].flatMap { reader.string($0, key: "rule") }
            if let node = expect["outcome"] {
                outcome = node.scalar.flatMap(ActionKind.init(rawValue:))
                if outcome == nil || outcome == .tag {
                    reader.error(.invalidValue, "\"outcome\" must be notify, forward, escalate or close, got \(YAMLReader.show(node))", at: node.location)
                }
            }
            if let node = expect["actions"] { actions = ActionParser.actions(node, key: "actions", reader: &reader) }
        }
        let event = fields["on"].flatMap { reader.event($0) } ?? .report
        guard let name, let report else { return nil }
        return RuleTestCase(
            name: name, location: node.location, report: report, facts: facts, expectedRule: rule, expectedOutcome: outcome, expectedActions: actions,
            event: event)
    }
}
