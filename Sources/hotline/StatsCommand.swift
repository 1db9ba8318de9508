import ArgumentParser
import Foundation
import HotlineApp
import HotlineCore

/// `hotline stats hosters|summary|online|survival|publish`.
struct StatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract:
            "Removal statistics per hoster, country and partner, what is online now, survival curves, the comply-or-explain list, and its publication.",
        subcommands: [Hosters.self, Summary.self, Online.self, Survival.self, Publish.self]
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

        /// The store, the period, and its statistics as of its end.
        func statistics(_ global: GlobalOptions) throws -> (store: any GatewayStorage, since: Date, until: Date, stats: RemovalStatistics) {
            let gateway = try global.assembly()
            let (since, until) = try range()
            let store = try global.openStore(gateway)
            let stats = RemovalStatistics(rows: try store.noticeURLRows(since: since, until: until), now: until, thresholds: gateway.config.compliance)
            return (store, since, until, stats)
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
            let (store, since, until, stats) = try period.statistics(global)
            let upstreams = try store.upstreams(of: stats.complyOrExplain.compactMap(\.figures.asn))
            switch format {
            case .json:
                Output.out(StatsJSON.hosters(stats, since: since, until: until, upstreams: upstreams).serialized + "\n")
            case .csv:
                Output.out(StatsCSV.figures(stats.hosters))
            case .table:
                Output.out("Hosters, notices delivered \(RFC3339.format(since)) to \(RFC3339.format(until))\n")
                Output.out(StatsText.table(stats.hosters + [stats.total]))
                Output.out("\nCountries\n" + StatsText.table(stats.countries))
                Output.out("\nWeeks\n" + StatsText.table(stats.weeks))
                Output.out("\nForwards per partner\n" + StatsText.table(stats.partners + [stats.forwardTotal]))
                Output.out("\nForwards per hosting country\n" + StatsText.table(stats.forwardCountries))
                Output.out("\nForwards per hosting AS\n" + StatsText.table(stats.forwardNetworks))
                Output.out("\nComply or explain (\(stats.complyOrExplain.count))\n")
                for finding in stats.complyOrExplain {
                    Output.out("  \(finding.figures.key)\(finding.figures.asn.map { " AS\($0)" } ?? ""): \(finding.reasons.joined(separator: "; "))\n")
                    if let asn = finding.figures.asn, let providers = upstreams[asn] {
                        Output.out("    upstream networks: \(providers.map { "AS\($0)" }.joined(separator: ", "))\n")
                    }
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
            let (_, since, until, stats) = try period.statistics(global)
            Output.out(StatsJSON.summary(stats, since: since, until: until).serialized + "\n")
        }
    }
}

extension StatsCommand {
    struct Online: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "What is online now across every open notice and forward: by country, AS and hoster, with its age.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "Evaluate as of this time (RFC 3339); default now.")
        var at: String?
        @Option(help: "table, csv or json.")
        var format: Format = .table

        func validate() throws { try ArgumentChecks.time(at) }

        func run() throws {
            let gateway = try global.assembly()
            let now = try at.map { try WorkCommand.parseTime($0) } ?? Date()
            let online = try global.openStore(gateway).onlineNow(at: now, now: Date())
            switch format {
            case .json: Output.out(online.json.serialized + "\n")
            case .csv: Output.out(StatsCSV.online(online))
            case .table:
                Output.out(
                    "Online now (\(RFC3339.format(now))): \(online.total.urls) URL(s), \(online.total.noticed) in notices, \(online.total.forwarded) forwarded\n"
                )
                for (title, groups) in [("Countries", online.countries), ("Networks", online.networks), ("Hosters", online.hosters)] {
                    Output.out("\n\(title)\n")
                    for group in groups {
                        Output.out(
                            String(
                                format: "  %@  %d online (%d notices, %d forwards), oldest %.1f h, median age %.1f h, %d over 7 days\n", group.key, group.urls,
                                group.noticed, group.forwarded, group.oldestSeconds / 3600, group.medianSeconds / 3600, group.overWeek))
                    }
                }
            }
        }
    }

    struct Survival: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Kaplan–Meier time-to-removal curves per channel, hoster, country and partner: median and p90 with 95% limits, share online after 1/3/7/30 days."
        )
        @OptionGroup var global: GlobalOptions
        @OptionGroup var period: Period
        @Option(help: "table (the summaries), csv (every step) or json.")
        var format: Format = .table

        func run() throws {
            let (_, since, until, stats) = try period.statistics(global)
            switch format {
            case .json: Output.out(StatsJSON.survival(stats, since: since, until: until).serialized + "\n")
            case .csv: Output.out(StatsCSV.curves(stats.curves))
            case .table: Output.out(StatsCSV.summaries(stats.curves).replacingOccurrences(of: ",", with: "\t"))
            }
        }
    }

    struct Publish: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The public comply-or-explain list as a static site: drafts, keeps the draft up to date during the review window, then publishes.",
            discussion: """
                Run it again (by hand or daily from cron) and it does the step that is due. When nothing is in review and the last \
                edition's period ended at least --since ago (or --new-edition), it drafts \
                an edition of the last --since into DIR/draft and lists who may respond. While the window (monitor.review_window) \
                is open it rewrites DIR/draft with the explanations accepted so far. Once it has closed it publishes DIR/vN with \
                manifest.sha256 and updates DIR/index.html and DIR/latest.json. No URL, hash or reporter is ever written.
                """)
        @OptionGroup var global: GlobalOptions
        @Option(help: "The period of a new draft, back from now (90d).")
        var since = "90d"
        @Option(help: "The site's directory.")
        var out: String
        @Option(help: "Act as of this time (RFC 3339); default now.")
        var at: String?
        @Flag(help: "Draft a new edition now, even if the last one's period ended less than --since ago.")
        var newEdition = false

        func validate() throws {
            try ArgumentChecks.span(since, option: "--since")
            try ArgumentChecks.time(at)
            guard !out.isEmpty else { throw ValidationError("--out needs a directory") }
        }

        func run() throws {
            let gateway = try global.assembly()
            let now = try at.map { try WorkCommand.parseTime($0) } ?? Date()
            let (directory, _) = try Output.setup { try gateway.directory() }
            let desk = PublicationDesk(store: try global.openStore(gateway), config: gateway.config, directory: directory)
            do {
                let outcome = try desk.run(since: TimeSpan(since)!, out: out, at: now, actor: GlobalOptions.actor, newEdition: newEdition)
                Output.out(outcome.json.serialized + "\n")
                if outcome.step == .drafted, !outcome.publication.listed.isEmpty, let stats = outcome.stats {
                    // Listed hosters are told through the outbox; `hotline work` (or serve) delivers.
                    let (parts, _) = try Output.setup { try gateway.parts(store: desk.store) }
                    let queued = try PublicationReviewNotices(assembly: gateway).run(
                        draft: outcome.publication, stats: stats, store: desk.store, parts: parts, at: now)
                    Output.err("hotline: \(queued) listed hoster(s) will be told by the next hotline work\n")
                }
                switch outcome.step {
                case .drafted, .inReview:
                    Output.err(
                        "hotline: draft v\(outcome.publication.version) in \(outcome.directory); listed hosters may respond until \(RFC3339.format(outcome.publication.reviewUntil))\n"
                    )
                case .published:
                    Output.err("hotline: published v\(outcome.publication.version) in \(outcome.directory) (manifest SHA-256 \(outcome.manifestSHA256))\n")
                case .upToDate:
                    Output.err(
                        "hotline: v\(outcome.publication.version) covers up to \(RFC3339.format(outcome.publication.until)); the next edition is due a period after that (--new-edition drafts one now)\n"
                    )
                }
            } catch let error as PublicationError {
                Output.err("hotline: \(error.description)\n")
                throw ExitCode(1)
            }
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

}
