import Foundation

@testable import HotlineCore

/// Compiles a one-rule set whose condition sits at line 3, column 11 of `t.yaml`, as
/// `    when: CONDITION` would.
func compileCondition(_ condition: String, lists: [String: [String]] = [:], macros: [(String, String)] = []) -> (RuleSet?, [Diagnostic]) {
    let file = "t.yaml"
    var content = RuleFileContent(file: file)
    var line = 10
    for (name, items) in lists.sorted(by: { $0.key < $1.key }) {
        content.lists.append(
            ListDefinition(
                name: name, items: items.map { ($0, SourceLocation(file: file, line: line, column: 5)) },
                location: SourceLocation(file: file, line: line, column: 3)))
        line += 1
    }
    for (name, text) in macros {
        content.macros.append(
            (
                name, SourceLocation(file: file, line: line, column: 3),
                ExpressionSource(text: text, location: SourceLocation(file: file, line: line, column: 10))
            ))
        line += 1
    }
    content.rules = [
        RuleDraft(
            name: "r", nameLocation: SourceLocation(file: file, line: 2, column: 11),
            condition: ExpressionSource(text: condition, location: SourceLocation(file: file, line: 3, column: 11)),
            actions: [.close(reason: "matched")], continues: false, location: SourceLocation(file: file, line: 2, column: 5))
    ]
    content.defaultActions = [.escalate(queue: "analysts", reason: "none", priority: .normal)]
    content.defaultLocation = SourceLocation(file: file, line: 1, column: 1)
    return RuleSetCompiler.compile([content], digest: "sha256:test")
}

/// Whether the single rule of `compileCondition` matches `facts`.
func matches(_ ruleSet: RuleSet, _ facts: [String: FactValue]) -> Bool {
    var values = Facts()
    for (name, value) in facts { values[Fact(name: name)!] = value }
    return ruleSet.rules[0].condition.evaluate(values)
}
