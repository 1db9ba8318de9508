import Foundation
import HotlineCore

/// A ``ForegroundWork`` that is never busy: it records each wait, with what `observe` saw at
/// that moment and the limit asked for, so a test sees where a background stage yields.
public final class RecordingForeground: ForegroundWork, @unchecked Sendable {
    private let lock = NSLock()
    private let observe: @Sendable () -> String
    private var recorded: [String] = []

    /// Creates the fake; `observe` describes the state a wait finds.
    public init(observe: @escaping @Sendable () -> String) {
        self.observe = observe
    }

    /// One entry per wait: `"<observed>, limit <seconds>"`.
    public var waits: [String] {
        lock.lock()
        defer { lock.unlock() }
        return recorded
    }

    /// Records the wait and returns at once.
    public func waitUntilIdle(atMost limit: TimeInterval) {
        let seen = observe()
        lock.lock()
        recorded.append("\(seen), limit \(limit)")
        lock.unlock()
    }
}
