import Foundation

/// A thread-safe map whose entries expire: for answers from DNS, RDAP and the resolution
/// chain, each kept as long as its source allows.
public final class ExpiringCache<Key: Hashable & Sendable, Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var entries: [Key: (value: Value, expires: Date)] = [:]
    private var nextSweep = Date.distantPast
    /// The latest time a caller asked at: expiry is judged by the callers' clock, which in
    /// tests is a manual one.
    private var latest = Date.distantPast
    /// Most entries kept: past it, expired ones are dropped, then the ones that expire first.
    public let capacity: Int

    /// An empty cache of at most `capacity` entries.
    public init(capacity: Int = 100_000) { self.capacity = capacity }

    /// Entries held now, expired or not.
    public var count: Int {
        lock.lock()
        defer { lock.unlock() }
        return entries.count
    }

    /// The value for `key` if it is still fresh at `now`.
    public func value(for key: Key, at now: Date) -> Value? {
        lock.lock()
        defer { lock.unlock() }
        if now > latest { latest = now }
        guard let entry = entries[key], entry.expires > now else { return nil }
        return entry.value
    }

    /// Keeps `value` for `key` until `expires`. Expired entries are dropped as it goes (every
    /// minute, and whenever the cache is full), so a cache of hosts seen once does not grow
    /// for as long as the process runs.
    public func store(_ value: Value, for key: Key, until expires: Date) {
        lock.lock()
        defer { lock.unlock() }
        let now = latest
        if now >= nextSweep || entries.count >= capacity {
            nextSweep = now.addingTimeInterval(60)
            entries = entries.filter { $0.value.expires > now }
            if entries.count >= capacity {
                // Still full of live entries: those that expire first go.
                let keep = entries.sorted { $0.value.expires > $1.value.expires }.prefix(capacity * 3 / 4)
                entries = Dictionary(uniqueKeysWithValues: keep.map { ($0.key, $0.value) })
            }
        }
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
