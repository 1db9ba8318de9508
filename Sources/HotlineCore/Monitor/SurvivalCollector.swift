import Foundation

/// One Kaplan–Meier curve of the statistics and what it is of.
public struct SurvivalEntry: Hashable, Sendable {
    /// `channel`, `hoster`, `country` or `partner`.
    public var dimension: String
    /// `notice`/`forward`, the organisation, the country, or the partner.
    public var key: String
    /// The AS, for hosters.
    public var asn: Int?
    /// The curve.
    public var curve: SurvivalCurve

    /// `{"dimension","key","asn",…curve}`.
    public var json: JSONValue {
        var object: JSONObject = ["dimension": .string(dimension), "key": .string(key)]
        if let asn { object.append("asn", .number(Double(asn))) }
        if case .object(let curve) = curve.json { for member in curve.members { object.append(member.key, member.value) } }
        return .object(object)
    }
}

/// The curves of one statistics run, from one sort of every followed URL by its time.
///
/// A URL counts from delivery to its first confirmed-gone check, or, still online, to now
/// (censored). URLs of notices that ended without removal (delivery failed, closed by a
/// person or a rule) are left out: nothing was observed about them after that.
struct SurvivalCollector {
    var notices: SurvivalCurve
    var forwards: SurvivalCurve
    var hosters: [SurvivalCurve]
    var partners: [SurvivalCurve]
    /// Per country, notices only (for the country figures).
    var noticeCountries: [String: SurvivalCurve]
    /// Per country, both channels.
    var countries: [(String, SurvivalCurve)]

    init(
        rows: [NoticeURLRow], now: Date, hoster: [Int32], hosterCount: Int, partner: [Int32], partnerCount: Int, country: [Int32], countryNames: [String]
    ) {
        let observed = Self.sortedObservations(rows, now: now)
        struct Series {
            var times: [Double] = []
            var removed: [Bool] = []
            mutating func add(_ time: Double, _ event: Bool) {
                times.append(time)
                removed.append(event)
            }
            var curve: SurvivalCurve { SurvivalCurve(sortedTimes: times, removed: removed) }
        }
        var noticeSeries = Series()
        var forwardSeries = Series()
        var hosterSeries = [Series](repeating: Series(), count: hosterCount)
        var partnerSeries = [Series](repeating: Series(), count: partnerCount)
        var countrySeries = [Series](repeating: Series(), count: countryNames.count)
        var noticeCountrySeries = [Series](repeating: Series(), count: countryNames.count)
        for (time, event, position) in observed {
            // Fields read in place: copying a row would retain and release its strings.
            let notice = rows[Int(position)].kind == .notify
            let countryPosition = Int(country[Int(position)])
            countrySeries[countryPosition].add(time, event)
            if notice {
                noticeSeries.add(time, event)
                noticeCountrySeries[countryPosition].add(time, event)
                let group = Int(hoster[Int(position)])
                if group >= 0 { hosterSeries[group].add(time, event) }
            } else {
                forwardSeries.add(time, event)
                let group = Int(partner[Int(position)])
                if group >= 0 { partnerSeries[group].add(time, event) }
            }
        }
        notices = noticeSeries.curve
        forwards = forwardSeries.curve
        hosters = hosterSeries.map(\.curve)
        partners = partnerSeries.map(\.curve)
        var byCountry: [String: SurvivalCurve] = [:]
        for (position, name) in countryNames.enumerated() where !noticeCountrySeries[position].times.isEmpty {
            byCountry[name] = noticeCountrySeries[position].curve
        }
        noticeCountries = byCountry
        countries = countryNames.enumerated().map { ($1, countrySeries[$0].curve) }.sorted { ($0.1.count, $1.0) > ($1.1.count, $0.0) }
    }

    /// `(seconds, removed, row)` of every followed URL, by time, removals before censoring at
    /// equal times. Packed into one integer per URL where it fits (milliseconds, the
    /// censoring bit, the row), which sorts several times faster than tuples.
    static func sortedObservations(_ rows: [NoticeURLRow], now: Date) -> [(Double, Bool, Int32)] {
        var observed: [(Double, Bool, Int32)] = []
        observed.reserveCapacity(rows.count)
        for position in rows.indices {
            let sent = rows[position].sentAt
            if let removed = rows[position].removedAt {
                observed.append((max(0, removed.timeIntervalSince(sent)), true, Int32(position)))
            } else if rows[position].isOpen {
                observed.append((max(0, now.timeIntervalSince(sent)), false, Int32(position)))
            }
        }
        let rowBits = UInt64(max(1, (Int.bitWidth - max(0, rows.count).leadingZeroBitCount)))
        let longest = observed.reduce(0) { max($0, $1.0) }
        let timeBits = UInt64(max(1, 64 - UInt64(longest * 1000 + 1).leadingZeroBitCount))
        guard rowBits + timeBits + 1 <= 64 else {
            observed.sort { $0.0 != $1.0 ? $0.0 < $1.0 : ($0.1 && !$1.1) }
            return observed
        }
        // Whole milliseconds: removal times are check times, far coarser than that.
        var keys = observed.map { entry -> UInt64 in
            let milliseconds = UInt64((entry.0 * 1000).rounded())
            return (milliseconds << (rowBits + 1)) | ((entry.1 ? 0 : 1) << rowBits) | UInt64(entry.2)
        }
        keys.sort()
        let rowMask = (UInt64(1) << rowBits) - 1
        return keys.map { key in
            (Double(key >> (rowBits + 1)) / 1000, (key >> rowBits) & 1 == 0, Int32(truncatingIfNeeded: key & rowMask))
        }
    }

    /// Every curve, channels first, then hosters, countries and partners by size.
    func entries(hosters hosterFigures: [RemovalFigures], partners partnerFigures: [RemovalFigures]) -> [SurvivalEntry] {
        var entries = [
            SurvivalEntry(dimension: "channel", key: "notice", curve: notices), SurvivalEntry(dimension: "channel", key: "forward", curve: forwards),
        ]
        entries += zip(hosterFigures, hosters).filter { $0.1.count > 0 }.sorted { ($0.1.count, $1.0.key) > ($1.1.count, $0.0.key) }.map {
            SurvivalEntry(dimension: "hoster", key: $0.0.key, asn: $0.0.asn, curve: $0.1)
        }
        entries += countries.filter { $0.1.count > 0 }.map { SurvivalEntry(dimension: "country", key: $0.0, curve: $0.1) }
        entries += zip(partnerFigures, partners).filter { $0.1.count > 0 }.sorted { ($0.1.count, $1.0.key) > ($1.1.count, $0.0.key) }.map {
            SurvivalEntry(dimension: "partner", key: $0.0.key, curve: $0.1)
        }
        return entries
    }
}
