import Foundation

extension Condition {
    /// Why the condition can never hold, when the parts of one conjunction contradict each
    /// other (`hash.match == "known" and hash.match == "none"`, a value outside the list it
    /// must be in, a field both required and absent); nil when no contradiction is found.
    ///
    /// Conservative: only equality, membership and existence are compared, so a condition
    /// reported here is certainly unsatisfiable, and one not reported may still be.
    var contradiction: String? {
        switch self {
        case .constant(let value): return value ? nil : "it is always false"
        case .macro(_, let inner): return inner.contradiction
        case .not, .predicate: return nil
        case .any(let parts):
            let reasons = parts.map(\.contradiction)
            guard !parts.isEmpty, reasons.allSatisfy({ $0 != nil }) else { return nil }
            return reasons.compactMap { $0 }.joined(separator: "; and ")
        case .all(let parts):
            var predicates: [Predicate] = []
            var alternatives: [[Condition]] = []
            for part in Self.flattened(parts) {
                if let reason = part.contradiction { return reason }
                switch part {
                case .predicate(let predicate): predicates.append(predicate)
                case .any(let options), .macro(_, .any(let options)): alternatives.append(options)
                default: break
                }
            }
            if let reason = Self.contradiction(among: predicates) { return reason }
            // `(a or b) and c`: impossible when every choice of one alternative per `or` is.
            // Bounded, since the choices multiply.
            let choices = alternatives.reduce(1) { $0 * max($1.count, 1) }
            guard !alternatives.isEmpty, choices <= 64 else { return nil }
            var combinations: [[Condition]] = [[]]
            for options in alternatives { combinations = combinations.flatMap { chosen in options.map { chosen + [$0] } } }
            var first: String?
            for chosen in combinations {
                guard let reason = Condition.all(predicates.map { .predicate($0) } + chosen).contradictionWithoutAlternatives else { return nil }
                first = first ?? reason
            }
            return first
        }
    }

    /// The contradiction of a conjunction whose `or`s were already chosen: an `or` left in it
    /// is checked on its own, and not expanded again.
    private var contradictionWithoutAlternatives: String? {
        guard case .all(let parts) = self else { return contradiction }
        var predicates: [Predicate] = []
        for part in Self.flattened(parts) {
            if case .predicate(let predicate) = part {
                predicates.append(predicate)
            } else if let reason = part.contradiction {
                return reason
            } else if case .any = part {
                return nil
            }
        }
        return Self.contradiction(among: predicates)
    }

    /// The parts of nested conjunctions (and macros standing for them) as one list.
    private static func flattened(_ parts: [Condition]) -> [Condition] {
        parts.flatMap { part -> [Condition] in
            switch part {
            case .all(let inner): flattened(inner)
            case .macro(_, .all(let inner)): flattened(inner)
            default: [part]
            }
        }
    }

    /// What one field must be, gathered from the predicates on it.
    private struct Constraint {
        var mustBe: FactValue?
        var mustBeText: String?
        var mustNotBe: [FactValue: String] = [:]
        var allowed: (values: Set<FactValue>, text: String)?
        var absent: String?
        var present: String?
    }

    private static func contradiction(among predicates: [Predicate]) -> String? {
        var constraints: [Int: Constraint] = [:]
        for predicate in predicates {
            var constraint = constraints[predicate.field] ?? Constraint()
            let text = predicate.text
            switch predicate.test {
            case .exists(let negated):
                if negated { constraint.absent = text } else { constraint.present = text }
            case .equals(let value, let negated):
                constraint.present = constraint.present ?? text
                if negated {
                    constraint.mustNotBe[value] = text
                } else {
                    if let earlier = constraint.mustBe, earlier != value, let earlierText = constraint.mustBeText {
                        return "\(predicate.fieldName) cannot be both \(earlier) and \(value) (\(earlierText); \(text))"
                    }
                    constraint.mustBe = value
                    constraint.mustBeText = text
                }
            case .inStrings(let set, let negated) where !negated:
                constraint.present = constraint.present ?? text
                constraint.allowed = intersect(constraint.allowed, Set(set.map { FactValue.string($0) }), text)
            case .inFewStrings(let list, let negated) where !negated:
                constraint.present = constraint.present ?? text
                constraint.allowed = intersect(constraint.allowed, Set(list.map { FactValue.string($0) }), text)
            case .inValues(let set, let negated) where !negated:
                constraint.present = constraint.present ?? text
                constraint.allowed = intersect(constraint.allowed, set, text)
            default:
                // Any other test of an absent fact is false: it needs the fact.
                constraint.present = constraint.present ?? text
            }
            if let absent = constraint.absent, let present = constraint.present {
                return "\(predicate.fieldName) cannot be absent and present (\(absent); \(present))"
            }
            if let value = constraint.mustBe, let excluded = constraint.mustNotBe[value], let equal = constraint.mustBeText {
                return "\(predicate.fieldName) cannot be \(value) and not \(value) (\(equal); \(excluded))"
            }
            if let allowed = constraint.allowed {
                if allowed.values.isEmpty { return "no value of \(predicate.fieldName) is in every list (\(allowed.text))" }
                if let value = constraint.mustBe, !allowed.values.contains(value), let equal = constraint.mustBeText {
                    return "\(predicate.fieldName) cannot be \(value) and in the list (\(equal); \(allowed.text))"
                }
                if allowed.values.allSatisfy({ constraint.mustNotBe[$0] != nil }) {
                    return "every value of \(predicate.fieldName) the list allows is excluded (\(allowed.text))"
                }
            }
            constraints[predicate.field] = constraint
        }
        return nil
    }

    private static func intersect(_ current: (values: Set<FactValue>, text: String)?, _ set: Set<FactValue>, _ text: String) -> (
        values: Set<FactValue>, text: String
    ) {
        guard let current else { return (set, text) }
        return (current.values.intersection(set), current.text + "; " + text)
    }
}
