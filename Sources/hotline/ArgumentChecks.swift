import ArgumentParser
import Foundation
import HotlineCore

/// Checks of option values that run in `validate()`, before anything is opened, so that a bad
/// value fails at once with the usage line (exit 64) instead of doing something else: an
/// unchecked `--port 99999` was truncated by the socket layer to another port.
enum ArgumentChecks {
    /// A TCP port; 0 when `allowAny` (the system picks a free one).
    static func port(_ value: Int, option: String = "--port", allowAny: Bool = true) throws {
        let range = allowAny ? 0...65535 : 1...65535
        guard range.contains(value) else {
            throw ValidationError("\(option) must be a port from \(range.lowerBound) to 65535, got \(value)")
        }
    }

    /// Seconds between passes: more than none, at most a day.
    static func interval(_ value: Double, option: String) throws {
        guard value.isFinite, value > 0, value <= 86_400 else {
            throw ValidationError("\(option) must be seconds above 0 and at most 86400, got \(value)")
        }
    }

    /// An RFC 3339 time.
    static func time(_ text: String?, option: String = "--at") throws {
        guard let text else { return }
        guard RFC3339.parse(text) != nil else {
            throw ValidationError("\(option) must be an RFC 3339 time such as 2026-12-01T09:00:00Z, got \(JSONValue.string(text).serialized)")
        }
    }

    /// A duration such as 30d or 12h.
    static func span(_ text: String, option: String) throws {
        guard TimeSpan(text) != nil else {
            throw ValidationError("\(option) must be a duration like 30d or 12h, got \(JSONValue.string(text).serialized)")
        }
    }

    /// A count in `range`.
    static func count(_ value: Int, option: String, in range: ClosedRange<Int>) throws {
        guard range.contains(value) else {
            throw ValidationError("\(option) must be from \(range.lowerBound) to \(range.upperBound), got \(value)")
        }
    }

    /// A path that exists.
    static func existing(_ path: String?, option: String) throws {
        guard let path else { return }
        guard path == "-" || FileManager.default.fileExists(atPath: path) else {
            throw ValidationError("\(option): no such file or directory: \(path)")
        }
    }
}
