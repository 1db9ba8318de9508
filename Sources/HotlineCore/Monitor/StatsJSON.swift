import Foundation

/// The statistics as JSON, the same for `hotline stats --format json` and `/v1/stats/*`.
public enum StatsJSON {
    /// Hosters, countries, weeks, total and the comply-or-explain list.
    public static func hosters(_ stats: RemovalStatistics, since: Date, until: Date) -> JSONValue {
        .object([
            "since": .string(RFC3339.format(since)), "until": .string(RFC3339.format(until)),
            "total": stats.total.json,
            "hosters": .array(stats.hosters.map(\.json)),
            "countries": .array(stats.countries.map(\.json)),
            "weeks": .array(stats.weeks.map(\.json)),
            "comply_or_explain": .array(
                stats.complyOrExplain.map { finding in
                    .object(["hoster": finding.figures.json, "reasons": .array(finding.reasons.map(JSONValue.string)), "notices": .array(finding.evidence)])
                }),
        ])
    }

    /// Totals only.
    public static func summary(_ stats: RemovalStatistics, since: Date, until: Date) -> JSONValue {
        .object([
            "since": .string(RFC3339.format(since)), "until": .string(RFC3339.format(until)), "total": stats.total.json,
            "hosters": .number(Double(stats.hosters.count)), "comply_or_explain": .number(Double(stats.complyOrExplain.count)),
        ])
    }
}
