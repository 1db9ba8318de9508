import CYAML
import HotlineCore

/// Limits that keep a hostile or mistaken YAML file from taking the gateway down.
public struct YAMLLimits: Sendable {
    /// Largest file accepted, in bytes.
    public var maximumBytes: Int
    /// Deepest nesting of lists and mappings.
    public var maximumDepth: Int
    /// Most nodes after aliases are expanded: the defence against "billion laughs".
    public var maximumNodes: Int
    /// Most bytes of scalar text after aliases are expanded: a few nodes holding long text,
    /// repeated by aliases, are as bad as many nodes (a 228 KB mail took the poller to 853 MB).
    public var maximumExpandedBytes: Int
    /// Whether aliases are accepted at all (never in mail, where nobody needs them).
    public var allowsAliases: Bool

    /// Creates limits.
    public init(
        maximumBytes: Int = 1_048_576, maximumDepth: Int = 64, maximumNodes: Int = 200_000, maximumExpandedBytes: Int = 4_194_304,
        allowsAliases: Bool = true
    ) {
        self.maximumBytes = maximumBytes
        self.maximumDepth = maximumDepth
        self.maximumNodes = maximumNodes
        self.maximumExpandedBytes = maximumExpandedBytes
        self.allowsAliases = allowsAliases
    }

    /// The defaults.
    public static let standard = YAMLLimits()

    /// For YAML inside messages from outside (X-ARF 0.2): small, flat, no aliases.
    public static let message = YAMLLimits(maximumBytes: 65_536, maximumDepth: 8, maximumNodes: 2_000, maximumExpandedBytes: 65_536, allowsAliases: false)
}

/// Parses YAML with the system libyaml into ``YAMLNode``s.
///
/// Event-based, so line and column of every node are kept and limits are enforced while
/// building rather than after. Aliases are expanded by copy, and each expansion counts the
/// anchored subtree's size against ``YAMLLimits/maximumNodes``.
public enum YAMLParser {
    /// Parses the single document in `text`. Returns `nil` for an empty document; throws the
    /// first syntax or limit problem. Duplicate keys are returned as diagnostics beside the node.
    public static func parse(_ text: String, file: String, limits: YAMLLimits = .standard) throws(Diagnostic) -> (node: YAMLNode?, diagnostics: [Diagnostic]) {
        var bytes = Array(text.utf8)
        if bytes.count > limits.maximumBytes {
            throw .error(
                .yamlLimit, "file is \(bytes.count) bytes, more than the \(limits.maximumBytes) accepted", at: SourceLocation(file: file, line: 1, column: 1))
        }
        var builder = Builder(file: file, limits: limits, source: bytes)
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else {
            throw .error(.yamlSyntax, "libyaml could not be initialised", at: SourceLocation(file: file, line: 1, column: 1))
        }
        defer { yaml_parser_delete(&parser) }
        let count = bytes.count
        return try bytes.withUnsafeMutableBufferPointer { buffer throws(Diagnostic) in
            yaml_parser_set_input_string(&parser, buffer.baseAddress, count)
            var event = yaml_event_t()
            while true {
                guard yaml_parser_parse(&parser, &event) == 1 else {
                    let problem = parser.problem.map { String(cString: $0) } ?? "invalid YAML"
                    let context = parser.context.map { " " + String(cString: $0) } ?? ""
                    let mark = parser.problem_mark
                    let found = Int(mark.index) < count ? buffer[Int(mark.index)] : nil
                    let hint = YAMLSyntaxHint.hint(problem: problem + context, found: found).map { "; hint: \($0)" } ?? ""
                    // Where an unclosed quote or bracket began, when libyaml knows it.
                    let started = parser.context_mark.line != mark.line && parser.context != nil ? " (from line \(parser.context_mark.line + 1))" : ""
                    throw .error(
                        .yamlSyntax, "\(problem)\(context)\(started)\(hint)",
                        at: SourceLocation(file: file, line: Int(mark.line) + 1, column: Int(mark.column) + 1))
                }
                defer { yaml_event_delete(&event) }
                if event.type == YAML_STREAM_END_EVENT { break }
                try builder.handle(&event)
            }
            return (builder.root, builder.diagnostics)
        }
    }

    private struct Frame {
        var isMapping: Bool
        var anchor: String?
        var location: SourceLocation
        var items: [YAMLNode] = []
        var nodeCount = 1
        var byteCount = 0
    }

    private struct Builder {
        let file: String
        let limits: YAMLLimits
        var stack: [Frame] = []
        var anchors: [String: (node: YAMLNode, count: Int, bytes: Int)] = [:]
        var root: YAMLNode?
        var documents = 0
        var totalNodes = 0
        var totalBytes = 0
        var diagnostics: [Diagnostic] = []

        let source: [UInt8]

        init(file: String, limits: YAMLLimits, source: [UInt8]) {
            self.file = file
            self.limits = limits
            self.source = source
        }

        /// Maps each character of a scalar's text to where it was written, for scalars where
        /// that is not "start plus offset": escapes, quotes doubled, line breaks, block scalars.
        /// Line breaks inside flow scalars fold into one character and the next line's
        /// indentation is skipped, as YAML does.
        func characterMap(start: yaml_mark_t, end: yaml_mark_t, style: YAMLNode.ScalarStyle) -> [SourceLocation]? {
            let startIndex = Int(start.index)
            let endIndex = min(Int(end.index), source.count)
            guard startIndex < endIndex, endIndex - startIndex <= 8192 else { return nil }
            let raw = Array(String(decoding: source[startIndex..<endIndex], as: UTF8.self).unicodeScalars)
            let multiLine = start.line != end.line
            switch style {
            case .plain where !multiLine: return nil
            case .singleQuoted where !multiLine && !raw.dropFirst().dropLast().contains("'"): return nil
            case .doubleQuoted where !multiLine && !raw.contains("\\"): return nil
            default: break
            }
            var map: [SourceLocation] = []
            var line = Int(start.line) + 1
            var column = Int(start.column) + 1
            var index = 0
            func here() -> SourceLocation { SourceLocation(file: file, line: line, column: column) }
            func step() {
                if raw[index] == "\n" {
                    line += 1
                    column = 1
                } else {
                    column += 1
                }
                index += 1
            }
            func skipIndentation() { while index < raw.count, raw[index] == " " || raw[index] == "\t" { step() } }
            switch style {
            case .literal, .folded:
                while index < raw.count, raw[index] != "\n" { step() }
                if index < raw.count { step() }
                var indent = 0
                while index + indent < raw.count, raw[index + indent] == " " { indent += 1 }
                while index < raw.count {
                    var skipped = 0
                    while skipped < indent, index < raw.count, raw[index] == " " {
                        step()
                        skipped += 1
                    }
                    while index < raw.count, raw[index] != "\n" {
                        map.append(here())
                        step()
                    }
                    if index < raw.count {
                        map.append(here())
                        step()
                    }
                }
            case .plain, .singleQuoted, .doubleQuoted:
                let quote: Unicode.Scalar? = style == .singleQuoted ? "'" : style == .doubleQuoted ? "\"" : nil
                if quote != nil { step() }
                func atEnd() -> Bool {
                    guard let quote, raw[index] == quote else { return false }
                    return !(style == .singleQuoted && index + 1 < raw.count && raw[index + 1] == "'")
                }
                while index < raw.count, !atEnd() {
                    let location = here()
                    if raw[index] == "\n" {
                        map.append(location)
                        step()
                        skipIndentation()
                        continue
                    }
                    if style == .singleQuoted && raw[index] == "'" {
                        map.append(location)
                        step()
                        step()
                        continue
                    }
                    if style == .doubleQuoted && raw[index] == "\\", index + 1 < raw.count {
                        let escape = raw[index + 1]
                        step()
                        step()
                        let extra = escape == "x" ? 2 : escape == "u" ? 4 : escape == "U" ? 8 : 0
                        for _ in 0..<extra where index < raw.count { step() }
                        if escape == "\n" {
                            skipIndentation()
                            continue
                        }
                        map.append(location)
                        continue
                    }
                    map.append(location)
                    step()
                }
            }
            return map
        }

        func location(_ mark: yaml_mark_t) -> SourceLocation {
            SourceLocation(file: file, line: Int(mark.line) + 1, column: Int(mark.column) + 1)
        }

        static func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
            pointer.map { String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self)) }
        }

        mutating func count(_ nodes: Int, bytes: Int, at location: SourceLocation) throws(Diagnostic) {
            totalNodes += nodes
            totalBytes += bytes
            if totalNodes > limits.maximumNodes {
                throw .error(.yamlLimit, "document has more than \(limits.maximumNodes) nodes after expanding aliases", at: location)
            }
            if totalBytes > limits.maximumExpandedBytes {
                throw .error(.yamlLimit, "document has more than \(limits.maximumExpandedBytes) bytes of text after expanding aliases", at: location)
            }
        }

        mutating func handle(_ event: inout yaml_event_t) throws(Diagnostic) {
            let at = location(event.start_mark)
            switch event.type {
            case YAML_DOCUMENT_START_EVENT:
                documents += 1
                if documents > 1 { throw .error(.yamlSyntax, "more than one YAML document in the file", at: at) }
            case YAML_SCALAR_EVENT:
                let scalar = event.data.scalar
                let text = String(decoding: UnsafeBufferPointer(start: scalar.value, count: scalar.length), as: UTF8.self)
                let style: YAMLNode.ScalarStyle
                switch scalar.style {
                case YAML_SINGLE_QUOTED_SCALAR_STYLE: style = .singleQuoted
                case YAML_DOUBLE_QUOTED_SCALAR_STYLE: style = .doubleQuoted
                case YAML_LITERAL_SCALAR_STYLE: style = .literal
                case YAML_FOLDED_SCALAR_STYLE: style = .folded
                default: style = .plain
                }
                try count(1, bytes: scalar.length, at: at)
                let map = characterMap(start: event.start_mark, end: event.end_mark, style: style)
                try add(YAMLNode(.scalar(text, style), at: at, characterLocations: map), nodes: 1, bytes: scalar.length, anchor: Builder.string(scalar.anchor))
            case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
                let isMapping = event.type == YAML_MAPPING_START_EVENT
                if stack.count >= limits.maximumDepth {
                    throw .error(.yamlLimit, "nesting deeper than \(limits.maximumDepth) levels", at: at)
                }
                try count(1, bytes: 0, at: at)
                let anchor = isMapping ? Builder.string(event.data.mapping_start.anchor) : Builder.string(event.data.sequence_start.anchor)
                stack.append(Frame(isMapping: isMapping, anchor: anchor, location: at))
            case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                let frame = stack.removeLast()
                let node: YAMLNode
                if frame.isMapping {
                    var pairs: [(key: YAMLNode, value: YAMLNode)] = []
                    var seen: [String: SourceLocation] = [:]
                    var index = 0
                    while index + 1 < frame.items.count {
                        let key = frame.items[index]
                        let value = frame.items[index + 1]
                        if let name = key.scalar {
                            if let first = seen[name] {
                                diagnostics.append(.error(.duplicateKey, "duplicate key \(Quoted.text(name)) (first at line \(first.line))", at: key.location))
                            } else {
                                seen[name] = key.location
                            }
                        }
                        pairs.append((key, value))
                        index += 2
                    }
                    node = YAMLNode(.mapping(pairs), at: frame.location)
                } else {
                    node = YAMLNode(.sequence(frame.items), at: frame.location)
                }
                try add(node, nodes: frame.nodeCount, bytes: frame.byteCount, anchor: frame.anchor)
            case YAML_ALIAS_EVENT:
                guard limits.allowsAliases else { throw .error(.yamlLimit, "aliases (*name) are not accepted here", at: at) }
                guard let name = Builder.string(event.data.alias.anchor), let anchored = anchors[name] else {
                    throw .error(.yamlSyntax, "alias to an undefined anchor", at: at)
                }
                // A key made of an alias can be any size and is compared with every other key.
                if let frame = stack.last, frame.isMapping, frame.items.count % 2 == 0 {
                    throw .error(.yamlSyntax, "an alias as a mapping key is not accepted", at: at)
                }
                try count(anchored.count, bytes: anchored.bytes, at: at)
                var copy = anchored.node
                copy.location = at
                try add(copy, nodes: anchored.count, bytes: anchored.bytes, anchor: nil)
            default:
                break
            }
        }

        mutating func add(_ node: YAMLNode, nodes: Int, bytes: Int, anchor: String?) throws(Diagnostic) {
            if let anchor { anchors[anchor] = (node, nodes, bytes) }
            if stack.isEmpty {
                root = node
            } else {
                stack[stack.count - 1].items.append(node)
                stack[stack.count - 1].nodeCount += nodes
                stack[stack.count - 1].byteCount += bytes
            }
        }
    }
}
