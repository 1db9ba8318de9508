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

/// The system's clock shifted to start at a given time: `hotline work --at` runs the
/// follow-up as it would run then, which is how an operator (or a test) previews it.
public struct ShiftedTimeSource: TimeSource {
    /// How far the clock is moved.
    public let offset: TimeInterval

    /// A clock that reads `start` now and runs on from there.
    public init(start: Date) { offset = start.timeIntervalSinceNow }

    /// `Date() + offset`.
    public func now() -> Date { Date().addingTimeInterval(offset) }
}
