import Foundation

/// Results written by several threads, each into its own slot.
public final class LockedSlots<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [T?]

    /// `count` empty slots.
    public init(count: Int) { slots = Array(repeating: nil, count: count) }

    /// Fills slot `index`.
    public func put(_ index: Int, _ value: T) {
        lock.lock()
        slots[index] = value
        lock.unlock()
    }

    /// Every slot, filled or not.
    public var all: [T?] {
        lock.lock()
        defer { lock.unlock() }
        return slots
    }
}
