import Foundation
import HotlineCore
import HotlineStore

/// The delivery history of abuse addresses counts toward their confidence: every bounce
/// recorded for `hosting.abuse_email` lowers `hosting.confidence` by 25 and shows as
/// `hosting.abuse_bounces`, so rules that need a reliable contact stop trusting a dead one.
public final class AddressHealthEnricher: ReportEnricher, @unchecked Sendable {
    let store: any GatewayStore
    private let lock = NSLock()
    private var bounces: [String: Int] = [:]

    /// Creates the enricher.
    public init(store: any GatewayStore) {
        self.store = store
    }

    /// Reads the bounce counts once per batch.
    public func prepare(_ submissions: [ReportSubmission]) {
        let counts = (try? store.bounceCounts()) ?? [:]
        lock.lock()
        bounces = counts
        lock.unlock()
    }

    public func enrich(_ report: Report, facts: inout Facts) {
        guard case .string(let email)? = facts["hosting.abuse_email"] else { return }
        lock.lock()
        let count = bounces[email.lowercased()] ?? 0
        lock.unlock()
        facts["hosting.abuse_bounces"] = .number(Double(count))
        if count > 0, case .number(let confidence)? = facts["hosting.confidence"] {
            facts["hosting.confidence"] = .number(max(0, confidence - Double(25 * count)))
        }
    }
}
