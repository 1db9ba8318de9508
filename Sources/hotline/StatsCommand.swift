import ArgumentParser
import Foundation
import HotlineCore

/// `hotline stats hosters|summary`.
struct StatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Removal statistics per hoster and country, the weekly trend, and the comply-or-explain list.",
        subcommands: [Hosters.self, Summary.self]
    )

    struct Period: ParsableArguments {
        @Option(help: "How far back, by delivery time of the notices (30d, 12h, 8w as 56d).")
        var since = "30d"
        @Option(help: "Evaluate as of this time (RFC 3339); default now.")
        var at: String?

        func validate() throws {
            try ArgumentChecks.span(since, option: "--since")
            try ArgumentChecks.time(at)
        }

        func range() throws -> (since: Date, until: Date) {
            let until = try at.map { try WorkCommand.parseTime($0) } ?? Date()
            guard let span = TimeSpan(since) else {
                Output.err("hotline: --since must be a duration like 30d or 12h, got \(JSONValue.string(since).serialized)\n")
                throw ExitCode(2)
            }
            return (until.addingTimeInterval(-TimeInterval(span.seconds)), until)
        }
    }

    enum Format: String, ExpressibleByArgument { case table, csv, json }

    struct Hosters: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Per hoster: notices, URLs, acknowledged, removed, median and p90 hours to removal, share within 24 h and 72 h, online and overdue now, reminders; then countries, weeks and the comply-or-explain list."
        )
        @OptionGroup var global: GlobalOptions
        @OptionGroup var period: Period
        @Option(help: "table, csv or json.")
        var format: Format = .table

        func run() throws {
            let gateway = try global.assembly()
            let (since, until) = try period.range()
            let stats = RemovalStatistics(
                rows: try global.openStore(gateway).noticeURLRows(since: since, until: until), now: until, thresholds: gateway.config.compliance)
            switch format {
            case .json:
                Output.out(StatsJSON.hosters(stats, since: since, until: until).serialized + "\n")
            case .csv:
                Output.out(StatsText.csv(stats.hosters))
            case .table:
                Output.out("Hosters, notices delivered \(RFC3339.format(since)) to \(RFC3339.format(until))\n")
                Output.out(StatsText.table(stats.hosters + [stats.total]))
                Output.out("\nCountries\n" + StatsText.table(stats.countries))
                Output.out("\nWeeks\n" + StatsText.table(stats.weeks))
                Output.out("\nComply or explain (\(stats.complyOrExplain.count))\n")
                for finding in stats.complyOrExplain {
                    Output.out("  \(finding.figures.key)\(finding.figures.asn.map { " AS\($0)" } ?? ""): \(finding.reasons.joined(separator: "; "))\n")
                    for notice in finding.evidence { Output.out("    \(notice.serialized)\n") }
                }
            }
        }
    }

    struct Summary: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One line of totals for the period, as JSON.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var period: Period

        func run() throws {
            let gateway = try global.assembly()
            let (since, until) = try period.range()
            let stats = RemovalStatistics(
                rows: try global.openStore(gateway).noticeURLRows(since: since, until: until), now: until, thresholds: gateway.config.compliance)
            Output.out(StatsJSON.summary(stats, since: since, until: until).serialized + "\n")
        }
    }
}

/// Text forms of the statistics.
enum StatsText {
    static let columns = [
        "hoster", "asn", "country", "notices", "urls", "acked", "removed", "median_h", "p90_h", "24h", "72h", "online", "overdue", "reminders",
    ]

    static func cells(_ figures: RemovalFigures) -> [String] {
        func hours(_ seconds: Double?) -> String { seconds.map { String(format: "%.1f", $0 / 3600) } ?? "-" }
        func share(_ value: Double) -> String { String(format: "%.0f%%", value * 100) }
        return [
            figures.key, figures.asn.map(String.init) ?? "", figures.country ?? "", String(figures.notices), String(figures.urls),
            String(figures.acknowledged), String(figures.removed), hours(figures.medianSeconds), hours(figures.p90Seconds),
            share(figures.within24h), share(figures.within72h), String(figures.onlineNow), String(figures.overdueNow), String(figures.reminders),
        ]
    }

    static func table(_ rows: [RemovalFigures]) -> String {
        let body = rows.map(cells)
        let widths = columns.indices.map { column in ([columns[column]] + body.map { $0[column] }).map(\.count).max() ?? 0 }
        func line(_ values: [String]) -> String {
            values.enumerated().map { index, value in
                index == 0
                    ? value.padding(toLength: widths[index], withPad: " ", startingAt: 0) : String(repeating: " ", count: widths[index] - value.count) + value
            }.joined(separator: "  ") + "\n"
        }
        return line(columns) + body.map(line).joined()
    }

    static func csvCells(_ figures: RemovalFigures) -> [String] {
        func hours(_ seconds: Double?) -> String { seconds.map { String(format: "%.1f", $0 / 3600) } ?? "" }
        var cells: [String] = [figures.key, figures.asn.map(String.init) ?? "", figures.country ?? ""]
        cells += [String(figures.notices), String(figures.urls), String(figures.acknowledged), String(figures.removed)]
        cells += [hours(figures.medianSeconds), hours(figures.p90Seconds)]
        cells += [String(format: "%.3f", figures.within24h), String(format: "%.3f", figures.within72h)]
        cells += [String(figures.onlineNow), String(figures.overdueNow), String(figures.reminders), String(figures.ignored)]
        return cells
    }

    static func csv(_ rows: [RemovalFigures]) -> String {
        func field(_ value: String) -> String {
            value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) ? "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : value
        }
        let header =
            "hoster,asn,country,notices,urls,acknowledged,removed,median_hours,p90_hours,within_24h,within_72h,online_now,overdue_now,reminders,ignored"
        let lines: [String] = rows.map { csvCells($0).map(field).joined(separator: ",") }
        return ([header] + lines).joined(separator: "\n") + "\n"
    }
}
