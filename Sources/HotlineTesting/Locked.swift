import Foundation

/// A value shared by threads (a test's flag, counter or collected lines): every read and change
/// holds one lock.
public final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value

    /// Creates the value.
    public init(_ value: Value) { stored = value }

    /// The value now.
    public var value: Value { lock.withLock { stored } }

    /// Replaces the value.
    public func set(_ value: Value) { lock.withLock { stored = value } }

    /// Changes the value in place, under the lock.
    public func mutate(_ body: (inout Value) -> Void) { lock.withLock { body(&stored) } }
}
