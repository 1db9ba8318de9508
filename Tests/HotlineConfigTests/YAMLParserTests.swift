import Foundation
import HotlineCore
import HotlineYAML
import Testing

@testable import HotlineConfig

@Suite struct YAMLParserTests {
    @Test func keepsLineAndColumnOfEveryNode() throws {
        let node = try #require(try YAMLParser.parse("a:\n  - x\n  - {b: 'y'}\n", file: "f.yaml").node)
        guard case .mapping(let pairs) = node.kind, case .sequence(let items) = pairs[0].value.kind, case .mapping(let inner) = items[1].kind else {
            Issue.record("unexpected shape")
            return
        }
        #expect(pairs[0].key.location.description == "f.yaml:1:1")
        #expect(items[0].location.description == "f.yaml:2:5")
        #expect(inner[0].value.location.description == "f.yaml:3:9")
        #expect(inner[0].value.contentLocation.description == "f.yaml:3:10")
    }

    @Test func reportsSyntaxErrorsWithPosition() {
        #expect(
            throws: Diagnostic.error(
                .yamlSyntax,
                "did not find expected key while parsing a block mapping (from line 1); hint: check the indentation: the keys of one mapping must line up, and so must the \"- \" of one list",
                at: SourceLocation(file: "f.yaml", line: 2, column: 1))
        ) {
            try YAMLParser.parse("a: 1\n- b\n", file: "f.yaml")
        }
    }

    /// Issue 18.13: libyaml's words name its state; the hint names the usual mistake.
    @Test(arguments: [
        (
            "when: a: b\n",
            "f.yaml:1:8: error: mapping values are not allowed in this context; hint: a plain value cannot contain \": \"; quote it (\"…\"), or check that this line is not indented under a value [yaml-syntax]"
        ),
        (
            "a:\n\tb: 1\n",
            "f.yaml:2:1: error: found character that cannot start any token while scanning for the next token; hint: YAML indents with spaces, never tabs [yaml-syntax]"
        ),
        (
            "a: [1, 2\n",
            "f.yaml:2:1: error: did not find expected ',' or ']' while parsing a flow sequence (from line 1); hint: a [ list ] is not closed, or a comma is missing between its items [yaml-syntax]"
        ),
        (
            "a: \"x\n",
            "f.yaml:2:1: error: found unexpected end of stream while scanning a quoted scalar (from line 1); hint: a quote is not closed; a quote inside a quoted value is written \\\" (or '' inside single quotes) [yaml-syntax]"
        ),
    ])
    func syntaxErrorsCarryAHint(text: String, expected: String) {
        do {
            _ = try YAMLParser.parse(text, file: "f.yaml")
            Issue.record("parsed")
        } catch {
            #expect(error.description == expected)
        }
    }

    @Test func refusesBillionLaughs() {
        var text = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
        for (name, previous) in [("b", "a"), ("c", "b"), ("d", "c"), ("e", "d"), ("f", "e")] {
            text += "\(name): &\(name) [" + Array(repeating: "*\(previous)", count: 10).joined(separator: ", ") + "]\n"
        }
        #expect(
            throws: Diagnostic.error(
                .yamlLimit, "document has more than 200000 nodes after expanding aliases", at: SourceLocation(file: "l.yaml", line: 6, column: 8))
        ) {
            try YAMLParser.parse(text, file: "l.yaml")
        }
    }

    @Test func aFewLongScalarsRepeatedByAliasesAreRefusedByTheirBytes() {
        // 40 nodes in all, far under the node limit, but 64 KB repeated 1,000 times.
        var text = "a: &a \"" + String(repeating: "x", count: 65_536) + "\"\n"
        text += "b: &b [" + Array(repeating: "*a", count: 10).joined(separator: ", ") + "]\n"
        text += "c: &c [" + Array(repeating: "*b", count: 10).joined(separator: ", ") + "]\n"
        text += "d: [" + Array(repeating: "*c", count: 10).joined(separator: ", ") + "]\n"
        #expect(
            throws: Diagnostic.error(
                .yamlLimit, "document has more than 4194304 bytes of text after expanding aliases", at: SourceLocation(file: "x.yaml", line: 3, column: 28))
        ) {
            try YAMLParser.parse(text, file: "x.yaml")
        }
    }

    @Test func anAliasAsAKeyAndAliasesInMessagesAreRefused() {
        #expect(throws: Diagnostic.error(.yamlSyntax, "an alias as a mapping key is not accepted", at: SourceLocation(file: "k.yaml", line: 2, column: 1))) {
            try YAMLParser.parse("a: &k long\n*k : 1\n", file: "k.yaml")
        }
        #expect(throws: Diagnostic.error(.yamlLimit, "aliases (*name) are not accepted here", at: SourceLocation(file: "m.yaml", line: 2, column: 4))) {
            try YAMLParser.parse("a: &x 1\nb: *x\n", file: "m.yaml", limits: .message)
        }
    }

    @Test func aHugeDuplicateKeyIsQuotedCutAndAFloodOfProblemsIsCapped() throws {
        let key = String(repeating: "k", count: 100_000)
        // Keys this long must be explicit (`? key`); YAML caps simple keys at 1024 characters.
        let parsed = try YAMLParser.parse("? \(key)\n: 1\n? \(key)\n: 2\n", file: "d.yaml")
        let message = try #require(parsed.diagnostics.first?.description)
        #expect(message == "d.yaml:3:3: error: duplicate key \"\(String(repeating: "k", count: 80))\"… (100000 bytes) (first at line 1) [duplicate-key]")
        // A rule file with thousands of unknown keys reports the first 500 and says so.
        let rules = "version: 1\nrules:\n  - name: r\n    when: report.host exists\n    then: [{ close: x }]\n" + (0..<5000).map { "    k\($0): 1\n" }.joined()
        let (_, diagnostics) = RuleFileParser.parse(rules, file: "r.yaml")
        #expect(diagnostics.count == 501, "\(diagnostics.count)")
        #expect(diagnostics.last?.message == "more problems follow; only the first 500 are shown")
    }

    @Test func expandsSmallAliases() throws {
        let node = try #require(try YAMLParser.parse("a: &x [1, 2]\nb: *x\n", file: "f.yaml").node)
        guard case .mapping(let pairs) = node.kind, case .sequence(let items) = pairs[1].value.kind else {
            Issue.record("alias not expanded")
            return
        }
        #expect(items.compactMap(\.scalar) == ["1", "2"])
    }

    @Test func refusesDeepNestingAndLargeFiles() {
        let deep = String(repeating: "[", count: 70) + String(repeating: "]", count: 70)
        #expect(throws: Diagnostic.error(.yamlLimit, "nesting deeper than 64 levels", at: SourceLocation(file: "d.yaml", line: 1, column: 65))) {
            try YAMLParser.parse(deep, file: "d.yaml")
        }
        #expect(throws: Diagnostic.error(.yamlLimit, "file is 101 bytes, more than the 100 accepted", at: SourceLocation(file: "b.yaml", line: 1, column: 1))) {
            try YAMLParser.parse(String(repeating: "#", count: 101), file: "b.yaml", limits: YAMLLimits(maximumBytes: 100))
        }
    }

    @Test func reportsDuplicateKeysAndExtraDocuments() throws {
        let parsed = try YAMLParser.parse("a: 1\nb: 2\na: 3\n", file: "k.yaml")
        #expect(parsed.diagnostics.map(\.description) == ["k.yaml:3:1: error: duplicate key \"a\" (first at line 1) [duplicate-key]"])
        #expect(throws: Diagnostic.error(.yamlSyntax, "more than one YAML document in the file", at: SourceLocation(file: "m.yaml", line: 2, column: 1))) {
            try YAMLParser.parse("a: 1\n---\nb: 2\n", file: "m.yaml")
        }
    }

    @Test func mapsEscapedAndMultiLineScalarsToTheirSourceColumns() throws {
        let text = "a: \"x \\\"y\\\" z\"\nb: |\n  one\n  two\nc: 'it''s'\n"
        let node = try #require(try YAMLParser.parse(text, file: "s.yaml").node)
        guard case .mapping(let pairs) = node.kind else { return }
        #expect(pairs[0].value.scalar == "x \"y\" z")
        #expect(pairs[0].value.expressionSource?.location(atOffset: 6).description == "s.yaml:1:13")
        #expect(pairs[1].value.expressionSource?.location(atOffset: 4).description == "s.yaml:4:3")
        #expect(pairs[2].value.expressionSource?.location(atOffset: 3).description == "s.yaml:5:9")
    }
}

/// YAML limits at the edge: the deepest accepted nesting parses; a rule file one byte over the
/// standard size is refused before it is read, at the file.
@Suite struct YAMLLimitsTests {
    @Test func deepestNestingParses() throws {
        let deepest = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        #expect(try YAMLParser.parse(deepest, file: "d.yaml").node != nil)
    }

    @Test func ruleFilesOverTheStandardSizeAreRefused() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("yaml-limit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let rule = "version: 1\nrules: []\ndefault: [{ escalate: { reason: none } }]\n"
        let atLimit = rule + "#" + String(repeating: "x", count: YAMLLimits.standard.maximumBytes - rule.utf8.count - 2) + "\n"
        try atLimit.write(to: directory.appendingPathComponent("at.yaml"), atomically: true, encoding: .utf8)
        #expect(RuleLoader.load(paths: [directory.appendingPathComponent("at.yaml").path]).diagnostics.filter { $0.severity == .error }.isEmpty)
        try (atLimit + "\n").write(to: directory.appendingPathComponent("over.yaml"), atomically: true, encoding: .utf8)
        let over = directory.appendingPathComponent("over.yaml").path
        #expect(
            RuleLoader.load(paths: [over]).diagnostics.map(\.description) == [
                "\(over):1:1: error: file is 1048577 bytes, more than the 1048576 accepted [yaml-limit]"
            ])
    }
}
