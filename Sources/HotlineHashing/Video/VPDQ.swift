import HotlineCore

/// vPDQ's comparison of two videos, as python-threatexchange's vPDQ signal type does it:
/// each side's frames without exact repeats and below the quality floor, then the share of
/// query frames with a target frame within the distance, and the share of target frames
/// with a query frame within it.
public enum VPDQ {
    /// Frames under this PDQ quality are left out of a comparison.
    public static let qualityFloor = 50
    /// Two frames match at this Hamming distance or less.
    public static let distanceThreshold = 31
    /// A video matches when at least this percentage of its (kept) frames match a listed one.
    public static let queryShareThreshold = 80.0
    /// …and at least this percentage of the listed video's frames match it.
    public static let targetShareThreshold = 0.0

    /// The shares of two videos' frames that match the other's, in percent.
    public struct Shares: Hashable, Sendable {
        /// Of the query's frames.
        public var query: Double
        /// Of the target's frames.
        public var target: Double

        /// Creates one.
        public init(query: Double, target: Double) {
            self.query = query
            self.target = target
        }

        /// Whether the shares reach the thresholds.
        public func matches(query queryThreshold: Double = VPDQ.queryShareThreshold, target targetThreshold: Double = VPDQ.targetShareThreshold) -> Bool {
            query >= queryThreshold && target >= targetThreshold && query > 0
        }
    }

    /// The hashes compared of `frames`: exact repeats dropped (the first kept), then those
    /// under `qualityFloor`.
    public static func prepared(_ frames: [VideoFrameHash], qualityFloor: Int = VPDQ.qualityFloor) -> [PDQHash] {
        var seen = Set<PDQHash>()
        var kept: [PDQHash] = []
        for frame in frames where seen.insert(frame.pdq).inserted && frame.quality >= qualityFloor { kept.append(frame.pdq) }
        return kept
    }

    /// How much of `query` is in `target` and the reverse, both already ``prepared(_:qualityFloor:)``.
    /// With nothing left on either side, both shares are 0 (python-threatexchange divides by
    /// zero there).
    public static func compare(prepared query: [PDQHash], _ target: [PDQHash], distance: Int = VPDQ.distanceThreshold) -> Shares {
        guard !query.isEmpty, !target.isEmpty else { return Shares(query: 0, target: 0) }
        var targetMatched = [Bool](repeating: false, count: target.count)
        var queryMatches = 0
        for q in query {
            var found = false
            for (index, t) in target.enumerated() where q.distance(to: t) <= distance {
                found = true
                targetMatched[index] = true
            }
            if found { queryMatches += 1 }
        }
        let targetMatches = targetMatched.reduce(0) { $0 + ($1 ? 1 : 0) }
        return Shares(query: Double(queryMatches) * 100 / Double(query.count), target: Double(targetMatches) * 100 / Double(target.count))
    }

    /// ``compare(prepared:_:distance:)`` of two videos' frames.
    public static func compare(
        _ query: [VideoFrameHash], _ target: [VideoFrameHash], qualityFloor: Int = VPDQ.qualityFloor, distance: Int = VPDQ.distanceThreshold
    ) -> Shares {
        compare(prepared: prepared(query, qualityFloor: qualityFloor), prepared(target, qualityFloor: qualityFloor), distance: distance)
    }
}
