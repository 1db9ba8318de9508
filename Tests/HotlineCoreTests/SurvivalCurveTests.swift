import Foundation
import Testing

@testable import HotlineCore

/// The Kaplan–Meier estimator against the textbook example worked by hand: the 6-MP arm of
/// Freireich et al. (1963), 21 remission times in weeks, 12 of them censored ("+").
/// Here a week is an hour of time to removal.
@Suite struct SurvivalCurveTests {
    static let data: [(Double, Bool)] = [
        (6, true), (6, true), (6, true), (6, false), (7, true), (9, false), (10, true), (10, false), (11, false), (13, true), (16, true),
        (17, false), (19, false), (20, false), (22, true), (23, true), (25, false), (32, false), (32, false), (34, false), (35, false),
    ]

    var curve: SurvivalCurve { SurvivalCurve(observations: Self.data.shuffled().map { ($0.0 * 3600, $0.1) }) }

    @Test func theStepsAreTheProductLimitComputedByHand() {
        let curve = self.curve
        #expect(curve.count == 21 && curve.removed == 9)
        // S(t) = Π (1 − d/n): 18/21, ×16/17, ×14/15, ×11/12, ×10/11, ×6/7, ×5/6.
        let expected: [(Double, Int, Int, Double)] = [
            (6, 21, 3, 0.857143), (7, 17, 1, 0.806723), (10, 15, 1, 0.752941), (13, 12, 1, 0.690196), (16, 11, 1, 0.627451), (22, 7, 1, 0.537815),
            (23, 6, 1, 0.448179),
        ]
        #expect(curve.steps.count == expected.count)
        for (step, want) in zip(curve.steps, expected) {
            #expect(step.time == want.0 * 3600 && step.atRisk == want.1 && step.removed == want.2)
            #expect(abs(step.survival - want.3) < 1e-6, "S(\(want.0)) = \(step.survival)")
        }
    }

    @Test func greenwoodLimitsOnTheLogLogScale() throws {
        // At 13: Σ d/(n(n−d)) = 3/378 + 1/272 + 1/210 + 1/132 = 0.0239507; se(log S) = 0.154760;
        // S^exp(±1.96·se/|log S|) = 0.431610 and 0.849066.
        let step = try #require(curve.steps.first { $0.time == 13 * 3600 })
        #expect(abs(step.lower - 0.431610) < 1e-5, "\(step.lower)")
        #expect(abs(step.upper - 0.849066) < 1e-5, "\(step.upper)")
        // At 10 the lower limit is still above one half (0.50318), so the median's lower limit is 13.
        let ten = try #require(curve.steps.first { $0.time == 10 * 3600 })
        #expect(ten.lower > 0.5)
    }

    @Test func theMedianIsWhereTheCurveCrossesOneHalfWithItsLimits() {
        let median = curve.quantile(0.5)
        #expect(median.seconds == Double(23 * 3600))
        #expect(median.lower == Double(13 * 3600))
        // The upper band never falls to one half: not reached, as R's survfit reports it (NA).
        #expect(median.upper == nil)
        #expect(curve.quantile(0.9).seconds == nil)
    }

    @Test func theShareStillOnlineAtTheCheckpointsStopsWhereObservationStops() throws {
        let day = try #require(curve.online(after: 86_400))
        #expect(abs(day.share - 0.448179) < 1e-6)
        // The longest observation is 35 h (censored): nothing is known at three days.
        #expect(curve.online(after: 3 * 86_400) == nil)
        // Before the first removal every URL is still online.
        #expect(curve.online(after: 3600)?.share == 1)
        // When every URL was removed, the share is known to be zero from then on.
        let done = SurvivalCurve(observations: [(3600, true), (7200, true)])
        #expect(done.online(after: 30 * 86_400)?.share == 0)
        #expect(done.quantile(0.5).seconds == 3600)
    }

    @Test func censoringAtTheTimeOfARemovalCountsTheRemovalFirst() {
        // One removed and one censored at 5 h: both at risk at 5 h, S = 1/2.
        let curve = SurvivalCurve(observations: [(5 * 3600, false), (5 * 3600, true), (9 * 3600, true)])
        #expect(curve.steps.map(\.atRisk) == [3, 1])
        #expect(abs(curve.steps[0].survival - 2.0 / 3.0) < 1e-9)
        #expect(curve.steps[1].survival == 0)
    }

    @Test func thinningKeepsTheEnds() {
        let many = SurvivalCurve(observations: (0..<10_000).map { (Double($0), true) })
        let thinned = many.thinnedSteps(500)
        #expect(thinned.count == 500)
        #expect(thinned.first == many.steps.first && thinned.last == many.steps.last)
    }
}
