/// A token of the condition language.
struct Token: Hashable, Sendable {
    enum Kind: Hashable, Sendable {
        case identifier(String)
        case string(String)
        case number(Double)
        case duration(TimeSpan)
        case comparison(ComparisonOperator)
        case leftParen, rightParen, leftBracket, rightBracket, comma
        case keyword(Keyword)
        case end
    }

    enum Keyword: String, Hashable, Sendable, CaseIterable {
        case and, or, not, `in`, matches, exists, `true`, `false`
    }

    var kind: Kind
    /// Character offsets into the expression.
    var range: Range<Int>

    var describe: String {
        switch kind {
        case .identifier(let name): "\"\(name)\""
        case .string(let text): JSONValue.string(text).serialized
        case .number(let value): JSONValue.number(value).serialized
        case .duration(let span): span.description
        case .comparison(let op): "\"\(op.rawValue)\""
        case .leftParen: "\"(\""
        case .rightParen: "\")\""
        case .leftBracket: "\"[\""
        case .rightBracket: "\"]\""
        case .comma: "\",\""
        case .keyword(let keyword): "\"\(keyword.rawValue)\""
        case .end: "end of expression"
        }
    }
}

/// `==`, `!=`, `<`, `<=`, `>`, `>=`.
public enum ComparisonOperator: String, Hashable, Sendable {
    /// Equal.
    case equal = "=="
    /// Not equal.
    case notEqual = "!="
    /// Less than.
    case less = "<"
    /// Less than or equal.
    case lessOrEqual = "<="
    /// Greater than.
    case greater = ">"
    /// Greater than or equal.
    case greaterOrEqual = ">="

    /// Whether this orders values rather than testing equality.
    var isOrdering: Bool { self != .equal && self != .notEqual }
}
