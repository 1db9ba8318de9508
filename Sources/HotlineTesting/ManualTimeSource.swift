import Foundation
import HotlineCore

/// A clock that moves only when a test moves it.
public final class ManualTimeSource: TimeSource, @unchecked Sendable {
    private let lock = NSLock()
    private var current: Date

    /// Starts at `start` (2026-01-01T00:00:00Z by default).
    public init(_ start: Date = Date(timeIntervalSince1970: 1_767_225_600)) { current = start }

    /// The current test time.
    public func now() -> Date {
        lock.lock()
        defer { lock.unlock() }
        return current
    }

    /// Moves the clock forward.
    public func advance(by seconds: TimeInterval) {
        lock.lock()
        defer { lock.unlock() }
        current += seconds
    }
}

/// Ids `prefix-1`, `prefix-2`, … in order.
public final class SequentialIDGenerator: IDGenerator, @unchecked Sendable {
    private let lock = NSLock()
    private var counter = 0
    private let prefix: String

    /// Creates a generator.
    public init(prefix: String = "id") { self.prefix = prefix }

    /// The next id.
    public func next() -> String {
        lock.lock()
        defer { lock.unlock() }
        counter += 1
        return "\(prefix)-\(counter)"
    }
}
