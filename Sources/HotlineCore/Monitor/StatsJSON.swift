import Foundation

/// The statistics as JSON, the same for `hotline stats --format json` and `/v1/stats/*`.
public enum StatsJSON {
    /// Hosters, countries, weeks, total, forwards and the comply-or-explain list, each listed
    /// hoster with the providers of its AS (`upstreams`, from imported AS relationships).
    public static func hosters(_ stats: RemovalStatistics, since: Date, until: Date, upstreams: [Int: [Int]] = [:]) -> JSONValue {
        .object([
            "since": .string(RFC3339.format(since)), "until": .string(RFC3339.format(until)),
            "total": stats.total.json,
            "hosters": .array(stats.hosters.map(\.json)),
            "countries": .array(stats.countries.map(\.json)),
            "weeks": .array(stats.weeks.map(\.json)),
            "forwards": .object([
                "total": stats.forwardTotal.json, "partners": .array(stats.partners.map(\.json)),
                "countries": .array(stats.forwardCountries.map(\.json)), "networks": .array(stats.forwardNetworks.map(\.json)),
            ]),
            "comply_or_explain": .array(
                stats.complyOrExplain.map { finding in
                    .object([
                        "hoster": finding.figures.json, "reasons": .array(finding.reasons.map(JSONValue.string)), "notices": .array(finding.evidence),
                        "upstreams": .array((finding.figures.asn.flatMap { upstreams[$0] } ?? []).map { .number(Double($0)) }),
                    ])
                }),
        ])
    }

    /// Every Kaplan–Meier curve with its summary and (thinned) steps.
    public static func survival(_ stats: RemovalStatistics, since: Date, until: Date) -> JSONValue {
        .object([
            "since": .string(RFC3339.format(since)), "until": .string(RFC3339.format(until)),
            "method": .string(
                "Kaplan–Meier from delivery to the first of the confirming checks that found a URL gone; URLs still online are censored at 'until'; 95% limits from Greenwood's variance on the log(-log) scale"
            ),
            "curves": .array(stats.curves.map(\.json)),
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
