import Foundation

/// A thread-safe map whose entries expire: for answers from DNS, RDAP and the resolution
/// chain, each kept as long as its source allows.
public final class ExpiringCache<Key: Hashable & Sendable, Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var entries: [Key: (value: Value, expires: Date)] = [:]

    /// An empty cache.
    public init() {}

    /// The value for `key` if it is still fresh at `now`.
    public func value(for key: Key, at now: Date) -> Value? {
        lock.lock()
        defer { lock.unlock() }
        guard let entry = entries[key], entry.expires > now else { return nil }
        return entry.value
    }

    /// Keeps `value` for `key` until `expires`.
    public func store(_ value: Value, for key: Key, until expires: Date) {
        lock.lock()
        defer { lock.unlock() }
        entries[key] = (value, expires)
    }

    /// The value for `key`, fresh from the cache or computed by `compute` and kept for the
    /// lifetime it returns. Two threads missing at once both compute; the later answer stays.
    public func value(for key: Key, at now: Date, compute: () -> (value: Value, lifetime: TimeInterval)) -> Value {
        if let cached = value(for: key, at: now) { return cached }
        let (value, lifetime) = compute()
        store(value, for: key, until: now.addingTimeInterval(lifetime))
        return value
    }
}
