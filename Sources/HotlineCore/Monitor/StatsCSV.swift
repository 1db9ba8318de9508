import Foundation

/// The statistics as CSV, the same for `hotline stats`, `/v1/stats/*` and the published site.
public enum StatsCSV {
    /// A field, quoted where it must be.
    public static func field(_ value: String) -> String {
        value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
            ? "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : value
    }

    /// The columns of ``figures(_:)``.
    public static let figuresHeader =
        "hoster,asn,country,notices,urls,acknowledged,removed,median_hours,p90_hours,within_24h,within_72h,online_now,overdue_now,reminders,ignored"

    /// One line per group of figures.
    public static func figures(_ rows: [RemovalFigures]) -> String {
        func hours(_ seconds: Double?) -> String { seconds.map { String(format: "%.1f", $0 / 3600) } ?? "" }
        let lines = rows.map { figures -> String in
            var cells: [String] = [figures.key, figures.asn.map(String.init) ?? "", figures.country ?? ""]
            cells += [String(figures.notices), String(figures.urls), String(figures.acknowledged), String(figures.removed)]
            cells += [hours(figures.medianSeconds), hours(figures.p90Seconds)]
            cells += [String(format: "%.3f", figures.within24h), String(format: "%.3f", figures.within72h)]
            cells += [String(figures.onlineNow), String(figures.overdueNow), String(figures.reminders), String(figures.ignored)]
            return cells.map(field).joined(separator: ",")
        }
        return ([figuresHeader] + lines).joined(separator: "\n") + "\n"
    }

    /// The columns of ``curves(_:)``.
    public static let curvesHeader = "dimension,key,asn,hours,at_risk,removed,survival,lower,upper"

    /// Every step of every curve (at most `limit` per curve), to redraw or re-check them.
    public static func curves(_ entries: [SurvivalEntry], limit: Int = 2000) -> String {
        var lines = [curvesHeader]
        for entry in entries {
            let prefix = [entry.dimension, entry.key, entry.asn.map(String.init) ?? ""].map(field).joined(separator: ",")
            for step in entry.curve.thinnedSteps(limit) {
                lines.append(
                    prefix
                        + String(
                            format: ",%.3f,%d,%d,%.5f,%.5f,%.5f", step.time / 3600, step.atRisk, step.removed, step.survival, step.lower, step.upper))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The columns of ``summaries(_:)``.
    public static let summariesHeader =
        "dimension,key,asn,urls,removed,censored,median_hours,median_lower,median_upper,p90_hours,p90_lower,p90_upper,online_1d,online_3d,online_7d,online_30d"

    /// One line per curve: its median and 90th percentile with limits, and the share online
    /// at the check points (empty where not reached or not observed).
    public static func summaries(_ entries: [SurvivalEntry]) -> String {
        func hours(_ seconds: Double?) -> String { seconds.map { String(format: "%.2f", $0 / 3600) } ?? "" }
        var lines = [summariesHeader]
        for entry in entries {
            let curve = entry.curve
            let median = curve.quantile(0.5)
            let p90 = curve.quantile(0.9)
            var cells = [entry.dimension, entry.key, entry.asn.map(String.init) ?? ""].map(field)
            cells += [String(curve.count), String(curve.removed), String(curve.count - curve.removed)]
            cells += [hours(median.seconds), hours(median.lower), hours(median.upper), hours(p90.seconds), hours(p90.lower), hours(p90.upper)]
            cells += SurvivalCurve.checkpoints.map { curve.online(after: $0).map { String(format: "%.4f", $0.share) } ?? "" }
            lines.append(cells.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The columns of ``online(_:)``.
    public static let onlineHeader = "dimension,key,asn,country,urls,notices,forwards,oldest_hours,median_age_hours,over_7d"

    /// What is online now, by country, AS and hoster.
    public static func online(_ online: OnlineNow) -> String {
        var lines = [onlineHeader]
        for (dimension, groups) in [("total", [online.total]), ("country", online.countries), ("network", online.networks), ("hoster", online.hosters)] {
            for group in groups {
                var cells = [dimension, group.key, group.asn.map(String.init) ?? "", group.country ?? ""].map(field)
                cells += [String(group.urls), String(group.noticed), String(group.forwarded)]
                cells += [String(format: "%.1f", group.oldestSeconds / 3600), String(format: "%.1f", group.medianSeconds / 3600), String(group.overWeek)]
                lines.append(cells.joined(separator: ","))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
