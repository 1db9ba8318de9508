import Foundation

/// A request to stop, set from outside (a signal, a service's graceful shutdown) and read by
/// work that runs on threads of its own: it finishes what is in flight and takes nothing new.
public final class StopRequest: @unchecked Sendable {
    private let lock = NSLock()
    private var requested = false

    /// Creates a request not yet made.
    public init() {}

    /// Asks the work to stop.
    public func request() {
        lock.lock()
        requested = true
        lock.unlock()
    }

    /// Whether stopping was asked for.
    public var isRequested: Bool {
        lock.lock()
        defer { lock.unlock() }
        return requested
    }
}
