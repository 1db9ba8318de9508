import Foundation
import Testing

@testable import HotlineCore

/// Issue 17.11's small edge cases in the core.
@Suite struct EdgeCaseTests {
    @Test func spansPastAHundredYearsAreRefused() {
        #expect(TimeSpan("100000000w") == nil, "it reached past year 9999 and was stored as 1970")
        #expect(TimeSpan("36525d")?.seconds == 3_155_760_000)
        #expect(TimeSpan("36526d") == nil)
    }

    @Test func anExpiringCacheDropsWhatExpired() {
        let cache = ExpiringCache<Int, String>(capacity: 1000)
        let start = Date(timeIntervalSince1970: 1_000_000)
        for key in 0..<500 { cache.store("v", for: key, until: start.addingTimeInterval(10)) }
        #expect(cache.count == 500)
        // Two minutes later by the callers' clock: the next store sweeps.
        #expect(cache.value(for: 0, at: start.addingTimeInterval(120)) == nil)
        cache.store("w", for: 9999, until: start.addingTimeInterval(300))
        #expect(cache.count == 1)
        // Full of live entries: the soonest to expire go, not the new one.
        let small = ExpiringCache<Int, String>(capacity: 8)
        for key in 0..<20 { small.store("v", for: key, until: start.addingTimeInterval(Double(1000 + key))) }
        #expect(small.count <= 8)
        #expect(small.value(for: 19, at: start) == "v")
    }
}
