import Foundation

/// Where the gateway gets the current time; a port so tests can fix it.
///
/// Not called `Clock`, which the standard library uses for a different protocol.
public protocol TimeSource: Sendable {
    /// The current time.
    func now() -> Date
}

/// The system's clock.
public struct SystemTimeSource: TimeSource {
    /// Creates the system clock.
    public init() {}
    /// `Date()`.
    public func now() -> Date { Date() }
}
