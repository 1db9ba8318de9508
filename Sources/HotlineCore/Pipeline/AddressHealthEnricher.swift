import Foundation

/// The delivery history of abuse addresses counts toward their confidence: every bounce
/// recorded for `hosting.abuse_email` lowers `hosting.confidence` by 25 and shows as
/// `hosting.abuse_bounces`, so rules that need a reliable contact stop trusting a dead one.
public final class AddressHealthEnricher: ReportEnricher, @unchecked Sendable {
    let store: any AddressHealthStore
    private let lock = NSLock()
    private var bounces: [String: Int] = [:]

    /// Creates the enricher.
    public init(store: any AddressHealthStore) {
        self.store = store
    }

    /// Reads the bounce counts once per batch.
    public func prepare(_ urls: [CanonicalURL]) {
        let counts = (try? store.bounceCounts()) ?? [:]
        lock.lock()
        bounces = counts
        lock.unlock()
    }

    /// Sets the facts this enricher knows for `report`.
    public func enrich(_ report: Report, facts: inout Facts) {
        guard case .string(let email)? = facts[.hostingAbuseEmail] else { return }
        lock.lock()
        let count = bounces[email.lowercased()] ?? 0
        lock.unlock()
        facts[.hostingAbuseBounces] = .number(Double(count))
        if count > 0, case .number(let confidence)? = facts[.hostingConfidence] {
            facts[.hostingConfidence] = .number(max(0, confidence - Double(25 * count)))
        }
    }
}
