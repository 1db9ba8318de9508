import Foundation

/// Stops calling a service that keeps failing: after `failureLimit` failures in a row it is
/// open for `cooldown`, then lets one call through (half open); that call's success closes it,
/// its failure opens it again. Shared by every thread that calls the service.
public final class CircuitBreaker: @unchecked Sendable {
    /// Where it stands.
    public enum State: String, Sendable {
        /// Calls go through.
        case closed
        /// Calls are refused until the cooldown has passed.
        case open
        /// One trial call is out.
        case halfOpen = "half-open"
    }

    /// Failures in a row that open it.
    public let failureLimit: Int
    /// How long it stays open.
    public let cooldown: TimeInterval
    private let time: any TimeSource
    private let lock = NSLock()
    private var failures = 0
    private var openedAt: Date?
    private var trialOut = false

    /// Creates a closed breaker.
    public init(failureLimit: Int = 5, cooldown: TimeInterval = 60, time: any TimeSource = SystemTimeSource()) {
        self.failureLimit = max(1, failureLimit)
        self.cooldown = max(0, cooldown)
        self.time = time
    }

    /// Where it stands now.
    public var state: State {
        lock.withLock {
            guard let openedAt else { return .closed }
            return time.now().timeIntervalSince(openedAt) >= cooldown ? .halfOpen : .open
        }
    }

    /// Whether a call may go out now; a `true` when half open is the one trial.
    public func allow() -> Bool {
        lock.withLock {
            guard let openedAt else { return true }
            guard time.now().timeIntervalSince(openedAt) >= cooldown, !trialOut else { return false }
            trialOut = true
            return true
        }
    }

    /// Records how an allowed call went.
    public func record(success: Bool) {
        lock.withLock {
            trialOut = false
            if success {
                failures = 0
                openedAt = nil
            } else {
                failures += 1
                if openedAt != nil || failures >= failureLimit { openedAt = time.now() }
            }
        }
    }
}
