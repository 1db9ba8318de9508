import Foundation

/// A password or key the config names but never holds: configs are committed and shared,
/// secrets are not. It comes from an environment variable or a file, read when it is used
/// (so a rotated file takes effect), and a source that cannot be read is an error, never an
/// empty or missing secret.
public struct Secret: Hashable, Sendable, CustomStringConvertible {
    /// Where the value is kept.
    public enum Source: Hashable, Sendable {
        /// An environment variable, by name.
        case environment(String)
        /// A file, by path; surrounding whitespace and the final line break are dropped.
        case file(String)
        /// The value itself: for tests and for values handed over in memory, never from a config file.
        case value(String)
    }

    /// Where the value is kept.
    public var source: Source
    /// The config key that named it (`smtp.password_env`), for messages.
    public var namedBy: String?

    /// A secret kept at `source`, named by the config key `namedBy`.
    public init(_ source: Source, namedBy: String? = nil) {
        self.source = source
        self.namedBy = namedBy
    }

    /// A secret from the environment variable `name`.
    public static func environment(_ name: String, namedBy key: String? = nil) -> Secret { Secret(.environment(name), namedBy: key) }
    /// A secret from the file at `path`.
    public static func file(_ path: String, namedBy key: String? = nil) -> Secret { Secret(.file(path), namedBy: key) }
    /// A secret given as its value.
    public static func value(_ value: String) -> Secret { Secret(.value(value)) }

    /// The value; throws when the variable is unset or the file unreadable or empty.
    public func reveal(environment: [String: String] = ProcessInfo.processInfo.environment) throws(SecretError) -> String {
        switch source {
        case .value(let value):
            return value
        case .environment(let name):
            guard let value = environment[name], !value.isEmpty else {
                throw SecretError(source: self, message: "the environment variable \(name)\(named) is not set")
            }
            return value
        case .file(let path):
            let text: String
            do {
                text = try String(contentsOfFile: path, encoding: .utf8)
            } catch {
                throw SecretError(source: self, message: "cannot read the file \(path)\(named): \(Self.reason(error))")
            }
            let value = text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !value.isEmpty else { throw SecretError(source: self, message: "the file \(path)\(named) is empty") }
            return value
        }
    }

    private var named: String { namedBy.map { " named by \($0)" } ?? "" }

    /// Where the secret comes from, never its value: safe for logs and diagnostics.
    public var description: String {
        switch source {
        case .environment(let name): "environment variable \(name)"
        case .file(let path): "file \(path)"
        case .value: "a value given in memory"
        }
    }

    private static func reason(_ error: any Error) -> String {
        let nsError = error as NSError
        if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        if nsError.domain == NSCocoaErrorDomain, nsError.code == NSFileReadNoSuchFileError { return "no such file" }
        if nsError.domain == NSCocoaErrorDomain, nsError.code == NSFileReadNoPermissionError { return "permission denied" }
        return nsError.localizedDescription
    }
}

/// A secret that could not be read, and why; never carries the value.
public struct SecretError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The secret concerned.
    public var source: Secret
    /// What is wrong.
    public var message: String

    /// Creates an error.
    public init(source: Secret, message: String) {
        self.source = source
        self.message = message
    }

    /// The message.
    public var description: String { message }
}
