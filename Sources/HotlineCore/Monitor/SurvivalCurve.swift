import Foundation

/// A Kaplan–Meier estimate of how long material stays online after a notice or forward.
///
/// A median over removed URLs leaves out the URLs still online, which are the ones that
/// matter; here they count as "online at least this long" (censored at now), as takedown
/// research measures lifetimes. Confidence limits are pointwise 95 % intervals from
/// Greenwood's variance on the log(-log) scale (they stay within 0 and 1), and the limits of
/// a quantile are where those bands cross it, as R's `survfit` reports them.
public struct SurvivalCurve: Hashable, Sendable {
    /// One step of the curve: at `time`, `removed` URLs went offline out of `atRisk`.
    public struct Step: Hashable, Sendable {
        /// Seconds after the notice or forward.
        public var time: Double
        /// Still online at the start of the step.
        public var atRisk: Int
        /// Removed at `time`.
        public var removed: Int
        /// Share still online just after `time`.
        public var survival: Double
        /// Lower 95 % limit.
        public var lower: Double
        /// Upper 95 % limit.
        public var upper: Double
    }

    /// A quantile of time to removal with its limits; `nil` where the curve (or band) never
    /// reaches it within what was observed.
    public struct Quantile: Hashable, Sendable {
        /// The estimate (seconds).
        public var seconds: Double?
        /// Lower 95 % limit.
        public var lower: Double?
        /// Upper 95 % limit.
        public var upper: Double?
    }

    /// URLs followed.
    public var count: Int
    /// URLs seen removed (the rest are censored).
    public var removed: Int
    /// The steps, at each distinct removal time.
    public var steps: [Step]
    /// The longest time observed (removal or censoring), so a curve can be drawn to its end.
    public var longest: Double

    /// The check points reported for every curve: 1, 3, 7 and 30 days.
    public static let checkpoints: [Double] = [1, 3, 7, 30].map { $0 * 86_400 }

    /// z for a two-sided 95 % interval.
    static let z = 1.959963984540054

    /// Estimates the curve from `(seconds, removed)` pairs: `removed == false` is censored.
    public init(observations: [(seconds: Double, removed: Bool)]) {
        var sorted = observations.map { (max(0, $0.seconds), $0.removed) }
        // At equal times removals come before censoring, the usual convention.
        sorted.sort { $0.0 != $1.0 ? $0.0 < $1.0 : ($0.1 && !$1.1) }
        self.init(sortedTimes: sorted.map(\.0), removed: sorted.map(\.1))
    }

    /// Estimates the curve from times sorted ascending (removals before censoring at ties).
    init(sortedTimes times: [Double], removed events: [Bool]) {
        count = times.count
        longest = times.last ?? 0
        var steps: [Step] = []
        var survival = 1.0
        var greenwood = 0.0
        var atRisk = times.count
        var index = 0
        var removedTotal = 0
        while index < times.count {
            let time = times[index]
            var removed = 0
            var leaving = 0
            while index < times.count && times[index] == time {
                if events[index] { removed += 1 }
                leaving += 1
                index += 1
            }
            if removed > 0 {
                survival *= 1 - Double(removed) / Double(atRisk)
                if atRisk > removed { greenwood += Double(removed) / (Double(atRisk) * Double(atRisk - removed)) }
                let (lower, upper) = Self.limits(survival: survival, greenwood: greenwood)
                steps.append(Step(time: time, atRisk: atRisk, removed: removed, survival: survival, lower: lower, upper: upper))
                removedTotal += removed
            }
            atRisk -= leaving
        }
        self.steps = steps
        removed = removedTotal
    }

    /// The log(-log) interval around `survival`.
    static func limits(survival: Double, greenwood: Double) -> (Double, Double) {
        guard survival > 0, survival < 1 else { return (survival, survival) }
        let log = Foundation.log(survival)
        let spread = z * greenwood.squareRoot() / abs(log)
        return (pow(survival, exp(spread)), pow(survival, exp(-spread)))
    }

    /// The share still online `seconds` after sending, with its limits; `nil` beyond the
    /// longest observation (nothing is known there).
    public func online(after seconds: Double) -> (share: Double, lower: Double, upper: Double)? {
        guard count > 0 else { return nil }
        let step = steps.last { $0.time <= seconds }
        // Past the longest observation nothing is known, unless every URL was removed by then.
        guard seconds <= longest || step?.survival == 0 else { return nil }
        guard let step else { return (1, 1, 1) }
        return (step.survival, step.lower, step.upper)
    }

    /// The time by which a share `p` of the URLs was removed (0.5 the median, 0.9 the 90th
    /// percentile), with the limits where the bands cross it.
    public func quantile(_ p: Double) -> Quantile {
        let target = 1 - p
        // A tiny tolerance: 1 − 0.5 computed from 2 of 4 is exactly 0.5, but products are not.
        func first(_ value: (Step) -> Double) -> Double? { steps.first { value($0) <= target + 1e-12 }?.time }
        return Quantile(seconds: first(\.survival), lower: first(\.lower), upper: first(\.upper))
    }

    /// At most `limit` steps, evenly by position and always the last, for drawing and export
    /// (a million URLs removed at distinct seconds make a million steps).
    public func thinnedSteps(_ limit: Int) -> [Step] {
        guard steps.count > limit, limit > 1 else { return steps }
        let stride = Double(steps.count - 1) / Double(limit - 1)
        return (0..<limit).map { steps[Int((Double($0) * stride).rounded())] }
    }

    /// `{"urls","removed","median",…,"online_after":{"1d":…},"steps":[[hours, at risk, removed, S, lower, upper]…]}`,
    /// the steps thinned to 500.
    public var json: JSONValue {
        guard case .object(var object) = summaryJSON else { return summaryJSON }
        object.append(
            "steps",
            .array(
                thinnedSteps(500).map {
                    .array([
                        .number(RemovalFigures.round($0.time / 3600, places: 3)), .number(Double($0.atRisk)), .number(Double($0.removed)),
                        .number(RemovalFigures.round($0.survival, places: 5)), .number(RemovalFigures.round($0.lower, places: 5)),
                        .number(RemovalFigures.round($0.upper, places: 5)),
                    ])
                }))
        return .object(object)
    }

    /// The figures without the steps.
    public var summaryJSON: JSONValue {
        func hours(_ seconds: Double?) -> JSONValue { seconds.map { .number(RemovalFigures.round($0 / 3600, places: 2)) } ?? .null }
        func limits(_ q: Quantile) -> JSONValue {
            .object(["hours": hours(q.seconds), "lower_hours": hours(q.lower), "upper_hours": hours(q.upper)])
        }
        var online = JSONObject()
        for checkpoint in Self.checkpoints {
            let key = "\(Int(checkpoint / 86_400))d"
            if let value = self.online(after: checkpoint) {
                online.append(
                    key,
                    .object([
                        "share": .number(RemovalFigures.round(value.share, places: 4)), "lower": .number(RemovalFigures.round(value.lower, places: 4)),
                        "upper": .number(RemovalFigures.round(value.upper, places: 4)),
                    ]))
            } else {
                online.append(key, .null)
            }
        }
        return .object([
            "urls": .number(Double(count)), "removed": .number(Double(removed)), "censored": .number(Double(count - removed)),
            "median": limits(quantile(0.5)), "p90": limits(quantile(0.9)), "online_after": .object(online),
            "longest_hours": hours(longest),
        ])
    }
}
