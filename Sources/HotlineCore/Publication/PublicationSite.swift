import Foundation

/// The static site of one publication: HTML, JSON and CSV an operator can put on any web
/// server. Pure: the same content gives the same bytes, so a manifest can be checked again.
///
/// It names organisations, ASes, countries and counts only: never a URL, a hash, a notice
/// reference or a reporter. ``PublicationSite/leaks(in:)`` checks the output for them again
/// before anything is written.
public struct PublicationSite: Sendable {
    /// What the directory says of an organisation.
    public struct Organisation: Hashable, Sendable {
        /// Its name.
        public var name: String
        /// Whether it signed the national NTD code of conduct.
        public var ntdMember: Bool

        /// Creates one.
        public init(name: String, ntdMember: Bool) {
            self.name = name
            self.ntdMember = ntdMember
        }
    }

    /// Everything a publication shows.
    public struct Content: Sendable {
        /// The edition.
        public var publication: Publication
        /// Whose statistics.
        public var hotlineName: String
        /// The figures of its period, taken at its end.
        public var stats: RemovalStatistics
        /// The thresholds they were judged by.
        public var thresholds: ComplianceThresholds
        /// Directory entries by contact id.
        public var organisations: [String: Organisation]
        /// Accepted explanations by contact id.
        public var explanations: [String: [HosterExplanation]]
        /// The providers of each listed hoster's AS.
        public var upstreams: [Int: [Int]]
        /// Names of ASes the directory knows.
        public var networkNames: [Int: String]

        /// Creates the content.
        public init(
            publication: Publication, hotlineName: String, stats: RemovalStatistics, thresholds: ComplianceThresholds, organisations: [String: Organisation],
            explanations: [String: [HosterExplanation]], upstreams: [Int: [Int]], networkNames: [Int: String]
        ) {
            self.publication = publication
            self.hotlineName = hotlineName
            self.stats = stats
            self.thresholds = thresholds
            self.organisations = organisations
            self.explanations = explanations
            self.upstreams = upstreams
            self.networkNames = networkNames
        }
    }

    /// The files, by name, in the order of the manifest.
    public var files: [(name: String, text: String)]

    /// Renders `content`.
    public init(_ content: Content) {
        let model = Model(content)
        files = [
            ("index.html", model.html()), ("data.json", model.json().serialized + "\n"), ("hosters.csv", StatsCSV.figures(content.stats.hosters)),
            ("cooperating.csv", StatsCSV.figures(model.cooperating)), ("comply-or-explain.csv", model.listCSV()),
            ("forwards.csv", StatsCSV.figures(content.stats.partners)), ("survival.csv", StatsCSV.curves(model.curves)),
            ("survival-summary.csv", StatsCSV.summaries(model.curves)), ("style.css", Self.style),
        ]
    }

    /// The hosters that meet the targets: NTD-code members with enough notices, not listed.
    static func cooperating(_ content: Content) -> [RemovalFigures] {
        let listed = Set(content.stats.complyOrExplain.map { $0.figures.key + "|" + ($0.figures.asn.map(String.init) ?? "") })
        return content.stats.hosters.filter { hoster in
            guard let id = hoster.contactID, content.organisations[id]?.ntdMember == true else { return false }
            return hoster.notices >= content.thresholds.minimumNotices && !listed.contains(hoster.key + "|" + (hoster.asn.map(String.init) ?? ""))
        }
    }

    /// Where `text` shows something a publication must never hold: a URL, a bare host with a
    /// path, or a hexadecimal run as long as a hash. `nil` when clean.
    public static func leaks(in text: String) -> String? {
        let lower = text.lowercased()
        for marker in ["://", "hxxp", "www."] where lower.contains(marker) {
            return "contains \"\(marker)\""
        }
        var run = 0
        for character in lower.unicodeScalars {
            run = ("0"..."9").contains(character) || ("a"..."f").contains(character) ? run + 1 : 0
            if run >= 32 { return "contains a hexadecimal run of 32 or more (a hash)" }
        }
        return nil
    }

    static let style = """
        body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 70rem; padding: 0 1rem; color: #1b1b1b; }
        table { border-collapse: collapse; width: 100%; margin: 1rem 0 2rem; font-size: .9rem; }
        th, td { border-bottom: 1px solid #ccc; padding: .3rem .5rem; text-align: left; vertical-align: top; }
        td.n { text-align: right; font-variant-numeric: tabular-nums; }
        .draft { background: #fff3cd; border: 2px solid #b58900; padding: .75rem; }
        svg { width: 100%; max-width: 42rem; height: auto; display: block; margin: 1rem 0; }
        svg .axis { stroke: #555; stroke-width: 1; }
        svg .curve { fill: none; stroke-width: 2; }
        svg .limit { fill: none; stroke-width: 1; stroke-dasharray: 4 3; }
        svg text { font-size: 11px; fill: #333; }
        .explanation { white-space: pre-wrap; }

        """
}

extension PublicationSite {
    /// The pieces of the content the files share.
    struct Model {
        let content: Content
        let cooperating: [RemovalFigures]
        let curves: [SurvivalEntry]

        init(_ content: Content) {
            self.content = content
            cooperating = PublicationSite.cooperating(content)
            // Published curves: the channels, and the hosters named on either list (not
            // every hoster: small ones are not named unless they are listed or cooperating).
            let named = Set((content.stats.complyOrExplain.map(\.figures) + cooperating).map { $0.key + "|" + ($0.asn.map(String.init) ?? "") })
            curves = content.stats.curves.filter {
                $0.dimension == "channel" || $0.dimension == "country" || $0.dimension == "partner"
                    || ($0.dimension == "hoster" && named.contains($0.key + "|" + ($0.asn.map(String.init) ?? "")))
            }
        }

        var publication: Publication { content.publication }

        func explanations(_ figures: RemovalFigures) -> [HosterExplanation] {
            figures.contactID.flatMap { content.explanations[$0] } ?? []
        }

        func upstreams(_ figures: RemovalFigures) -> [String] {
            guard let asn = figures.asn else { return [] }
            return (content.upstreams[asn] ?? []).map { upstream in content.networkNames[upstream].map { "AS\(upstream) (\($0))" } ?? "AS\(upstream)" }
        }

        /// Notices behind a listing: still online, or removed after more than 24 hours.
        func evidenceCount(_ finding: ComplianceFinding) -> Int { finding.evidence.count + finding.moreNotices }

        func json() -> JSONValue {
            let list = content.stats.complyOrExplain.map { finding -> JSONValue in
                .object([
                    "hoster": PublicationSite.publicFigures(finding.figures), "reasons": .array(finding.reasons.map(JSONValue.string)),
                    "evidence_notices": .number(Double(evidenceCount(finding))),
                    "upstreams": .array(upstreams(finding.figures).map(JSONValue.string)),
                    "explanations": .array(
                        explanations(finding.figures).map {
                            .object([
                                "since": .string(RFC3339.format($0.periodStart)), "until": .string(RFC3339.format($0.periodEnd)), "text": .string($0.text),
                            ])
                        }),
                ])
            }
            return .object([
                "publisher": .string(content.hotlineName), "version": .number(Double(publication.version)), "status": .string(publication.status.rawValue),
                "since": .string(RFC3339.format(publication.since)), "until": .string(RFC3339.format(publication.until)),
                "drafted_at": .string(RFC3339.format(publication.createdAt)), "review_until": .string(RFC3339.format(publication.reviewUntil)),
                "published_at": publication.publishedAt.map { .string(RFC3339.format($0)) } ?? .null,
                "method": .string(Self.method(content.thresholds)),
                "total": PublicationSite.publicFigures(content.stats.total), "forwards": PublicationSite.publicFigures(content.stats.forwardTotal),
                "cooperating": .array(cooperating.map(PublicationSite.publicFigures)), "comply_or_explain": .array(list),
                "partners": .array(content.stats.partners.map(PublicationSite.publicFigures)),
                "curves": .array(curves.map { $0.json }),
            ])
        }

        static func method(_ thresholds: ComplianceThresholds) -> String {
            var text =
                "Every URL in a notice-and-takedown sent to a hoster, or forwarded to a partner hotline or the police, is re-checked by the hotline itself (1, 6 and 24 hours after sending, then daily); a URL counts as removed when two checks in a row find it gone. Times run from delivery to the first of those checks. Survival curves are Kaplan–Meier estimates: URLs still online at the end of the period count as online at least that long (censored), so the tail is not hidden. Limits are pointwise 95% intervals from Greenwood's variance on the log(-log) scale. "
            text +=
                "A hoster with at least \(thresholds.minimumNotices) notices is listed when less than \(Int((thresholds.within24h * 100).rounded()))% of its URLs were removed within 24 hours"
            if let median = thresholds.medianHours { text += ", when its median time to removal exceeds \(Int(median)) hours" }
            if let online = thresholds.onlineAfter7d { text += ", when more than \(Int((online * 100).rounded()))% is estimated online after 7 days" }
            text +=
                ", or when it ignored a notice past the last reminder. Cooperating hosters are members of the notice-and-takedown code of conduct with at least \(thresholds.minimumNotices) notices that meet these targets. Listed hosters could respond during the review window; accepted explanations are shown with their entry."
            return text
        }

        func listCSV() -> String {
            var lines = [
                "hoster,asn,country,notices,urls,removed,within_24h,online_at_end,reminders,ignored,evidence_notices,reasons,upstreams,explanation"
            ]
            for finding in content.stats.complyOrExplain {
                let figures = finding.figures
                var cells = [figures.key, figures.asn.map(String.init) ?? "", figures.country ?? ""]
                cells += [String(figures.notices), String(figures.urls), String(figures.removed), String(format: "%.3f", figures.within24h)]
                cells += [String(figures.onlineNow), String(figures.reminders), String(figures.ignored), String(evidenceCount(finding))]
                cells += [
                    finding.reasons.joined(separator: "; "), upstreams(figures).joined(separator: " "),
                    explanations(figures).map(\.text).joined(separator: " / "),
                ]
                lines.append(cells.map(StatsCSV.field).joined(separator: ","))
            }
            return lines.joined(separator: "\n") + "\n"
        }

        func html() -> String {
            let e = PublicationSite.escape
            let stats = content.stats
            func percent(_ value: Double) -> String { "\(Int((value * 100).rounded()))%" }
            func hours(_ seconds: Double?) -> String { seconds.map { String(format: "%.1f", $0 / 3600) } ?? "not reached" }
            func online7(_ figures: RemovalFigures) -> String {
                figures.survival?.online(after: 7 * 86_400).map { percent($0.share) } ?? "–"
            }
            var html = """
                <!DOCTYPE html>
                <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
                <title>Notice-and-takedown statistics \(publication.version) — \(e(content.hotlineName))</title>
                <link rel="stylesheet" href="style.css"></head><body>
                <h1>Notice-and-takedown statistics of \(e(content.hotlineName))</h1>

                """
            if publication.status == .review {
                html +=
                    "<p class=\"draft\" id=\"draft\">Draft for review: listed hosters may respond until \(e(RFC3339.format(publication.reviewUntil))). Not for publication.</p>\n"
            }
            html += """
                <p>Edition <span data-stat="version">\(publication.version)</span>, period \
                <time data-stat="since">\(e(RFC3339.format(publication.since)))</time> to <time data-stat="until">\(e(RFC3339.format(publication.until)))</time>\
                \(publication.publishedAt.map { ", published <time data-stat=\"published_at\">\(e(RFC3339.format($0)))</time>" } ?? "").</p>
                <h2>Totals</h2>
                <table id="totals"><thead><tr><th></th><th>Sent</th><th>URLs</th><th>Removed</th><th>Within 24 h</th><th>Median hours (KM)</th><th>Online at the end</th></tr></thead><tbody>
                <tr><th>Notices to hosters</th><td class="n" data-stat="total.notices">\(stats.total.notices)</td><td class="n" data-stat="total.urls">\(stats.total.urls)</td>\
                <td class="n" data-stat="total.removed">\(stats.total.removed)</td><td class="n" data-stat="total.within_24h">\(percent(stats.total.within24h))</td>\
                <td class="n" data-stat="total.median">\(hours(stats.total.survival?.quantile(0.5).seconds))</td><td class="n" data-stat="total.online_now">\(stats.total.onlineNow)</td></tr>
                <tr><th>Forwards abroad</th><td class="n" data-stat="forwards.notices">\(stats.forwardTotal.notices)</td><td class="n" data-stat="forwards.urls">\(stats.forwardTotal.urls)</td>\
                <td class="n" data-stat="forwards.removed">\(stats.forwardTotal.removed)</td><td class="n" data-stat="forwards.within_24h">\(percent(stats.forwardTotal.within24h))</td>\
                <td class="n" data-stat="forwards.median">\(hours(stats.forwardTotal.survival?.quantile(0.5).seconds))</td><td class="n" data-stat="forwards.online_now">\(stats.forwardTotal.onlineNow)</td></tr>
                </tbody></table>

                <h2>Cooperating hosters</h2>
                <table id="cooperating"><thead><tr><th>Hoster</th><th>AS</th><th>Country</th><th>Notices</th><th>URLs</th><th>Within 24 h</th><th>Median hours (KM)</th><th>Online after 7 days</th></tr></thead><tbody>

                """
            for hoster in cooperating {
                html +=
                    "<tr><td>\(e(hoster.key))</td><td>\(hoster.asn.map { "AS\($0)" } ?? "")</td><td>\(e(hoster.country ?? ""))</td><td class=\"n\">\(hoster.notices)</td><td class=\"n\">\(hoster.urls)</td><td class=\"n\">\(percent(hoster.within24h))</td><td class=\"n\">\(hours(hoster.survival?.quantile(0.5).seconds))</td><td class=\"n\">\(online7(hoster))</td></tr>\n"
            }
            if cooperating.isEmpty { html += "<tr><td colspan=\"8\">None in this period.</td></tr>\n" }
            html += """
                </tbody></table>

                <h2>Comply or explain</h2>
                <table id="comply-or-explain"><thead><tr><th>Hoster</th><th>AS</th><th>Country</th><th>Notices</th><th>URLs</th><th>Removed</th><th>Within 24 h</th><th>Online at the end</th><th>Notices behind the listing</th><th>Why listed</th><th>Upstream networks</th><th>Explanation</th></tr></thead><tbody>

                """
            for finding in stats.complyOrExplain {
                let hoster = finding.figures
                let explained = explanations(hoster)
                let explanation =
                    explained.isEmpty
                    ? "<td>No explanation</td>"
                    : "<td class=\"explanation\">" + explained.map { e($0.text) }.joined(separator: "<hr>") + "</td>"
                html +=
                    "<tr data-hoster=\"\(e(hoster.key))\"><td>\(e(hoster.key))</td><td>\(hoster.asn.map { "AS\($0)" } ?? "")</td><td>\(e(hoster.country ?? ""))</td><td class=\"n\" data-stat=\"listed.notices\">\(hoster.notices)</td><td class=\"n\">\(hoster.urls)</td><td class=\"n\">\(hoster.removed)</td><td class=\"n\" data-stat=\"listed.within_24h\">\(percent(hoster.within24h))</td><td class=\"n\">\(hoster.onlineNow)</td><td class=\"n\">\(evidenceCount(finding))</td><td>\(finding.reasons.map(e).joined(separator: "<br>"))</td><td>\(upstreams(hoster).map(e).joined(separator: "<br>"))</td>\(explanation)</tr>\n"
            }
            if stats.complyOrExplain.isEmpty { html += "<tr><td colspan=\"12\">Nobody in this period.</td></tr>\n" }
            html += """
                </tbody></table>

                <h2>How long material stays online</h2>
                <p>Share of URLs still online, by time since the notice or forward (Kaplan–Meier, dashed: 95% limits).</p>

                """
            for entry in curves where entry.dimension == "channel" || entry.dimension == "hoster" {
                html += PublicationSite.svg(entry)
            }
            html += """
                <table id="survival"><thead><tr><th>Curve</th><th>URLs</th><th>Removed</th><th>Median hours (95% limits)</th><th>90th percentile hours (95% limits)</th><th>Online after 1 / 3 / 7 / 30 days</th></tr></thead><tbody>

                """
            for entry in curves {
                let curve = entry.curve
                func quantile(_ q: SurvivalCurve.Quantile) -> String { "\(hours(q.seconds)) (\(hours(q.lower))–\(hours(q.upper)))" }
                let shares = SurvivalCurve.checkpoints.map { curve.online(after: $0).map { percent($0.share) } ?? "–" }.joined(separator: " / ")
                html +=
                    "<tr data-curve=\"\(e(entry.dimension)):\(e(entry.key))\"><td>\(e(entry.dimension)): \(e(entry.key))\(entry.asn.map { " AS\($0)" } ?? "")</td><td class=\"n\">\(curve.count)</td><td class=\"n\">\(curve.removed)</td><td>\(quantile(curve.quantile(0.5)))</td><td>\(quantile(curve.quantile(0.9)))</td><td>\(shares)</td></tr>\n"
            }
            html += """
                </tbody></table>

                <h2>Forwards by partner</h2>
                <table id="partners"><thead><tr><th>Partner</th><th>Forwards</th><th>URLs</th><th>Removed</th><th>Online at the end</th></tr></thead><tbody>

                """
            for partner in stats.partners {
                html +=
                    "<tr><td>\(e(partner.key))</td><td class=\"n\">\(partner.notices)</td><td class=\"n\">\(partner.urls)</td><td class=\"n\">\(partner.removed)</td><td class=\"n\">\(partner.onlineNow)</td></tr>\n"
            }
            html += """
                </tbody></table>

                <h2>Method</h2>
                <p id="method">\(e(Self.method(content.thresholds)))</p>
                <p>No URL, hash or reporter appears in this publication: only organisations, networks, countries and counts.</p>
                <h2>Data</h2>
                <ul><li><a href="data.json">data.json</a></li><li><a href="hosters.csv">hosters.csv</a></li><li><a href="cooperating.csv">cooperating.csv</a></li>\
                <li><a href="comply-or-explain.csv">comply-or-explain.csv</a></li><li><a href="forwards.csv">forwards.csv</a></li>\
                <li><a href="survival.csv">survival.csv</a></li><li><a href="survival-summary.csv">survival-summary.csv</a></li>\
                <li><a href="manifest.sha256">manifest.sha256</a> (SHA-256 of every file)</li></ul>
                </body></html>

                """
            return html
        }
    }

    /// A group's figures as the site shows them: counts, shares and names, no directory ids.
    public static func publicFigures(_ figures: RemovalFigures) -> JSONValue {
        guard case .object(var object) = figures.json else { return figures.json }
        object["contact_id"] = nil
        return .object(object)
    }

    /// Text safe inside HTML elements and attribute values; the dashboard uses it too.
    public static func escape(_ text: String) -> String {
        var output = ""
        output.reserveCapacity(text.count)
        for character in text {
            switch character {
            case "&": output += "&amp;"
            case "<": output += "&lt;"
            case ">": output += "&gt;"
            case "\"": output += "&quot;"
            case "'": output += "&#39;"
            default: output.append(character)
            }
        }
        return output
    }

    /// A curve as an inline SVG step chart over its first 30 days, with its limits dashed.
    public static func svg(_ entry: SurvivalEntry) -> String {
        let width = 640.0
        let height = 260.0
        let left = 44.0
        let right = 12.0
        let top = 12.0
        let bottom = 30.0
        let span = max(3600, min(30 * 86_400, entry.curve.longest))
        func x(_ seconds: Double) -> Double { left + (width - left - right) * min(seconds, span) / span }
        func y(_ share: Double) -> Double { top + (height - top - bottom) * (1 - share) }
        func path(_ value: (SurvivalCurve.Step) -> Double) -> String {
            var points = [String(format: "M%.1f,%.1f", x(0), y(1))]
            var last = 1.0
            for step in entry.curve.thinnedSteps(400) where step.time <= span {
                points.append(String(format: "L%.1f,%.1f", x(step.time), y(last)))
                last = value(step)
                points.append(String(format: "L%.1f,%.1f", x(step.time), y(last)))
            }
            points.append(String(format: "L%.1f,%.1f", x(span), y(last)))
            return points.joined(separator: " ")
        }
        let label = escape("\(entry.dimension): \(entry.key)\(entry.asn.map { " AS\($0)" } ?? "")")
        var svg =
            "<figure><svg viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"\(label)\" data-curve=\"\(escape(entry.dimension)):\(escape(entry.key))\">"
        svg += String(format: "<path class=\"axis\" d=\"M%.1f,%.1f V%.1f H%.1f\"/>", left, top, height - bottom, width - right)
        for share in [0.0, 0.5, 1.0] { svg += String(format: "<text x=\"4\" y=\"%.1f\">%d%%</text>", y(share) + 4, Int(share * 100)) }
        let days = span / 86_400
        svg += String(
            format: "<text x=\"%.1f\" y=\"%.1f\">0</text><text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%@</text>", left, height - 10, width - right,
            height - 10, days >= 2 ? String(format: "%.0f days", days) : String(format: "%.0f hours", span / 3600))
        svg += "<path class=\"curve\" fill=\"none\" stroke=\"#0b5394\" d=\"\(path(\.survival))\"/>"
        svg +=
            "<path class=\"limit\" fill=\"none\" stroke-dasharray=\"4 3\" stroke=\"#0b5394\" d=\"\(path(\.lower))\"/><path class=\"limit\" fill=\"none\" stroke-dasharray=\"4 3\" stroke=\"#0b5394\" d=\"\(path(\.upper))\"/>"
        svg += "</svg><figcaption>\(label): \(entry.curve.count) URLs, \(entry.curve.removed) removed</figcaption></figure>\n"
        return svg
    }
}
