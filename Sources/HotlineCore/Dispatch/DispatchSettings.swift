import Foundation

/// How often and how long delivery is retried: exponential backoff with jitter.
public struct RetryPolicy: Hashable, Sendable {
    /// The first retry's delay.
    public var initialDelay: TimeSpan
    /// The longest delay between attempts.
    public var maximumDelay: TimeSpan
    /// Attempts in all, the first included.
    public var attempts: Int
    /// Jitter as a fraction of the delay (0.2: ±20 %), so that messages that failed together
    /// do not all come back at the same moment.
    public var jitter: Double

    /// Creates a policy.
    public init(initialDelay: TimeSpan = TimeSpan(seconds: 60), maximumDelay: TimeSpan = .hours(6), attempts: Int = 8, jitter: Double = 0.2) {
        self.initialDelay = initialDelay
        self.maximumDelay = maximumDelay
        self.attempts = attempts
        self.jitter = jitter
    }

    /// The delay before attempt `attempt + 1`, after `attempt` failures (1-based). The jitter
    /// comes from a hash of `key` and the attempt, so it is spread but reproducible.
    public func delay(afterFailures attempt: Int, key: String) -> TimeInterval {
        let base = min(Double(initialDelay.seconds) * pow(2, Double(max(0, attempt - 1))), Double(maximumDelay.seconds))
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in (key + "#\(attempt)").utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
        let unit = Double(hash % 10_000) / 10_000  // 0..<1
        return max(1, base * (1 + jitter * (2 * unit - 1)))
    }
}

/// Follow-up of sent notices.
public struct FollowUpPolicy: Hashable, Sendable {
    /// Checks after delivery (1 h, 6 h, 24 h), then every ``interval``.
    public var checks: [TimeSpan]
    /// After the listed checks.
    public var interval: TimeSpan
    /// A URL found gone is checked again this soon, to confirm.
    public var confirmAfter: TimeSpan
    /// Checks in a row that must find it gone before it counts as removed.
    public var confirmations: Int
    /// No more checks this long after delivery (the notice stays open for people).
    public var giveUpAfter: TimeSpan
    /// Checks in a row that prove nothing (a redirect elsewhere, changed content, answers
    /// that differ by User-Agent) before the notice goes to people.
    public var inconclusiveLimit: Int
    /// A forward still online this long after delivery raises `forward.stale`, and again
    /// after each further such period.
    public var forwardStaleAfter: TimeSpan

    /// Creates a policy.
    public init(
        checks: [TimeSpan] = [.hours(1), .hours(6), .hours(24)], interval: TimeSpan = .hours(24), confirmAfter: TimeSpan = TimeSpan(seconds: 1800),
        confirmations: Int = 2, giveUpAfter: TimeSpan = .hours(24 * 90), inconclusiveLimit: Int = 3, forwardStaleAfter: TimeSpan = .hours(24 * 7)
    ) {
        self.forwardStaleAfter = TimeSpan(seconds: max(3600, forwardStaleAfter.seconds))
        self.inconclusiveLimit = max(1, inconclusiveLimit)
        self.checks = checks
        self.interval = interval
        self.confirmAfter = confirmAfter
        self.confirmations = max(1, confirmations)
        self.giveUpAfter = giveUpAfter
    }

    /// When scheduled check number `index` (0-based) falls: the listed offsets from
    /// delivery, then every ``interval`` after the last.
    public func scheduledCheck(_ index: Int, sentAt: Date) -> Date {
        let offset: Int
        if index < checks.count {
            offset = checks[index].seconds
        } else {
            offset = (checks.last?.seconds ?? 0) + (index - checks.count + 1) * interval.seconds
        }
        return sentAt.addingTimeInterval(TimeInterval(offset))
    }

    /// The first scheduled check after `date`.
    public func nextCheck(after date: Date, sentAt: Date) -> Date {
        var index = 0
        while scheduledCheck(index, sentAt: sentAt) <= date && index < 100_000 { index += 1 }
        return scheduledCheck(index, sentAt: sentAt)
    }
}

/// What the dispatch worker does and how.
public struct DispatchSettings: Hashable, Sendable {
    /// Delivery retries.
    public var retry: RetryPolicy
    /// Re-checks.
    public var followUp: FollowUpPolicy
    /// Items, messages and notices handled per step of a pass.
    public var batchLimit: Int
    /// Messages and notices claimed at a time: few enough that all of them can be attempted
    /// (each up to the transport's timeout) before their lease runs out.
    public var claimSize: Int
    /// How long a claim keeps other instances away; after a crash, the claimed work waits
    /// this long before another instance (or the restarted one) takes it.
    public var lease: TimeInterval
    /// Days without deadlines and reminders.
    public var quietDays: QuietDays

    /// Creates settings.
    public init(
        retry: RetryPolicy = RetryPolicy(), followUp: FollowUpPolicy = FollowUpPolicy(), batchLimit: Int = 500, claimSize: Int = 10, lease: TimeInterval = 120,
        quietDays: QuietDays = QuietDays()
    ) {
        self.quietDays = quietDays
        self.retry = retry
        self.followUp = followUp
        self.batchLimit = batchLimit
        self.claimSize = claimSize
        self.lease = lease
    }
}
