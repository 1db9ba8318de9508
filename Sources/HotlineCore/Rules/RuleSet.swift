/// One compiled rule.
public struct Rule: Sendable {
    /// Unique name, recorded with every decision it makes.
    public var name: String
    /// The compiled `when`.
    public var condition: Condition
    /// The `when` text as written.
    public var conditionText: String
    /// The `then` actions.
    public var actions: [Action]
    /// Whether evaluation goes on to later rules after this one matched.
    public var continues: Bool
    /// Where the rule starts.
    public var location: SourceLocation
    /// What sets the rule off.
    public var event: RuleEvent = .report
}

/// A loaded, checked rule set: what the decision engine runs.
public struct RuleSet: Sendable {
    /// The rules in evaluation order.
    public var rules: [Rule]
    /// The actions when no rule decided anything.
    public var defaultActions: [Action]
    /// `sha256:` over the loaded files, recorded with every decision.
    public var digest: String
    /// The files it was loaded from.
    public var files: [String]

    /// Creates a rule set.
    public init(rules: [Rule], defaultActions: [Action], digest: String, files: [String]) {
        self.rules = rules
        self.defaultActions = defaultActions
        self.digest = digest
        self.files = files
    }
}
