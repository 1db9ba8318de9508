import HotlineCore

/// Rule sets for tests, compiled from (name, condition, actions) rules that stop at the
/// first match, with a default that escalates to the analysts; what a rule file with those
/// rules would give, without the file.
public enum TestRules {
    /// The engine for `rules`, in order, under the digest `sha256:<file's name>`; nil when
    /// they do not compile (the test then fails on its `#require`).
    public static func engine(file: String, _ rules: [(name: String, when: String, actions: [Action])]) -> DecisionEngine? {
        var content = RuleFileContent(file: file)
        let at = SourceLocation(file: file, line: 1, column: 1)
        content.rules = rules.map { rule in
            RuleDraft(
                name: rule.name, nameLocation: at, condition: ExpressionSource(text: rule.when, location: at), actions: rule.actions, continues: false,
                location: at)
        }
        content.defaultActions = [.escalate(queue: "analysts", reason: "none", priority: .normal)]
        content.defaultLocation = at
        return RuleSetCompiler.compile([content], digest: "sha256:" + file.prefix { $0 != "." }).0.map { DecisionEngine(ruleSet: $0) }
    }

    /// Duplicates of an open case close.
    public static let duplicatesClose = (name: "dup", when: "case.duplicate", actions: [Action.close(reason: "duplicate")])
}
