import HotlineCore

/// A YAML node with the place it was written, so every diagnostic can point at the exact
/// key or value.
public struct YAMLNode: Sendable {
    /// How a scalar was written; plain scalars are the only ones read as booleans or numbers.
    public enum ScalarStyle: Sendable, Hashable {
        /// Unquoted.
        case plain
        /// `'…'`.
        case singleQuoted
        /// `"…"`.
        case doubleQuoted
        /// `|` block.
        case literal
        /// `>` block.
        case folded
    }

    /// The node's content.
    public enum Kind: Sendable {
        /// A scalar's text.
        case scalar(String, ScalarStyle)
        /// A sequence.
        case sequence([YAMLNode])
        /// A mapping, in written order.
        case mapping([(key: YAMLNode, value: YAMLNode)])
    }

    /// The content.
    public var kind: Kind
    /// Where the node starts.
    public var location: SourceLocation
    /// For scalars whose text does not map one to one onto one source line (escapes, line
    /// breaks, block scalars): where each character of the text was written.
    public var characterLocations: [SourceLocation]?

    /// Creates a node.
    public init(_ kind: Kind, at location: SourceLocation, characterLocations: [SourceLocation]? = nil) {
        self.kind = kind
        self.location = location
        self.characterLocations = characterLocations
    }

    /// The scalar's text, for scalars.
    public var scalar: String? {
        if case .scalar(let text, _) = kind { return text }
        return nil
    }

    /// Whether this is a plain `null`, `~` or empty scalar.
    public var isNull: Bool {
        if case .scalar(let text, .plain) = kind { return text.isEmpty || text == "~" || text == "null" || text == "Null" || text == "NULL" }
        return false
    }

    /// The kind's name for messages: `a string`, `a list`, `a mapping`.
    public var kindName: String {
        switch kind {
        case .scalar: isNull ? "null" : "a scalar"
        case .sequence: "a list"
        case .mapping: "a mapping"
        }
    }

    /// The node's value as JSON: plain `true`/`false`, numbers and nulls typed, everything
    /// else a string. Used where YAML stands in for a JSON document (reports in rule tests).
    public var json: JSONValue {
        switch kind {
        case .scalar(let text, let style):
            guard style == .plain else { return .string(text) }
            if isNull { return .null }
            if text == "true" { return .bool(true) }
            if text == "false" { return .bool(false) }
            if let number = Double(text), text.first.map({ $0.isNumber || $0 == "-" }) == true { return .number(number) }
            return .string(text)
        case .sequence(let items): return .array(items.map(\.json))
        case .mapping(let pairs):
            return .object(JSONObject(pairs.map { (key: $0.key.scalar ?? "", value: $0.value.json) }))
        }
    }

    /// Where the text of a scalar starts: after the opening quote, or where the first line
    /// of a block scalar's content is.
    public var contentLocation: SourceLocation {
        if let first = characterLocations?.first { return first }
        guard case .scalar(_, let style) = kind else { return location }
        switch style {
        case .singleQuoted, .doubleQuoted: return location.advanced(by: 1)
        default: return location
        }
    }
}
