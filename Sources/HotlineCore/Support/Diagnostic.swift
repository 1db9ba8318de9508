/// A place in a source file: 1-based line and column.
public struct SourceLocation: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The file's path as the user gave it.
    public var file: String
    /// 1-based line.
    public var line: Int
    /// 1-based column, in characters.
    public var column: Int

    /// Creates a location.
    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// `FILE:LINE:COLUMN`.
    public var description: String { "\(file):\(line):\(column)" }

    /// The same place moved `columns` characters to the right.
    public func advanced(by columns: Int) -> SourceLocation {
        SourceLocation(file: file, line: line, column: column + columns)
    }

    /// Whether the left one sorts first.
    public static func < (lhs: SourceLocation, rhs: SourceLocation) -> Bool {
        (lhs.file, lhs.line, lhs.column) < (rhs.file, rhs.line, rhs.column)
    }
}

/// A stable, machine-readable code naming a kind of problem; text may be reworded, codes are not.
public struct DiagnosticCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The code as printed in brackets.
    public var rawValue: String
    /// Creates a code.
    public init(rawValue: String) { self.rawValue = rawValue }
    /// The code as printed.
    public var description: String { rawValue }

    /// The YAML could not be parsed.
    public static let yamlSyntax = DiagnosticCode(rawValue: "yaml-syntax")
    /// A YAML limit (size, nesting, aliases) was exceeded.
    public static let yamlLimit = DiagnosticCode(rawValue: "yaml-limit")
    /// A mapping has the same key twice.
    public static let duplicateKey = DiagnosticCode(rawValue: "duplicate-key")
    /// A key is not one this place accepts.
    public static let unknownKey = DiagnosticCode(rawValue: "unknown-key")
    /// A required key is missing.
    public static let missingKey = DiagnosticCode(rawValue: "missing-key")
    /// A value has the wrong YAML shape or is not acceptable.
    public static let invalidValue = DiagnosticCode(rawValue: "invalid-value")
    /// The file's `version` is not supported.
    public static let unsupportedVersion = DiagnosticCode(rawValue: "unsupported-version")
    /// An expression does not parse.
    public static let syntax = DiagnosticCode(rawValue: "syntax")
    /// A field is not in the schema.
    public static let unknownField = DiagnosticCode(rawValue: "unknown-field")
    /// Types do not fit together.
    public static let typeMismatch = DiagnosticCode(rawValue: "type-mismatch")
    /// A string is not one of the values the field can take.
    public static let unknownValue = DiagnosticCode(rawValue: "unknown-value")
    /// A list name is not defined.
    public static let undefinedList = DiagnosticCode(rawValue: "undefined-list")
    /// A macro name is not defined.
    public static let undefinedMacro = DiagnosticCode(rawValue: "undefined-macro")
    /// Macros refer to each other in a cycle.
    public static let macroCycle = DiagnosticCode(rawValue: "macro-cycle")
    /// A name is defined twice.
    public static let duplicateName = DiagnosticCode(rawValue: "duplicate-name")
    /// Two rules share a name.
    public static let duplicateRule = DiagnosticCode(rawValue: "duplicate-rule")
    /// An action name is not known.
    public static let unknownAction = DiagnosticCode(rawValue: "unknown-action")
    /// A regular expression does not compile.
    public static let invalidRegex = DiagnosticCode(rawValue: "invalid-regex")
    /// An address or network is not valid.
    public static let invalidAddress = DiagnosticCode(rawValue: "invalid-address")
    /// A rule can never fire.
    public static let unreachableRule = DiagnosticCode(rawValue: "unreachable-rule")
    /// A list is never used.
    public static let unusedList = DiagnosticCode(rawValue: "unused-list")
    /// A macro is never used.
    public static let unusedMacro = DiagnosticCode(rawValue: "unused-macro")
    /// A rule stops evaluation without deciding anything.
    public static let noDisposition = DiagnosticCode(rawValue: "no-disposition")
    /// The rule set has no `default`.
    public static let missingDefault = DiagnosticCode(rawValue: "missing-default")
    /// A file could not be read.
    public static let io = DiagnosticCode(rawValue: "io")
}

/// One problem found in a rule file, a test file or a config file.
///
/// Printed as `PATH:LINE:COLUMN: error|warning: MESSAGE [CODE]`, the format compilers use,
/// so editors can jump to the place.
public struct Diagnostic: Error, Hashable, Sendable, CustomStringConvertible {
    /// How bad it is.
    public enum Severity: String, Hashable, Sendable {
        /// The file is not loaded.
        case error
        /// The file is loaded; something is probably not what the author meant.
        case warning
    }

    /// How bad it is.
    public var severity: Severity
    /// The stable code.
    public var code: DiagnosticCode
    /// What is wrong, quoting the key and the bad value.
    public var message: String
    /// Where.
    public var location: SourceLocation

    /// Creates a diagnostic.
    public init(_ severity: Severity, _ code: DiagnosticCode, _ message: String, at location: SourceLocation) {
        self.severity = severity
        self.code = code
        self.message = message
        self.location = location
    }

    /// An error.
    public static func error(_ code: DiagnosticCode, _ message: String, at location: SourceLocation) -> Diagnostic {
        Diagnostic(.error, code, message, at: location)
    }

    /// A warning.
    public static func warning(_ code: DiagnosticCode, _ message: String, at location: SourceLocation) -> Diagnostic {
        Diagnostic(.warning, code, message, at: location)
    }

    /// `{"file","line","column","severity","code","message"}`, for machine-read output.
    public var json: JSONValue {
        .object([
            "file": .string(location.file), "line": .number(Double(location.line)), "column": .number(Double(location.column)),
            "severity": .string(severity.rawValue), "code": .string(code.rawValue), "message": .string(message),
        ])
    }

    /// `PATH:LINE:COLUMN: error|warning: MESSAGE [CODE]`.
    public var description: String {
        "\(location): \(severity.rawValue): \(message) [\(code)]"
    }
}

extension Array where Element == Diagnostic {
    /// Whether any of these is an error.
    public var containsErrors: Bool { contains { $0.severity == .error } }

    /// The diagnostics in file, line and column order, errors before warnings at the same place.
    public var sortedByLocation: [Diagnostic] {
        enumerated().sorted { a, b in
            if a.element.location != b.element.location { return a.element.location < b.element.location }
            return a.offset < b.offset
        }.map(\.element)
    }
}

/// A set of diagnostics that stopped a load because at least one is an error.
public struct DiagnosticsError: Error, Sendable, CustomStringConvertible {
    /// Every problem found, not just the first.
    public var diagnostics: [Diagnostic]
    /// Creates the error.
    public init(_ diagnostics: [Diagnostic]) { self.diagnostics = diagnostics }
    /// One diagnostic a line.
    public var description: String { diagnostics.map(\.description).joined(separator: "\n") }
}

/// Outside text quoted in a message: as a JSON string (control characters escaped), cut to
/// about `limit` characters, so that a hostile megabyte never becomes a megabyte of
/// diagnostics or log.
public enum Quoted {
    /// Most characters of the text shown by default.
    public static let limit = 80

    /// `text` as a JSON string, cut to `limit` characters with the length that was cut.
    public static func text(_ text: String, limit: Int = Quoted.limit) -> String {
        guard text.count > limit else { return JSONValue.string(text).serialized }
        return JSONValue.string(String(text.prefix(limit))).serialized + "… (\(text.utf8.count) bytes)"
    }
}
