import Foundation

/// Lets the rules see standing holds: `hold.*` when one covers the report's domain, the
/// address it resolved to, its hoster's contact or its case. Holds are few and change
/// rarely, so they are read at most every few seconds rather than for every report.
public struct HoldEnricher: ReportEnricher {
    private let store: any HoldStore
    private let time: any TimeSource
    private let cache: HoldCache

    /// Creates the enricher; `cache` is shared by every pipeline of the process.
    public init(store: any HoldStore, time: any TimeSource, cache: HoldCache = HoldCache()) {
        self.store = store
        self.time = time
        self.cache = cache
    }

    /// Reads the holds before the batch's transaction.
    public func prepare(_ urls: [CanonicalURL]) { _ = holds() }

    func holds() -> [StandingHold] { cache.holds(store: store, at: time.now()) }

    /// Sets `hold.*` from the hold that covers the report and ends last.
    public func enrich(_ report: Report, facts: inout Facts) {
        let now = time.now()
        let covering = Self.covering(
            holds(), host: report.url.host, ip: Self.address(facts), contactID: facts.string(.hostingContactID), caseID: facts.string(.caseID), at: now)
        guard let hold = covering else { return }
        facts[.holdActive] = .bool(true)
        facts[.holdID] = .string(hold.id)
        facts[.holdScope] = .string(hold.scope.rawValue)
        facts[.holdReason] = .string(hold.reason)
        facts[.holdPolice] = .bool(hold.police)
        facts[.holdRemaining] = .duration(TimeSpan(seconds: max(0, Int(hold.until.timeIntervalSince(now)))))
    }

    /// The address the host resolved to, as text.
    static func address(_ facts: Facts) -> String? {
        if case .ip(let address)? = facts[.hostingIP] { return address.description }
        return nil
    }

    /// The active hold among `holds` that covers these and ends last.
    public static func covering(_ holds: [StandingHold], host: String, ip: String?, contactID: String?, caseID: String?, at now: Date) -> StandingHold? {
        holds.filter { $0.isActive(at: now) && $0.covers(host: host, ip: ip, contactID: contactID, caseID: caseID) }.max { $0.until < $1.until }
    }
}

/// The open holds as last read, for a few seconds: holds are few and change rarely, so
/// they are not read for every report.
public final class HoldCache: @unchecked Sendable {
    private let lock = NSLock()
    private var cached: (holds: [StandingHold], until: Date)?
    /// How long a read is used.
    public let refresh: TimeInterval

    /// Creates an empty cache.
    public init(refresh: TimeInterval = 5) { self.refresh = refresh }

    /// The open holds, read again when the last read is older than ``refresh``.
    public func holds(store: any HoldStore, at now: Date) -> [StandingHold] {
        lock.lock()
        defer { lock.unlock() }
        if let cached, cached.until > now, cached.until.timeIntervalSince(now) <= refresh { return cached.holds }
        // An unreadable store leaves the last holds in force rather than none.
        let read = (try? store.openHolds()) ?? cached?.holds ?? []
        cached = (read, now.addingTimeInterval(refresh))
        return read
    }

    /// Forgets the last read (a hold was just placed or ended here).
    public func invalidate() {
        lock.lock()
        cached = nil
        lock.unlock()
    }
}
