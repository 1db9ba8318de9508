/// The parsed, not yet checked, form of a condition.
indirect enum Syntax: Hashable, Sendable {
    case or(Syntax, Syntax)
    case and(Syntax, Syntax)
    case not(Syntax, at: Int)
    case identifier(String, Range<Int>)
    case string(String, Range<Int>)
    case number(Double, Range<Int>)
    case duration(TimeSpan, Range<Int>)
    case bool(Bool, Range<Int>)
    case list([Syntax], Range<Int>)
    case comparison(Syntax, ComparisonOperator, Syntax, Range<Int>)
    case membership(Syntax, negated: Bool, Syntax, Range<Int>)
    case matches(Syntax, Syntax, Range<Int>)
    case exists(Syntax, negated: Bool, Range<Int>)
    case parenthesized(Syntax, Range<Int>)

    /// Character range the node covers.
    var range: Range<Int> {
        switch self {
        case .or(let a, let b), .and(let a, let b): a.range.lowerBound..<b.range.upperBound
        case .not(let inner, let at): at..<inner.range.upperBound
        case .identifier(_, let r), .string(_, let r), .number(_, let r), .duration(_, let r), .bool(_, let r), .list(_, let r),
            .comparison(_, _, _, let r), .membership(_, _, _, let r), .matches(_, _, let r), .exists(_, _, let r), .parenthesized(_, let r):
            r
        }
    }
}

/// Recursive-descent parser: `or` binds loosest, then `and`, then `not`, then one predicate.
struct Parser {
    /// Deepest nesting of parentheses and `not` accepted; deeper input is refused before it can exhaust the stack.
    static let maximumDepth = 64

    var tokens: [Token]
    var position = 0
    var depth = 0

    static func parse(_ text: String) throws(ExpressionError) -> Syntax {
        var parser = Parser(tokens: try Lexer.tokenize(text))
        if parser.tokens.count == 1 {
            throw ExpressionError(offset: 0, code: .syntax, message: "empty condition")
        }
        let syntax = try parser.parseOr()
        let token = parser.peek
        if token.kind != .end {
            throw ExpressionError(
                offset: token.range.lowerBound, code: .syntax, message: "unexpected \(token.describe); expected \"and\", \"or\" or the end of the condition")
        }
        return syntax
    }

    var peek: Token { tokens[position] }

    mutating func advance() -> Token {
        let token = tokens[position]
        if position < tokens.count - 1 { position += 1 }
        return token
    }

    mutating func descend(at offset: Int) throws(ExpressionError) {
        depth += 1
        if depth > Parser.maximumDepth {
            throw ExpressionError(offset: offset, code: .syntax, message: "condition nested deeper than \(Parser.maximumDepth) levels")
        }
    }

    mutating func parseOr() throws(ExpressionError) -> Syntax {
        var left = try parseAnd()
        while peek.kind == .keyword(.or) {
            _ = advance()
            left = .or(left, try parseAnd())
        }
        return left
    }

    mutating func parseAnd() throws(ExpressionError) -> Syntax {
        var left = try parseNot()
        while peek.kind == .keyword(.and) {
            _ = advance()
            left = .and(left, try parseNot())
        }
        return left
    }

    mutating func parseNot() throws(ExpressionError) -> Syntax {
        if peek.kind == .keyword(.not) {
            let token = advance()
            try descend(at: token.range.lowerBound)
            defer { depth -= 1 }
            return .not(try parseNot(), at: token.range.lowerBound)
        }
        return try parsePredicate()
    }

    mutating func parsePredicate() throws(ExpressionError) -> Syntax {
        let left = try parseOperand()
        let start = left.range.lowerBound
        switch peek.kind {
        case .comparison(let op):
            _ = advance()
            let right = try parseOperand()
            return .comparison(left, op, right, start..<right.range.upperBound)
        case .keyword(.in):
            _ = advance()
            let right = try parseOperand()
            return .membership(left, negated: false, right, start..<right.range.upperBound)
        case .keyword(.matches):
            _ = advance()
            let right = try parseOperand()
            return .matches(left, right, start..<right.range.upperBound)
        case .keyword(.exists):
            let token = advance()
            return .exists(left, negated: false, start..<token.range.upperBound)
        case .keyword(.not):
            let notToken = tokens[position]
            let following = tokens[min(position + 1, tokens.count - 1)]
            if following.kind == .keyword(.in) {
                position += 2
                let right = try parseOperand()
                return .membership(left, negated: true, right, start..<right.range.upperBound)
            }
            if following.kind == .keyword(.exists) {
                position += 2
                return .exists(left, negated: true, start..<following.range.upperBound)
            }
            throw ExpressionError(offset: notToken.range.lowerBound, code: .syntax, message: "unexpected \"not\"; expected \"not in\" or \"not exists\" here")
        default:
            return left
        }
    }

    mutating func parseOperand() throws(ExpressionError) -> Syntax {
        let token = advance()
        switch token.kind {
        case .leftParen:
            try descend(at: token.range.lowerBound)
            defer { depth -= 1 }
            let inner = try parseOr()
            let close = advance()
            guard close.kind == .rightParen else {
                throw ExpressionError(
                    offset: close.range.lowerBound, code: .syntax,
                    message: "unexpected \(close.describe); expected \")\" to close the \"(\" at column offset \(token.range.lowerBound + 1)")
            }
            return .parenthesized(inner, token.range.lowerBound..<close.range.upperBound)
        case .leftBracket:
            var elements: [Syntax] = []
            if peek.kind == .rightBracket {
                let close = advance()
                return .list([], token.range.lowerBound..<close.range.upperBound)
            }
            while true {
                let element = advance()
                switch element.kind {
                case .string(let s): elements.append(.string(s, element.range))
                case .number(let n): elements.append(.number(n, element.range))
                case .duration(let d): elements.append(.duration(d, element.range))
                case .keyword(.true): elements.append(.bool(true, element.range))
                case .keyword(.false): elements.append(.bool(false, element.range))
                default:
                    throw ExpressionError(
                        offset: element.range.lowerBound, code: .syntax,
                        message: "unexpected \(element.describe) in a list; lists hold strings, numbers and durations")
                }
                let separator = advance()
                if separator.kind == .comma { continue }
                if separator.kind == .rightBracket {
                    return .list(elements, token.range.lowerBound..<separator.range.upperBound)
                }
                throw ExpressionError(offset: separator.range.lowerBound, code: .syntax, message: "unexpected \(separator.describe); expected \",\" or \"]\"")
            }
        case .identifier(let name): return .identifier(name, token.range)
        case .string(let text): return .string(text, token.range)
        case .number(let value): return .number(value, token.range)
        case .duration(let span): return .duration(span, token.range)
        case .keyword(.true): return .bool(true, token.range)
        case .keyword(.false): return .bool(false, token.range)
        default:
            throw ExpressionError(offset: token.range.lowerBound, code: .syntax, message: "unexpected \(token.describe); expected a field, a value or \"(\"")
        }
    }
}
