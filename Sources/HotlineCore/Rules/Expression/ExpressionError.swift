/// A problem in one condition expression, at a character offset into its text.
public struct ExpressionError: Error, Hashable, Sendable {
    /// 0-based character offset into the expression where the problem is.
    public var offset: Int
    /// The stable code.
    public var code: DiagnosticCode
    /// What is wrong.
    public var message: String
    /// `error`, or `warning` for things that load but are probably wrong.
    public var severity: Diagnostic.Severity

    /// Creates an error.
    public init(offset: Int, code: DiagnosticCode, message: String, severity: Diagnostic.Severity = .error) {
        self.offset = offset
        self.code = code
        self.message = message
        self.severity = severity
    }
}
