import HotlineCore

/// Reads YAML nodes strictly, collecting every problem: unknown keys, missing keys and values
/// of the wrong shape, each quoting the key and the value.
public struct YAMLReader {
    /// Every problem found so far.
    public var diagnostics: [Diagnostic] = []

    /// Creates a reader.
    public init() {}

    /// Parses `text` and returns its root with a reader that already holds the parser's own
    /// diagnostics (duplicate keys); throws the syntax or limit problem that stopped parsing.
    public static func start(_ text: String, file: String, limits: YAMLLimits = .standard) throws(Diagnostic) -> (root: YAMLNode?, reader: YAMLReader) {
        let parsed = try YAMLParser.parse(text, file: file, limits: limits)
        var reader = YAMLReader()
        reader.diagnostics = parsed.diagnostics
        return (parsed.node, reader)
    }

    /// Most problems kept: past them one more says how many were left out, so a hostile
    /// file cannot turn into a flood of diagnostics.
    public static let maximumDiagnostics = 500

    /// Records an error.
    public mutating func error(_ code: DiagnosticCode, _ message: String, at location: SourceLocation) {
        if diagnostics.count == Self.maximumDiagnostics {
            diagnostics.append(.error(code, "more problems follow; only the first \(Self.maximumDiagnostics) are shown", at: location))
        }
        guard diagnostics.count < Self.maximumDiagnostics else { return }
        diagnostics.append(.error(code, message, at: location))
    }

    /// The pairs of a mapping whose keys are all in `allowed`, reporting the others; `nil`
    /// (with an error) when the node is not a mapping.
    public mutating func mapping(_ node: YAMLNode, allowed: [String], required: [String] = [], what: String) -> [String: YAMLNode]? {
        guard case .mapping(let pairs) = node.kind else {
            error(.invalidValue, "\(what) must be a mapping, got \(node.kindName)", at: node.location)
            return nil
        }
        var result: [String: YAMLNode] = [:]
        for pair in pairs {
            guard let key = pair.key.scalar else {
                error(.invalidValue, "keys of \(what) must be scalars", at: pair.key.location)
                continue
            }
            guard allowed.contains(key) else {
                var message = "unknown key \(Quoted.text(key)) in \(what); expected one of \(allowed.joined(separator: ", "))"
                if let suggestion = YAMLReader.suggest(key, from: allowed) {
                    message = "unknown key \(Quoted.text(key)) in \(what); did you mean \"\(suggestion)\"?"
                }
                error(.unknownKey, message, at: pair.key.location)
                continue
            }
            if result[key] == nil { result[key] = pair.value }
        }
        for key in required where result[key] == nil {
            error(.missingKey, "\(what) is missing required key \"\(key)\"", at: node.location)
        }
        return result
    }

    /// The closest of `candidates` to `word`, if close enough to be a typo.
    public static func suggest(_ word: String, from candidates: [String]) -> String? {
        let scored = candidates.map { candidate -> (String, Int) in (candidate, editDistance(candidate, word)) }
        let allowed = word.count <= 3 ? 1 : max(2, word.count / 3)
        guard let best = scored.min(by: { $0.1 < $1.1 }), best.1 <= allowed else { return nil }
        return best.0
    }

    /// Reports a `version` other than `supported`.
    public mutating func checkVersion(_ node: YAMLNode?, supported: Int) {
        guard let node, node.scalar != String(supported) else { return }
        error(.unsupportedVersion, "unsupported version \(YAMLReader.show(node)); this gateway reads version \(supported)", at: node.location)
    }

    /// A two-letter uppercase ISO 3166 country code.
    public mutating func country(_ node: YAMLNode, key: String) -> String? {
        guard let text = string(node, key: key) else { return nil }
        guard text.count == 2, text.allSatisfy({ $0.isASCII && $0.isUppercase }) else {
            let expected = key == "countries" ? "two-letter uppercase ISO 3166 codes" : "a two-letter uppercase ISO 3166 code"
            error(.invalidValue, "\"\(key)\" must be \(expected), got \(YAMLReader.show(node))", at: node.location)
            return nil
        }
        return text
    }

    /// A non-empty string scalar.
    public mutating func string(_ node: YAMLNode, key: String) -> String? {
        guard let text = node.scalar, !node.isNull else {
            error(.invalidValue, "\"\(key)\" must be a string, got \(node.kindName)", at: node.location)
            return nil
        }
        if text.isEmpty {
            error(.invalidValue, "\"\(key)\" must not be empty", at: node.location)
            return nil
        }
        return text
    }

    /// A plain `true` or `false`; YAML 1.1's `yes`/`no`/`on`/`off` are refused because they
    /// surprise people (a country code `NO` is not `false`).
    public mutating func bool(_ node: YAMLNode, key: String) -> Bool? {
        if case .scalar(let text, .plain) = node.kind {
            if text == "true" { return true }
            if text == "false" { return false }
        }
        error(.invalidValue, "\"\(key)\" must be true or false, got \(YAMLReader.show(node))", at: node.location)
        return nil
    }

    /// A whole number within `range`.
    public mutating func integer(_ node: YAMLNode, key: String, range: ClosedRange<Int>) -> Int? {
        if case .scalar(let text, .plain) = node.kind, let value = Int(text), range.contains(value) { return value }
        error(
            .invalidValue, "\"\(key)\" must be a whole number from \(range.lowerBound) to \(range.upperBound), got \(YAMLReader.show(node))", at: node.location)
        return nil
    }

    /// A duration like `24h`.
    public mutating func duration(_ node: YAMLNode, key: String) -> TimeSpan? {
        if let text = node.scalar, let span = TimeSpan(text) { return span }
        error(.invalidValue, "\"\(key)\" must be a duration like 30m, 24h or 7d, got \(YAMLReader.show(node))", at: node.location)
        return nil
    }

    /// The elements of a sequence; a single non-sequence node is treated as a one-element list
    /// when `allowSingle` is set.
    public mutating func sequence(_ node: YAMLNode, key: String, allowSingle: Bool = false) -> [YAMLNode]? {
        if case .sequence(let items) = node.kind { return items }
        if allowSingle, case .mapping = node.kind { return [node] }
        error(.invalidValue, "\"\(key)\" must be a list, got \(node.kindName)", at: node.location)
        return nil
    }

    /// The node as it would be quoted in a message.
    public static func show(_ node: YAMLNode) -> String {
        switch node.kind {
        case .scalar(let text, _): node.isNull ? "null" : Quoted.text(text)
        case .sequence: "a list"
        case .mapping: "a mapping"
        }
    }
}
