/// A condition's text and where each of its characters was written.
public struct ExpressionSource: Sendable {
    /// The text.
    public var text: String
    /// Where its first character is.
    public var location: SourceLocation
    /// Where each character is, when that is not "first character plus offset" (escapes and
    /// line breaks in the YAML that held the text).
    public var characterLocations: [SourceLocation]?

    /// Creates a source.
    public init(text: String, location: SourceLocation, characterLocations: [SourceLocation]? = nil) {
        self.text = text
        self.location = location
        self.characterLocations = characterLocations
    }

    /// The location of the character at `offset`.
    public func location(atOffset offset: Int) -> SourceLocation {
        if let map = characterLocations, !map.isEmpty {
            if offset < map.count { return map[offset] }
            return map[map.count - 1].advanced(by: offset - map.count + 1)
        }
        return location.advanced(by: offset)
    }
}

/// A rule as read from a file, before its condition is checked.
public struct RuleDraft: Sendable {
    /// The name.
    public var name: String
    /// Where the name was written.
    public var nameLocation: SourceLocation
    /// The condition; `nil` when it was missing or unusable (already reported).
    public var condition: ExpressionSource?
    /// The actions.
    public var actions: [Action]
    /// `continue: true`.
    public var continues: Bool
    /// Where the rule starts.
    public var location: SourceLocation
    /// What sets the rule off (`on:`).
    public var event: RuleEvent

    /// Creates a draft.
    public init(
        name: String, nameLocation: SourceLocation, condition: ExpressionSource?, actions: [Action], continues: Bool, location: SourceLocation,
        event: RuleEvent = .report
    ) {
        self.event = event
        self.name = name
        self.nameLocation = nameLocation
        self.condition = condition
        self.actions = actions
        self.continues = continues
        self.location = location
    }
}

/// One rule file's content, read from YAML by the loader.
public struct RuleFileContent: Sendable {
    /// The file's path.
    public var file: String
    /// Named lists.
    public var lists: [ListDefinition]
    /// Named macros with where each name was written.
    public var macros: [(name: String, nameLocation: SourceLocation, source: ExpressionSource)]
    /// The rules in order.
    public var rules: [RuleDraft]
    /// The default actions, if this file has them.
    public var defaultActions: [Action]?
    /// Where `default` was written.
    public var defaultLocation: SourceLocation?

    /// Creates file content.
    public init(
        file: String, lists: [ListDefinition] = [], macros: [(name: String, nameLocation: SourceLocation, source: ExpressionSource)] = [],
        rules: [RuleDraft] = [], defaultActions: [Action]? = nil, defaultLocation: SourceLocation? = nil
    ) {
        self.file = file
        self.lists = lists
        self.macros = macros
        self.rules = rules
        self.defaultActions = defaultActions
        self.defaultLocation = defaultLocation
    }
}

/// Checks and compiles rule files into a ``RuleSet``, collecting every diagnostic.
///
/// Lists and macros are shared by all files of a set; rules run in file order, then in the
/// order written; exactly one file has the `default`.
public enum RuleSetCompiler {
    /// Compiles `files`; the rule set is `nil` when any diagnostic is an error.
    public static func compile(_ files: [RuleFileContent], digest: String) -> (RuleSet?, [Diagnostic]) {
        let schema = FieldSchema.standard
        var diagnostics: [Diagnostic] = []
        var lists: [String: ListDefinition] = [:]
        for list in files.flatMap(\.lists) {
            if let existing = lists[list.name] {
                diagnostics.append(.error(.duplicateName, "list \"\(list.name)\" is already defined at \(existing.location)", at: list.location))
            } else {
                lists[list.name] = list
            }
        }
        var macroSources: [String: (nameLocation: SourceLocation, source: ExpressionSource)] = [:]
        var macroOrder: [String] = []
        for macro in files.flatMap(\.macros) {
            if let existing = macroSources[macro.name] {
                diagnostics.append(.error(.duplicateName, "macro \"\(macro.name)\" is already defined at \(existing.nameLocation)", at: macro.nameLocation))
            } else if lists[macro.name] != nil {
                diagnostics.append(.error(.duplicateName, "macro \"\(macro.name)\" has the name of a list", at: macro.nameLocation))
            } else if schema[macro.name] != nil {
                diagnostics.append(.error(.duplicateName, "macro \"\(macro.name)\" has the name of a field", at: macro.nameLocation))
            } else {
                macroSources[macro.name] = (macro.nameLocation, macro.source)
                macroOrder.append(macro.name)
            }
        }

        var compiledMacros: [String: Condition] = [:]
        var failedMacros = Set<String>()
        var usedLists = Set<String>()
        var usedMacros = Set<String>()
        var inProgress: [String] = []

        func compileExpression(_ source: ExpressionSource) -> Condition? {
            let syntax: Syntax
            do {
                syntax = try Parser.parse(source.text)
            } catch {
                diagnostics.append(Diagnostic(error.severity, error.code, error.message, at: source.location(atOffset: error.offset)))
                return nil
            }
            // Macros are compiled on first use so that they may refer to each other in any order.
            var checker = Checker(
                text: Array(source.text), lists: lists, macros: compiledMacros,
                resolveMacro: { name in
                    resolveMacro(name)
                })
            let condition = checker.check(syntax)
            usedLists.formUnion(checker.usedLists)
            usedMacros.formUnion(checker.usedMacros)
            diagnostics.append(contentsOf: checker.listDiagnostics)
            for error in checker.errors {
                diagnostics.append(Diagnostic(error.severity, error.code, error.message, at: source.location(atOffset: error.offset)))
            }
            return checker.errors.isEmpty ? condition : nil
        }

        func resolveMacro(_ name: String) -> Condition? {
            if let compiled = compiledMacros[name] { return compiled }
            guard let definition = macroSources[name] else { return nil }
            if failedMacros.contains(name) { return .constant(false) }
            if let start = inProgress.firstIndex(of: name) {
                let cycle = (inProgress[start...] + [name]).joined(separator: " -> ")
                diagnostics.append(.error(.macroCycle, "macro \"\(name)\" refers to itself: \(cycle)", at: definition.nameLocation))
                failedMacros.insert(name)
                return .constant(false)
            }
            inProgress.append(name)
            defer { inProgress.removeLast() }
            guard let condition = compileExpression(definition.source) else {
                failedMacros.insert(name)
                return .constant(false)
            }
            if failedMacros.contains(name) { return .constant(false) }
            compiledMacros[name] = condition
            return condition
        }

        for name in macroOrder where compiledMacros[name] == nil && !failedMacros.contains(name) {
            _ = resolveMacro(name)
        }

        var rules: [Rule] = []
        var ruleNames: [String: SourceLocation] = [:]
        var rulesCompiled = true
        for draft in files.flatMap(\.rules) {
            if let existing = ruleNames[draft.name] {
                diagnostics.append(.error(.duplicateRule, "rule \"\(draft.name)\" is already defined at \(existing)", at: draft.nameLocation))
            } else {
                ruleNames[draft.name] = draft.nameLocation
            }
            // A draft without a condition or actions was already reported by the file parser;
            // its name and condition are still checked so that every problem shows at once.
            guard let source = draft.condition, let condition = compileExpression(source), !draft.actions.isEmpty else {
                rulesCompiled = false
                continue
            }
            rules.append(
                Rule(
                    name: draft.name, condition: condition, conditionText: source.text, actions: draft.actions, continues: draft.continues,
                    location: draft.location, event: draft.event))
        }

        // Unreachable rules: after a rule that always matches and stops, or one that can never match.
        // Per event: a report rule never shadows a lifecycle rule.
        for event in RuleEvent.allCases where rulesCompiled {
            var seenConditions: [String: String] = [:]
            var stopper: String?
            for rule in rules where rule.event == event {
                if let stopper {
                    diagnostics.append(
                        .warning(.unreachableRule, "rule \"\(rule.name)\" can never match: rule \"\(stopper)\" before it always matches", at: rule.location))
                    continue
                }
                if rule.condition.isConstant == false {
                    diagnostics.append(.warning(.unreachableRule, "rule \"\(rule.name)\" can never match: its condition is always false", at: rule.location))
                } else if let reason = rule.condition.contradiction {
                    diagnostics.append(.warning(.unreachableRule, "rule \"\(rule.name)\" can never match: \(reason)", at: rule.location))
                } else if let earlier = seenConditions[normalized(rule.conditionText)] {
                    diagnostics.append(
                        .warning(
                            .unreachableRule, "rule \"\(rule.name)\" can never match: rule \"\(earlier)\" has the same condition and stops evaluation",
                            at: rule.location))
                }
                if !rule.continues {
                    if rule.condition.isConstant == true { stopper = rule.name }
                    seenConditions[normalized(rule.conditionText)] = seenConditions[normalized(rule.conditionText)] ?? rule.name
                }
                if !rule.continues && !rule.actions.contains(where: { $0.kind.isDisposition }) {
                    diagnostics.append(
                        .warning(
                            .noDisposition, "rule \"\(rule.name)\" only tags and stops evaluation; the default will decide (add continue: true or an action)",
                            at: rule.location))
                }
            }
        }

        for list in lists.values where !usedLists.contains(list.name) {
            diagnostics.append(.warning(.unusedList, "list \"\(list.name)\" is never used", at: list.location))
        }
        for name in macroOrder where !usedMacros.contains(name) {
            if let definition = macroSources[name] {
                diagnostics.append(.warning(.unusedMacro, "macro \"\(name)\" is never used", at: definition.nameLocation))
            }
        }

        let defaults = files.filter { $0.defaultActions != nil }
        var defaultActions: [Action] = []
        if defaults.isEmpty {
            let location = SourceLocation(file: files.first?.file ?? "<rules>", line: 1, column: 1)
            diagnostics.append(
                .error(.missingDefault, "no \"default\" in the rule set; it is required and decides what happens when no rule matches", at: location))
        } else {
            defaultActions = defaults[0].defaultActions ?? []
            for extra in defaults.dropFirst() {
                diagnostics.append(
                    .error(
                        .duplicateName, "\"default\" is already defined in \(defaults[0].file)",
                        at: extra.defaultLocation ?? SourceLocation(file: extra.file, line: 1, column: 1)))
            }
            if !defaultActions.contains(where: { $0.kind.isDisposition }), let location = defaults[0].defaultLocation {
                diagnostics.append(
                    .error(.invalidValue, "\"default\" must contain notify, forward, escalate or close; tags alone decide nothing", at: location))
            }
        }

        diagnostics = diagnostics.sortedByLocation
        if diagnostics.containsErrors { return (nil, diagnostics) }
        return (RuleSet(rules: rules, defaultActions: defaultActions, digest: digest, files: files.map(\.file)), diagnostics)
    }

    private static func normalized(_ text: String) -> String {
        text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }
}
