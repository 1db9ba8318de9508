import HotlineCore

/// Why the gateway's parts could not be put together: a message and every diagnostic.
public struct SetupError: Error, Sendable, CustomStringConvertible {
    /// What could not be set up.
    public var message: String
    /// The problems found in the files, if any.
    public var diagnostics: [Diagnostic]

    /// Creates an error.
    public init(_ message: String, diagnostics: [Diagnostic] = []) {
        self.message = message
        self.diagnostics = diagnostics
    }

    /// The message.
    public var description: String { message }
}
