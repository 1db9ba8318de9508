import Foundation
import HotlineCore

/// The operators' dashboard: the monitor page of the workbench, with inline SVG charts. No
/// scripts, no content, no thumbnails; every number also carries `data-stat` so a test can
/// compare it with the API.
public struct DashboardPage: Sendable {
    /// The removal statistics for the period.
    public var stats: RemovalStatistics
    /// Reports per day.
    public var volumes: [(day: String, count: Int)]
    /// Decisions by outcome (all time).
    public var decisions: [(outcome: String, count: Int)]
    /// Escalated items waiting for people.
    public var queueDepth: Int
    /// The period.
    public var since: Date
    /// Its end.
    public var until: Date
    /// The rules in force.
    public var rulesVersion: String
    /// What is online now across every open notice and forward.
    public var online: OnlineNow? = nil
    /// The providers of the listed hosters' ASes.
    public var upstreams: [Int: [Int]] = [:]

    /// Creates the page.
    public init(
        stats: RemovalStatistics, volumes: [(day: String, count: Int)], decisions: [(outcome: String, count: Int)], queueDepth: Int, since: Date, until: Date,
        rulesVersion: String
    ) {
        self.stats = stats
        self.volumes = volumes
        self.decisions = decisions
        self.queueDepth = queueDepth
        self.since = since
        self.until = until
        self.rulesVersion = rulesVersion
    }

    /// Text safe inside HTML elements and attribute values (the published site's escaping).
    public static func escape(_ text: String) -> String { PublicationSite.escape(text) }

    /// The removal-time buckets of the distribution chart.
    public static let buckets: [(label: String, upTo: Double)] = [
        ("< 1 h", 3600), ("1–6 h", 21_600), ("6–24 h", 86_400), ("1–3 d", 259_200), ("3–7 d", 604_800), ("> 7 d", .infinity),
    ]

    /// How many removed URLs fall in each bucket.
    public var distribution: [Int] {
        var counts = Array(repeating: 0, count: Self.buckets.count)
        for seconds in stats.removalSeconds {
            let index = Self.buckets.firstIndex { seconds < $0.upTo } ?? Self.buckets.count - 1
            counts[index] += 1
        }
        return counts
    }

    func stat(_ name: String, _ value: String) -> String {
        "<span class=\"n\" data-stat=\"\(Self.escape(name))\">\(Self.escape(value))</span>"
    }

    static func percent(_ value: Double) -> String { "\(Int((value * 100).rounded()))%" }
    static func hours(_ seconds: Double?) -> String { seconds.map { String(format: "%.1f h", $0 / 3600) } ?? "–" }

    /// A bar chart: one bar per value, labels under the bars, the value above.
    static func barChart(id: String, title: String, labels: [String], values: [Double], format: (Double) -> String) -> String {
        let width = 640.0
        let height = 220.0
        let top = 24.0
        let bottom = 40.0
        let maximum = max(values.max() ?? 0, 1)
        let slot = values.isEmpty ? width : width / Double(values.count)
        var svg =
            "<figure><figcaption>\(escape(title))</figcaption><svg id=\"\(id)\" role=\"img\" aria-label=\"\(escape(title))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" width=\"\(Int(width))\" height=\"\(Int(height))\">"
        svg += "<line x1=\"0\" y1=\"\(height - bottom)\" x2=\"\(width)\" y2=\"\(height - bottom)\" stroke=\"#888\"/>"
        if values.isEmpty {
            svg += "<text x=\"\(width / 2)\" y=\"\(height / 2)\" text-anchor=\"middle\" font-size=\"13\" fill=\"#718096\">nothing in this period</text>"
        }
        for (index, value) in values.enumerated() {
            let barHeight = (height - top - bottom) * value / maximum
            let x = Double(index) * slot + slot * 0.15
            let y = height - bottom - barHeight
            svg +=
                "<rect class=\"bar\" data-value=\"\(value)\" x=\"\(String(format: "%.1f", x))\" y=\"\(String(format: "%.1f", y))\" width=\"\(String(format: "%.1f", slot * 0.7))\" height=\"\(String(format: "%.1f", max(barHeight, value > 0 ? 1 : 0)))\" fill=\"#2b6cb0\"><title>\(escape(labels[index])): \(escape(format(value)))</title></rect>"
            svg +=
                "<text x=\"\(String(format: "%.1f", x + slot * 0.35))\" y=\"\(String(format: "%.1f", y - 4))\" text-anchor=\"middle\" font-size=\"11\">\(escape(format(value)))</text>"
            if values.count <= 16 || index % max(1, values.count / 10) == 0 {
                svg +=
                    "<text x=\"\(String(format: "%.1f", x + slot * 0.35))\" y=\"\(height - bottom + 16)\" text-anchor=\"middle\" font-size=\"10\">\(escape(labels[index]))</text>"
            }
        }
        return svg + "</svg></figure>"
    }

    /// The page's content (the workbench layout goes around it).
    public var body: String {
        let total = stats.total
        var html = """
            <p class="muted">Notices delivered \(Self.escape(RFC3339.format(since))) to \(Self.escape(RFC3339.format(until))); rules \(Self.escape(rulesVersion)). No content is shown here.</p>
            <div class="cards">
            <div class="card">Notices\(stat("total.notices", String(total.notices)))</div>
            <div class="card">URLs\(stat("total.urls", String(total.urls)))</div>
            <div class="card">Removed within 24 h\(stat("total.within_24h", Self.percent(total.within24h)))</div>
            <div class="card">Median to removal\(stat("total.median_hours", Self.hours(total.medianSeconds)))</div>
            <div class="card">Online now\(stat("total.online_now", String(total.onlineNow)))</div>
            <div class="card">Overdue now\(stat("total.overdue_now", String(total.overdueNow)))</div>
            <div class="card">Queue for analysts\(stat("queue_depth", String(queueDepth)))</div>
            </div>
            <h2>Volumes</h2>

            """
        html += Self.barChart(
            id: "chart-volumes", title: "Reports received per day", labels: volumes.map { String($0.day.dropFirst(5)) },
            values: volumes.map { Double($0.count) }, format: { String(Int($0)) })
        html +=
            "<p class=\"muted\">Decisions: "
            + decisions.map { "\(Self.escape($0.outcome)) \(stat("decisions.\($0.outcome)", String($0.count)))" }.joined(separator: ", ") + "</p>"
        html += "<h2>Time to removal</h2>"
        html += Self.barChart(
            id: "chart-removal", title: "Removed URLs by time from notice to removal", labels: Self.buckets.map(\.label), values: distribution.map(Double.init),
            format: { String(Int($0)) })
        html += Self.barChart(
            id: "chart-weeks", title: "Share removed within 24 hours, by week of notice", labels: stats.weeks.map(\.key), values: stats.weeks.map(\.within24h),
            format: { Self.percent($0) })
        html +=
            "<h2>Hosters</h2><table id=\"hosters\"><thead><tr><th>Hoster</th><th>AS</th><th>Country</th><th>Notices</th><th>URLs</th><th>Acked</th><th>Removed</th><th>Median</th><th>p90</th><th>≤ 24 h</th><th>≤ 72 h</th><th>Online</th><th>Overdue</th><th>Reminders</th></tr></thead><tbody>"
        let flagged = Set(stats.complyOrExplain.map { "\($0.figures.key)|\($0.figures.asn ?? 0)" })
        for (index, hoster) in stats.hosters.enumerated() {
            let flag = flagged.contains("\(hoster.key)|\(hoster.asn ?? 0)")
            html +=
                "<tr\(flag ? " class=\"flag\"" : "")><td>\(Self.escape(hoster.key))</td><td>\(hoster.asn.map { "AS\($0)" } ?? "")</td><td>\(Self.escape(hoster.country ?? ""))</td>"
            html +=
                "<td>\(stat("hosters.\(index).notices", String(hoster.notices)))</td><td>\(stat("hosters.\(index).urls", String(hoster.urls)))</td><td>\(hoster.acknowledged)</td><td>\(hoster.removed)</td>"
            html +=
                "<td>\(Self.hours(hoster.medianSeconds))</td><td>\(Self.hours(hoster.p90Seconds))</td><td>\(stat("hosters.\(index).within_24h", Self.percent(hoster.within24h)))</td><td>\(Self.percent(hoster.within72h))</td>"
            html += "<td>\(hoster.onlineNow)</td><td>\(hoster.overdueNow)</td><td>\(hoster.reminders)</td></tr>"
        }
        html += "</tbody></table>"
        html +=
            "<h2>How long material stays online</h2><p class=\"muted\">Kaplan–Meier, URLs still online censored at the end of the period; dashed: 95% limits. "
        html +=
            "Export: <a href=\"/v1/stats/survival?since=\(Self.escape(RFC3339.format(since)))&amp;until=\(Self.escape(RFC3339.format(until)))\">JSON</a>, <a href=\"/v1/stats/survival?format=csv&amp;since=\(Self.escape(RFC3339.format(since)))&amp;until=\(Self.escape(RFC3339.format(until)))\">CSV</a> (API token).</p>"
        for entry in stats.curves where entry.dimension == "channel" && entry.curve.count > 0 { html += PublicationSite.svg(entry) }
        html +=
            "<table id=\"survival\"><thead><tr><th>Curve</th><th>URLs</th><th>Removed</th><th>Median</th><th>95% limits</th><th>p90</th><th>Online after 1 / 3 / 7 / 30 days</th></tr></thead><tbody>"
        for entry in stats.curves
        where entry.dimension != "hoster" || stats.complyOrExplain.contains(where: { $0.figures.key == entry.key && $0.figures.asn == entry.asn }) {
            let median = entry.curve.quantile(0.5)
            let shares = SurvivalCurve.checkpoints.map { entry.curve.online(after: $0).map { Self.percent($0.share) } ?? "–" }.joined(separator: " / ")
            html +=
                "<tr><td>\(Self.escape(entry.dimension)): \(Self.escape(entry.key))</td><td>\(entry.curve.count)</td><td>\(entry.curve.removed)</td><td>\(stat("survival.\(entry.dimension).\(entry.key).median", Self.hours(median.seconds)))</td><td>\(Self.hours(median.lower)) – \(Self.hours(median.upper))</td><td>\(Self.hours(entry.curve.quantile(0.9).seconds))</td><td>\(shares)</td></tr>"
        }
        html += "</tbody></table>"
        html +=
            "<h2>Forwards per partner</h2><table id=\"partners\"><thead><tr><th>Partner</th><th>Forwards</th><th>URLs</th><th>Removed</th><th>≤ 24 h</th><th>Online</th></tr></thead><tbody>"
        for partner in stats.partners {
            html +=
                "<tr><td>\(Self.escape(partner.key))</td><td>\(partner.notices)</td><td>\(partner.urls)</td><td>\(partner.removed)</td><td>\(Self.percent(partner.within24h))</td><td>\(partner.onlineNow)</td></tr>"
        }
        html += "</tbody></table>"
        if let online {
            html +=
                "<h2>Online now (\(stat("online.total", String(online.total.urls))))</h2><table id=\"online\"><thead><tr><th></th><th>Where</th><th>URLs</th><th>Notices</th><th>Forwards</th><th>Oldest</th><th>Median age</th><th>Over 7 days</th></tr></thead><tbody>"
            for (dimension, groups) in [("country", online.countries), ("AS", online.networks), ("hoster", online.hosters)] {
                for group in groups.prefix(25) {
                    html +=
                        "<tr><td>\(dimension)</td><td>\(Self.escape(group.key))</td><td>\(group.urls)</td><td>\(group.noticed)</td><td>\(group.forwarded)</td><td>\(Self.hours(group.oldestSeconds))</td><td>\(Self.hours(group.medianSeconds))</td><td>\(group.overWeek)</td></tr>"
                }
            }
            html += "</tbody></table>"
        }
        html += "<h2>Comply or explain (\(stat("comply_or_explain", String(stats.complyOrExplain.count))))</h2>"
        if stats.complyOrExplain.isEmpty {
            html += "<p>No hoster is below the thresholds.</p>"
        } else {
            html += "<ul id=\"comply-or-explain\">"
            for finding in stats.complyOrExplain {
                let providers = (finding.figures.asn.flatMap { upstreams[$0] } ?? []).map { "AS\($0)" }
                html += "<li><strong>\(Self.escape(finding.figures.key))</strong>: \(Self.escape(finding.reasons.joined(separator: "; ")))"
                if !providers.isEmpty { html += " — upstream networks: \(providers.joined(separator: ", "))" }
                html += " — notices: "
                html += finding.evidence.compactMap { notice -> String? in
                    guard case .object(let object) = notice, case .string(let reference)? = object["reference"] else { return nil }
                    return Self.escape(reference)
                }.joined(separator: ", ")
                html += "</li>"
            }
            html += "</ul>"
        }
        return html
    }
}
