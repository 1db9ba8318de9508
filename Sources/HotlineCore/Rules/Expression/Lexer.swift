/// Splits a condition into tokens; positions are character offsets so diagnostics can point
/// at the exact column.
struct Lexer {
    let characters: [Character]
    var index = 0

    init(_ text: String) { characters = Array(text) }

    static func tokenize(_ text: String) throws(ExpressionError) -> [Token] {
        var lexer = Lexer(text)
        var tokens: [Token] = []
        while true {
            let token = try lexer.next()
            tokens.append(token)
            if token.kind == .end { return tokens }
        }
    }

    private static func isIdentifierStart(_ c: Character) -> Bool { c.isASCII && (c.isLetter || c == "_") }
    private static func isIdentifierPart(_ c: Character) -> Bool { c.isASCII && (c.isLetter || c.isNumber || c == "_" || c == "-" || c == ".") }

    mutating func next() throws(ExpressionError) -> Token {
        while index < characters.count, characters[index].isWhitespace { index += 1 }
        let start = index
        guard index < characters.count else { return Token(kind: .end, range: start..<start) }
        let c = characters[index]
        func single(_ kind: Token.Kind) -> Token {
            index += 1
            return Token(kind: kind, range: start..<index)
        }
        switch c {
        case "(": return single(.leftParen)
        case ")": return single(.rightParen)
        case "[": return single(.leftBracket)
        case "]": return single(.rightBracket)
        case ",": return single(.comma)
        case "=", "!", "<", ">":
            let nextIsEqual = index + 1 < characters.count && characters[index + 1] == "="
            let op: ComparisonOperator?
            switch (c, nextIsEqual) {
            case ("=", true): op = .equal
            case ("!", true): op = .notEqual
            case ("<", true): op = .lessOrEqual
            case (">", true): op = .greaterOrEqual
            case ("<", false): op = .less
            case (">", false): op = .greater
            case ("=", false): throw ExpressionError(offset: start, code: .syntax, message: "\"=\" is not an operator; use \"==\" to compare")
            default: throw ExpressionError(offset: start, code: .syntax, message: "\"!\" is not an operator; use \"not\" or \"!=\"")
            }
            index += nextIsEqual ? 2 : 1
            return Token(kind: .comparison(op!), range: start..<index)
        case "\"", "'":
            return try string(quote: c)
        case "&", "|":
            let word = c == "&" ? "and" : "or"
            throw ExpressionError(offset: start, code: .syntax, message: "\"\(c)\" is not an operator; use \"\(word)\"")
        default:
            if c.isASCII && c.isNumber || (c == "-" && index + 1 < characters.count && characters[index + 1].isASCII && characters[index + 1].isNumber) {
                return try number()
            }
            if Lexer.isIdentifierStart(c) {
                while index < characters.count, Lexer.isIdentifierPart(characters[index]) { index += 1 }
                let word = String(characters[start..<index])
                if let keyword = Token.Keyword(rawValue: word) {
                    return Token(kind: .keyword(keyword), range: start..<index)
                }
                if word.hasSuffix(".") {
                    throw ExpressionError(offset: index - 1, code: .syntax, message: "name \"\(word)\" ends with \".\"")
                }
                return Token(kind: .identifier(word), range: start..<index)
            }
            throw ExpressionError(offset: start, code: .syntax, message: "unexpected character \"\(c)\"")
        }
    }

    private mutating func string(quote: Character) throws(ExpressionError) -> Token {
        let start = index
        index += 1
        var text = ""
        while index < characters.count {
            let c = characters[index]
            if c == quote {
                index += 1
                return Token(kind: .string(text), range: start..<index)
            }
            if c == "\\" {
                guard index + 1 < characters.count else { break }
                let escaped = characters[index + 1]
                switch escaped {
                case "\\", "\"", "'": text.append(escaped)
                case "n": text.append("\n")
                case "t": text.append("\t")
                default:
                    throw ExpressionError(offset: index, code: .syntax, message: "unknown escape \"\\\(escaped)\" in string")
                }
                index += 2
                continue
            }
            text.append(c)
            index += 1
        }
        throw ExpressionError(offset: start, code: .syntax, message: "string is not closed; add \(quote) at the end")
    }

    private mutating func number() throws(ExpressionError) -> Token {
        let start = index
        if characters[index] == "-" { index += 1 }
        while index < characters.count, characters[index].isASCII,
            characters[index].isNumber || characters[index] == "." || characters[index].isLetter || characters[index] == ":" || characters[index] == "/"
        {
            index += 1
        }
        let text = String(characters[start..<index])
        if text.filter({ $0 == "." }).count > 1 || text.contains(":") || text.contains("/") {
            throw ExpressionError(offset: start, code: .syntax, message: "\(text) looks like an address; write addresses and networks in quotes: \"\(text)\"")
        }
        if let value = Double(text), !text.contains(where: \.isLetter) {
            return Token(kind: .number(value), range: start..<index)
        }
        if let span = TimeSpan(text) {
            return Token(kind: .duration(span), range: start..<index)
        }
        throw ExpressionError(offset: start, code: .syntax, message: "invalid number or duration \"\(text)\" (durations are like 90s, 30m, 24h, 7d, 2w)")
    }
}
