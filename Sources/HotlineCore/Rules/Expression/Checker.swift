/// A named list as written in a rule file: items keep their text and offset-free location so
/// each can be converted to the type of the field it is compared with.
public struct ListDefinition: Sendable {
    /// The list's name.
    public var name: String
    /// The items as text, with where each was written.
    public var items: [(text: String, location: SourceLocation)]
    /// Where the list was defined.
    public var location: SourceLocation

    /// Creates a list.
    public init(name: String, items: [(text: String, location: SourceLocation)], location: SourceLocation) {
        self.name = name
        self.items = items
        self.location = location
    }
}

/// Checks parsed conditions against the schema and compiles them.
///
/// Collects every problem it can find in one expression rather than stopping at the first.
struct Checker {
    let schema = FieldSchema.standard
    let text: [Character]
    let lists: [String: ListDefinition]
    let macros: [String: Condition]
    /// Called for a macro name not (yet) compiled; returns its condition or nil when undefined.
    let resolveMacro: (String) -> Condition?
    var errors: [ExpressionError] = []
    /// Problems inside named lists (reported at the list item, not in the expression).
    var listDiagnostics: [Diagnostic] = []
    var usedLists = Set<String>()
    var usedMacros = Set<String>()

    func source(_ range: Range<Int>) -> String {
        String(text[max(0, range.lowerBound)..<min(text.count, range.upperBound)])
    }

    mutating func fail(_ range: Range<Int>, _ code: DiagnosticCode, _ message: String) -> Condition {
        errors.append(ExpressionError(offset: range.lowerBound, code: code, message: message))
        return .constant(false)
    }

    mutating func check(_ syntax: Syntax) -> Condition {
        switch syntax {
        case .or(let a, let b):
            return flatten(.any([check(a), check(b)]))
        case .and(let a, let b):
            return flatten(.all([check(a), check(b)]))
        case .not(let inner, _):
            return .not(check(inner))
        case .parenthesized(let inner, _):
            return check(inner)
        case .bool(let value, _):
            return .constant(value)
        case .identifier(let name, let range):
            if let field = schema[name] {
                guard field.type == .bool else {
                    return fail(range, .typeMismatch, "\(name) is a \(field.type.rawValue), not a condition; compare it or test \"\(name) exists\"")
                }
                return .predicate(Predicate(field: field.index, fieldName: name, test: .isTrue, text: source(range)))
            }
            if let macro = macros[name] ?? resolveMacro(name) {
                usedMacros.insert(name)
                return .macro(name, macro)
            }
            if lists[name] != nil {
                return fail(range, .typeMismatch, "list \"\(name)\" is not a condition; use it as \"FIELD in \(name)\"")
            }
            return unknownName(name, range)
        case .string, .number, .duration, .list:
            return fail(syntax.range, .typeMismatch, "\(source(syntax.range)) is a value, not a condition")
        case .comparison(let left, let op, let right, let range):
            guard let field = fieldOperand(left, what: "\"\(op.rawValue)\"") else { return .constant(false) }
            return comparison(field, op, right, range)
        case .membership(let left, let negated, let right, let range):
            guard let field = fieldOperand(left, what: negated ? "\"not in\"" : "\"in\"") else { return .constant(false) }
            return membership(field, negated: negated, right, range)
        case .matches(let left, let right, let range):
            guard let field = fieldOperand(left, what: "\"matches\"") else { return .constant(false) }
            guard field.type == .string else {
                return fail(left.range, .typeMismatch, "\"matches\" needs a string field, \(field.name) is a \(field.type.rawValue)")
            }
            guard case .string(let pattern, let patternRange) = right else {
                return fail(right.range, .typeMismatch, "right side of \"matches\" must be a quoted regular expression")
            }
            do {
                let regex = try RegexPattern(pattern)
                return .predicate(Predicate(field: field.index, fieldName: field.name, test: .matches(regex), text: source(range)))
            } catch {
                return fail(patternRange, .invalidRegex, "invalid regular expression \(JSONValue.string(pattern).serialized)")
            }
        case .exists(let left, let negated, let range):
            guard let field = fieldOperand(left, what: negated ? "\"not exists\"" : "\"exists\"") else { return .constant(false) }
            return .predicate(Predicate(field: field.index, fieldName: field.name, test: .exists(negated: negated), text: source(range)))
        }
    }

    private func flatten(_ condition: Condition) -> Condition {
        switch condition {
        case .all(let parts):
            return .all(parts.flatMap { part -> [Condition] in if case .all(let inner) = part { return inner } else { return [part] } })
        case .any(let parts):
            return .any(parts.flatMap { part -> [Condition] in if case .any(let inner) = part { return inner } else { return [part] } })
        default:
            return condition
        }
    }

    private mutating func unknownName(_ name: String, _ range: Range<Int>) -> Condition {
        if name.contains(".") {
            var message = "unknown field \"\(name)\""
            if let suggestion = schema.suggestion(for: name) { message += "; did you mean \"\(suggestion)\"?" }
            return fail(range, .unknownField, message)
        }
        var message = "undefined macro \"\(name)\""
        if let suggestion = (Array(macros.keys)).min(by: { editDistance($0, name) < editDistance($1, name) }), editDistance(suggestion, name) <= 2 {
            message += "; did you mean \"\(suggestion)\"?"
        }
        return fail(range, .undefinedMacro, message)
    }

    private mutating func fieldOperand(_ syntax: Syntax, what: String) -> FieldDefinition? {
        guard case .identifier(let name, let range) = syntax else {
            _ = fail(syntax.range, .typeMismatch, "left side of \(what) must be a field, got \(source(syntax.range))")
            return nil
        }
        guard let field = schema[name] else {
            if macros[name] != nil || lists[name] != nil {
                _ = fail(range, .typeMismatch, "left side of \(what) must be a field, \"\(name)\" is a \(lists[name] != nil ? "list" : "macro")")
            } else if name.contains(".") {
                _ = unknownName(name, range)
            } else {
                _ = fail(range, .unknownField, "unknown field \"\(name)\"")
            }
            return nil
        }
        return field
    }

    /// Converts a literal to the field's type, or records why it cannot be.
    private mutating func literal(_ syntax: Syntax, for field: FieldDefinition) -> FactValue? {
        let written = source(syntax.range)
        switch (field.type, syntax) {
        case (.string, .string(let text, let range)):
            if let allowed = field.allowedValues, !allowed.contains(text) {
                _ = fail(range, .unknownValue, "\(written) is not a value of \(field.name); expected one of \(allowed.joined(separator: ", "))")
                return nil
            }
            return .string(text)
        case (.number, .number(let value, _)): return .number(value)
        case (.bool, .bool(let value, _)): return .bool(value)
        case (.duration, .duration(let span, _)): return .duration(span)
        case (.duration, .number(let value, _)) where value == 0: return .duration(TimeSpan(seconds: 0))
        case (.ip, .string(let text, let range)):
            guard let address = IPAddress(text) else {
                _ = fail(range, .invalidAddress, "\(written) is not an IP address")
                return nil
            }
            return .ip(address)
        case (_, .identifier(let name, let range)):
            if schema[name] != nil {
                _ = fail(range, .typeMismatch, "comparing two fields is not supported; compare \(field.name) with a value")
            } else if lists[name] != nil {
                _ = fail(range, .typeMismatch, "\"\(name)\" is a list; use \"\(field.name) in \(name)\"")
            } else {
                _ = fail(range, .typeMismatch, "cannot compare \(field.name) (\(field.type.rawValue)) with \(name); write strings in quotes: \"\(name)\"")
            }
            return nil
        default:
            _ = fail(syntax.range, .typeMismatch, "cannot compare \(field.name) (\(field.type.rawValue)) with \(written) (\(Checker.kindName(syntax)))")
            return nil
        }
    }

    static func kindName(_ syntax: Syntax) -> String {
        switch syntax {
        case .string: "string"
        case .number: "number"
        case .duration: "duration"
        case .bool: "bool"
        case .list: "list"
        default: "expression"
        }
    }

    private mutating func comparison(_ field: FieldDefinition, _ op: ComparisonOperator, _ right: Syntax, _ range: Range<Int>) -> Condition {
        if field.type == .ipList {
            return fail(range, .typeMismatch, "\(field.name) is a list of addresses; test it with \"in\" (any address in the networks) or \"exists\"")
        }
        if op.isOrdering {
            guard field.type == .number || field.type == .duration else {
                return fail(range, .typeMismatch, "operator \"\(op.rawValue)\" needs a number or duration, \(field.name) is a \(field.type.rawValue)")
            }
            guard let value = literal(right, for: field) else { return .constant(false) }
            let bound: Double
            switch value {
            case .number(let n): bound = n
            case .duration(let d): bound = Double(d.seconds)
            default: return .constant(false)
            }
            return .predicate(Predicate(field: field.index, fieldName: field.name, test: .order(op, bound), text: source(range)))
        }
        guard let value = literal(right, for: field) else { return .constant(false) }
        return .predicate(Predicate(field: field.index, fieldName: field.name, test: .equals(value, negated: op == .notEqual), text: source(range)))
    }

    private mutating func membership(_ field: FieldDefinition, negated: Bool, _ right: Syntax, _ range: Range<Int>) -> Condition {
        let text = source(range)
        if field.type == .bool {
            return fail(range, .typeMismatch, "\"in\" needs a string, number, duration or ip field, \(field.name) is a bool")
        }
        switch right {
        case .list(let elements, _):
            if field.type == .ip || field.type == .ipList {
                var networks: [IPNetwork] = []
                for element in elements {
                    guard case .string(let item, let itemRange) = element else {
                        _ = fail(element.range, .typeMismatch, "\(field.name) is an ip; list items must be quoted addresses or networks")
                        continue
                    }
                    guard let network = IPNetwork(item) else {
                        _ = fail(itemRange, .invalidAddress, "\(source(itemRange)) is not an IP address or CIDR network")
                        continue
                    }
                    networks.append(network)
                }
                return .predicate(Predicate(field: field.index, fieldName: field.name, test: .inNetworks(networks, negated: negated), text: text))
            }
            var values: [FactValue] = []
            for element in elements {
                if let value = literal(element, for: field) { values.append(value) }
            }
            return predicate(field, values, negated: negated, text: text)
        case .identifier(let name, let nameRange):
            guard let list = lists[name] else {
                if schema[name] != nil { return fail(nameRange, .typeMismatch, "right side of \"in\" must be a list or a list name, \(name) is a field") }
                var message = "undefined list \"\(name)\""
                if let suggestion = lists.keys.min(by: { editDistance($0, name) < editDistance($1, name) }), editDistance(suggestion, name) <= 2 {
                    message += "; did you mean \"\(suggestion)\"?"
                }
                return fail(nameRange, .undefinedList, message)
            }
            usedLists.insert(name)
            return namedList(list, field: field, negated: negated, text: text)
        default:
            return fail(right.range, .typeMismatch, "right side of \"in\" must be a list or a list name, got \(source(right.range))")
        }
    }

    private func predicate(_ field: FieldDefinition, _ values: [FactValue], negated: Bool, text: String) -> Condition {
        if field.type == .string {
            let strings = Array(Set(values.compactMap { value -> String? in if case .string(let s) = value { return s } else { return nil } })).sorted()
            let test: Predicate.Test = strings.count <= 8 ? .inFewStrings(strings, negated: negated) : .inStrings(Set(strings), negated: negated)
            return .predicate(Predicate(field: field.index, fieldName: field.name, test: test, text: text))
        }
        return .predicate(Predicate(field: field.index, fieldName: field.name, test: .inValues(Set(values), negated: negated), text: text))
    }

    /// Named lists are written as YAML scalars; each item is read as the type of the field
    /// it is used with, and a bad item is reported where it was written.
    private mutating func namedList(_ list: ListDefinition, field: FieldDefinition, negated: Bool, text: String) -> Condition {
        if field.type == .ip || field.type == .ipList {
            var networks: [IPNetwork] = []
            for item in list.items {
                if let network = IPNetwork(item.text) {
                    networks.append(network)
                } else {
                    listDiagnostics.append(
                        .error(
                            .invalidAddress,
                            "item \(JSONValue.string(item.text).serialized) of list \"\(list.name)\" is not an IP address or CIDR network (the list is used with \(field.name))",
                            at: item.location))
                }
            }
            return .predicate(Predicate(field: field.index, fieldName: field.name, test: .inNetworks(networks, negated: negated), text: text))
        }
        var values: [FactValue] = []
        for item in list.items {
            let value: FactValue?
            switch field.type {
            case .string:
                value = .string(item.text)
                if let allowed = field.allowedValues, !allowed.contains(item.text) {
                    listDiagnostics.append(
                        .error(
                            .unknownValue,
                            "item \(JSONValue.string(item.text).serialized) of list \"\(list.name)\" is not a value of \(field.name); expected one of \(allowed.joined(separator: ", "))",
                            at: item.location))
                }
            case .number: value = Double(item.text).map(FactValue.number)
            case .duration: value = TimeSpan(item.text).map(FactValue.duration)
            case .bool, .ip, .ipList: value = nil
            }
            if let value {
                values.append(value)
            } else if field.type != .string {
                listDiagnostics.append(
                    .error(
                        .typeMismatch,
                        "item \(JSONValue.string(item.text).serialized) of list \"\(list.name)\" is not a \(field.type.rawValue) (the list is used with \(field.name))",
                        at: item.location))
            }
        }
        return predicate(field, values, negated: negated, text: text)
    }
}
