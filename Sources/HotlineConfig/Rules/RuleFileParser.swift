import HotlineCore
import HotlineYAML

/// Reads one rule file's YAML into ``RuleFileContent`` for the compiler, strictly.
public enum RuleFileParser {
    /// The rule file format this gateway reads.
    public static let supportedVersion = 1

    private static func namePattern(_ name: String) -> Bool {
        guard let first = name.first, first.isASCII, first.isLetter || first == "_" else { return false }
        return name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }
    }

    /// Parses `text` (the content of `file`); content is `nil` only when the YAML itself is unusable.
    public static func parse(_ text: String, file: String, limits: YAMLLimits = .standard) -> (RuleFileContent?, [Diagnostic]) {
        var reader: YAMLReader
        let root: YAMLNode?
        do {
            (root, reader) = try YAMLReader.start(text, file: file, limits: limits)
        } catch {
            return (nil, [error])
        }
        guard let root else {
            return (nil, [.error(.missingKey, "rule file is empty; it needs version, rules and default", at: SourceLocation(file: file, line: 1, column: 1))])
        }
        guard let top = reader.mapping(root, allowed: ["version", "lists", "macros", "rules", "default"], required: ["version"], what: "the rule file") else {
            return (nil, reader.diagnostics)
        }
        var content = RuleFileContent(file: file)
        reader.checkVersion(top["version"], supported: supportedVersion)
        if let lists = top["lists"], case .mapping(let pairs) = lists.kind {
            for pair in pairs {
                guard let name = name(pair.key, what: "list", reader: &reader) else { continue }
                guard let items = reader.sequence(pair.value, key: name) else { continue }
                var values: [(text: String, location: SourceLocation)] = []
                for item in items {
                    guard let text = item.scalar, !item.isNull else {
                        reader.error(.invalidValue, "items of list \"\(name)\" must be scalars, got \(item.kindName)", at: item.location)
                        continue
                    }
                    values.append((text, item.location))
                }
                content.lists.append(ListDefinition(name: name, items: values, location: pair.key.location))
            }
        } else if let lists = top["lists"], !lists.isNull {
            reader.error(.invalidValue, "\"lists\" must be a mapping of names to lists, got \(lists.kindName)", at: lists.location)
        }
        if let macros = top["macros"], case .mapping(let pairs) = macros.kind {
            for pair in pairs {
                guard let name = name(pair.key, what: "macro", reader: &reader) else { continue }
                guard reader.string(pair.value, key: name) != nil, let source = pair.value.expressionSource else { continue }
                content.macros.append((name, pair.key.location, source))
            }
        } else if let macros = top["macros"], !macros.isNull {
            reader.error(.invalidValue, "\"macros\" must be a mapping of names to conditions, got \(macros.kindName)", at: macros.location)
        }
        if let rules = top["rules"], !rules.isNull, let items = reader.sequence(rules, key: "rules") {
            for item in items {
                if let draft = rule(item, reader: &reader) { content.rules.append(draft) }
            }
        }
        if let defaults = top["default"] {
            content.defaultActions = ActionParser.actions(defaults, key: "default", reader: &reader)
            content.defaultLocation = top.keys.contains("default") ? keyLocation(root, "default") : defaults.location
        }
        return (content, reader.diagnostics)
    }

    private static func keyLocation(_ node: YAMLNode, _ key: String) -> SourceLocation {
        if case .mapping(let pairs) = node.kind, let pair = pairs.first(where: { $0.key.scalar == key }) { return pair.key.location }
        return node.location
    }

    private static func name(_ node: YAMLNode, what: String, reader: inout YAMLReader) -> String? {
        guard let name = node.scalar, namePattern(name) else {
            reader.error(
                .invalidValue, "\(what) name \(YAMLReader.show(node)) must start with a letter and hold only letters, digits, \"_\" and \"-\"",
                at: node.location)
            return nil
        }
        return name
    }

    private static func rule(_ node: YAMLNode, reader: inout YAMLReader) -> RuleDraft? {
        guard
            let fields = reader.mapping(
                node, allowed: ["name", "description", "on", "when", "then", "continue"], required: ["name", "when", "then"], what: "a rule")
        else { return nil }
        var name: String?
        if let nameNode = fields["name"], let text = reader.string(nameNode, key: "name") {
            if text.contains(where: { $0.isNewline || $0 == "\t" }) || text.count > 100 {
                reader.error(.invalidValue, "rule name \(YAMLReader.show(nameNode)) must be one line of at most 100 characters", at: nameNode.location)
            } else {
                name = text
            }
        }
        if let description = fields["description"] { _ = reader.string(description, key: "description") }
        var condition: ExpressionSource?
        if let when = fields["when"] {
            if let source = when.expressionSource {
                condition = source
            } else {
                reader.error(
                    .invalidValue, "\"when\" must be a condition such as case.duplicate or hosting.country == \"NL\", got \(when.kindName)", at: when.location)
            }
        }
        let actions = fields["then"].map { ActionParser.actions($0, key: "then", reader: &reader) } ?? []
        let continues = fields["continue"].map { reader.bool($0, key: "continue") ?? false } ?? false
        let event = fields["on"].flatMap { reader.event($0) } ?? .report
        // A rule with a bad part is still handed on, so that its name and condition are checked too.
        guard let name else { return nil }
        return RuleDraft(
            name: name, nameLocation: fields["name"]!.location, condition: condition, actions: actions, continues: continues, location: node.location,
            event: event)
    }
}
