import Foundation

/// A checked, compiled condition: fields resolved to fact indices, literals converted to the
/// field's type, lists turned into sets. Evaluating one never fails.
public indirect enum Condition: Sendable {
    /// Always this value.
    case constant(Bool)
    /// Every part holds.
    case all([Condition])
    /// Some part holds.
    case any([Condition])
    /// The part does not hold.
    case not(Condition)
    /// A macro, kept by name so traces can say which macro held.
    case macro(String, Condition)
    /// One test of one field.
    case predicate(Predicate)
}

/// One test of one fact.
///
/// A class rather than a struct: binding a struct payload out of the condition tree copied its
/// strings (a retain and release each) on every evaluation.
public final class Predicate: Sendable {
    /// What is tested.
    public enum Test: Sendable {
        /// A boolean field is true.
        case isTrue
        /// The field exists (or, negated, does not).
        case exists(negated: Bool)
        /// Equality with a value of the field's type.
        case equals(FactValue, negated: Bool)
        /// Ordering against a number of seconds or a number.
        case order(ComparisonOperator, Double)
        /// Membership in a set of strings.
        case inStrings(Set<String>, negated: Bool)
        /// Membership in a few strings: comparing is cheaper than hashing for short lists.
        case inFewStrings([String], negated: Bool)
        /// Membership in a set of values.
        case inValues(Set<FactValue>, negated: Bool)
        /// The address is in one of the networks.
        case inNetworks([IPNetwork], negated: Bool)
        /// The string contains a match of the pattern.
        case matches(RegexPattern)
    }

    /// The fact's index.
    public let field: Int
    /// The fact's name.
    public let fieldName: String
    /// What is tested.
    public let test: Test
    /// The predicate's text as written, for traces.
    public let text: String

    /// Creates a predicate.
    public init(field: Int, fieldName: String, test: Test, text: String) {
        self.field = field
        self.fieldName = fieldName
        self.test = test
        self.text = text
    }

    /// Evaluates the predicate. A test of an absent fact is false, except `not exists`:
    /// a rule that needs a fact does not fire without it.
    @inline(__always)
    public func evaluate(_ facts: Facts) -> Bool {
        guard let value = facts.value(at: field) else {
            if case .exists(let negated) = test { return negated }
            return false
        }
        switch test {
        case .isTrue:
            return value == .bool(true)
        case .exists(let negated):
            return !negated
        case .equals(let expected, let negated):
            return (value == expected) != negated
        case .order(let op, let bound):
            let number: Double
            switch value {
            case .number(let n): number = n
            case .duration(let d): number = Double(d.seconds)
            default: return false
            }
            switch op {
            case .less: return number < bound
            case .lessOrEqual: return number <= bound
            case .greater: return number > bound
            case .greaterOrEqual: return number >= bound
            case .equal: return number == bound
            case .notEqual: return number != bound
            }
        case .inStrings(let set, let negated):
            guard case .string(let text) = value else { return false }
            return set.contains(text) != negated
        case .inFewStrings(let strings, let negated):
            guard case .string(let text) = value else { return false }
            return strings.contains(text) != negated
        case .inValues(let set, let negated):
            return set.contains(value) != negated
        case .inNetworks(let networks, let negated):
            switch value {
            case .ip(let address): return networks.contains(where: { $0.contains(address) }) != negated
            case .ips(let addresses): return addresses.contains(where: { address in networks.contains(where: { $0.contains(address) }) }) != negated
            default: return false
            }
        case .matches(let pattern):
            guard case .string(let text) = value else { return false }
            return pattern.matches(text)
        }
    }
}

/// A compiled regular expression. `NSRegularExpression` is safe to share between threads for
/// matching, which is all the rules do with it.
public final class RegexPattern: @unchecked Sendable {
    /// The pattern as written.
    public let source: String
    private let regex: NSRegularExpression

    /// Compiles `source`; throws when it is not a valid ICU regular expression.
    public init(_ source: String) throws {
        self.source = source
        self.regex = try NSRegularExpression(pattern: source)
    }

    /// Whether `text` contains a match (a search, not a full match: anchor with `^` and `$`).
    public func matches(_ text: String) -> Bool {
        regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }
}

extension Condition {
    /// Evaluates without recording anything: the fast path for deciding. Parts are visited by
    /// index so that they are borrowed, not copied (a copy costs a retain and a release).
    public func evaluate(_ facts: Facts) -> Bool {
        switch self {
        case .constant(let value): return value
        case .predicate(let predicate): return predicate.evaluate(facts)
        case .all(let parts):
            for index in parts.indices where !parts[index].evaluate(facts) { return false }
            return true
        case .any(let parts):
            for index in parts.indices where parts[index].evaluate(facts) { return true }
            return false
        case .not(let inner): return !inner.evaluate(facts)
        case .macro(_, let inner): return inner.evaluate(facts)
        }
    }

    /// Evaluates and records each predicate's result and the value it saw. With `exhaustive`,
    /// every predicate is evaluated, even after the outcome is known, so an explanation shows
    /// all of them.
    public func evaluate(_ facts: Facts, trace: inout [TraceStep], exhaustive: Bool = false, macro: String? = nil) -> Bool {
        switch self {
        case .constant(let value): return value
        case .predicate(let predicate):
            let result = predicate.evaluate(facts)
            trace.append(
                TraceStep(condition: predicate.text, result: result, field: predicate.fieldName, value: facts.value(at: predicate.field), macro: macro))
            return result
        case .all(let parts):
            var result = true
            for part in parts where result || exhaustive {
                if !part.evaluate(facts, trace: &trace, exhaustive: exhaustive, macro: macro) { result = false }
            }
            return result
        case .any(let parts):
            var result = false
            for part in parts where !result || exhaustive {
                if part.evaluate(facts, trace: &trace, exhaustive: exhaustive, macro: macro) { result = true }
            }
            return result
        case .not(let inner): return !inner.evaluate(facts, trace: &trace, exhaustive: exhaustive, macro: macro)
        case .macro(let name, let inner): return inner.evaluate(facts, trace: &trace, exhaustive: exhaustive, macro: name)
        }
    }

    /// Whether the condition is the constant `value` (for unreachable-rule warnings).
    var isConstant: Bool? {
        switch self {
        case .constant(let value): value
        case .macro(_, let inner): inner.isConstant
        default: nil
        }
    }
}

/// One predicate's result in a decision's trace.
public struct TraceStep: Hashable, Sendable {
    /// The predicate as written.
    public var condition: String
    /// Whether it held.
    public var result: Bool
    /// The field it read.
    public var field: String
    /// The value the field had; `nil` when the fact was absent.
    public var value: FactValue?
    /// The macro the predicate came from, if any.
    public var macro: String?

    /// Creates a step.
    public init(condition: String, result: Bool, field: String, value: FactValue?, macro: String? = nil) {
        self.condition = condition
        self.result = result
        self.field = field
        self.value = value
        self.macro = macro
    }

    /// `{"condition", "result", "field", "value"|"absent", "macro"}`.
    public var json: JSONValue {
        var object: JSONObject = ["condition": .string(condition), "result": .bool(result), "field": .string(field)]
        if let value { object.append("value", value.json) } else { object.append("absent", .bool(true)) }
        if let macro { object.append("macro", .string(macro)) }
        return .object(object)
    }

    /// One line for people: `hosting.country in local_countries: true (hosting.country = "NL")`.
    public var text: String {
        let seen = value.map { "\(field) = \($0)" } ?? "\(field) absent"
        return "\(condition): \(result) (\(seen))" + (macro.map { " [macro \($0)]" } ?? "")
    }
}
