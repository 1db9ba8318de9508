import Foundation
import Testing

@testable import HotlineCore

@Suite struct RemovalStatisticsTests {
    static let now = Date(timeIntervalSince1970: 1_798_000_000)

    /// A notice with one URL per entry of `removedAfterHours` (nil: still online).
    func notice(
        _ key: Int64, org: String, asn: Int = 64500, country: String = "NL", sentHoursAgo: Double, removedAfterHours: [Double?], reminders: Int = 0,
        acknowledged: Bool = false, escalated: Bool = false
    ) -> [NoticeURLRow] {
        let sent = Self.now.addingTimeInterval(-sentHoursAgo * 3600)
        let anyOnline = removedAfterHours.contains { $0 == nil }
        return removedAfterHours.map { hours in
            NoticeURLRow(
                noticeKey: key, reference: "HG-\(key)", org: org, asn: asn, country: country, sentAt: sent,
                deadline: sent.addingTimeInterval(86_400 * Double(reminders + 1)),
                reminders: reminders, acknowledged: acknowledged, status: anyOnline ? .sent : .removed, escalated: escalated,
                removedAt: hours.map { sent.addingTimeInterval($0 * 3600) })
        }
    }

    @Test func figuresPerHosterWithMedianP90AndTheDutchNorm() throws {
        var rows: [NoticeURLRow] = []
        // Hoster A: 10 URLs removed after 1..10 hours; everything within 24 h.
        for index in 0..<10 {
            rows += notice(Int64(index), org: "Hoster A", sentHoursAgo: 100, removedAfterHours: [Double(index + 1)], acknowledged: index < 4)
        }
        // Hoster B: slow and ignoring: 2 removed after 30 h and 80 h, 2 still online past the deadline.
        rows += notice(20, org: "Hoster B", asn: 64501, country: "DE", sentHoursAgo: 200, removedAfterHours: [30, 80])
        rows += notice(21, org: "Hoster B", asn: 64501, country: "DE", sentHoursAgo: 100, removedAfterHours: [nil], reminders: 2, escalated: true)
        rows += notice(22, org: "Hoster B", asn: 64501, country: "DE", sentHoursAgo: 10, removedAfterHours: [nil])
        let stats = RemovalStatistics(rows: rows, now: Self.now, thresholds: ComplianceThresholds(within24h: 0.9, minimumNotices: 3))
        let a = try #require(stats.hosters.first { $0.key == "Hoster A" })
        #expect(a.notices == 10 && a.urls == 10 && a.removed == 10 && a.acknowledged == 4)
        #expect(abs((a.medianSeconds ?? 0) - 5 * 3600) < 0.01)
        #expect(abs((a.p90Seconds ?? 0) - 9 * 3600) < 0.01)
        #expect(a.within24h == 1.0)
        let b = try #require(stats.hosters.first { $0.key == "Hoster B" })
        #expect(b.notices == 3 && b.urls == 4 && b.removed == 2)
        #expect(abs((b.medianSeconds ?? 0) - 30 * 3600) < 0.01 && abs((b.p90Seconds ?? 0) - 80 * 3600) < 0.01)
        #expect(b.within24h == 0 && b.within72h == 0.25)
        #expect(b.onlineNow == 2 && b.overdueNow == 0 + 1)
        #expect(b.reminders == 2 && b.ignored == 1)
        #expect(stats.total.urls == 14)
        #expect(stats.countries.map(\.key) == ["NL", "DE"])
        #expect(stats.removalSeconds.count == 12)
        #expect(stats.complyOrExplain.map(\.figures.key) == ["Hoster B"])
        let finding = try #require(stats.complyOrExplain.first)
        #expect(finding.reasons == ["0% removed within 24 hours (threshold 90%)", "1 notice(s) ignored past the last reminder"])
        // Evidence: notices still online first, then the slow one; references in that order.
        #expect(
            finding.evidence.compactMap { if case .object(let o) = $0, case .string(let r)? = o["reference"] { r } else { nil } } == [
                "HG-21", "HG-22", "HG-20",
            ])
        // The removed-only median (30 h) hides the two still online; Kaplan–Meier counts them:
        // 10 h censored, removed at 30 h (S = 2/3) and 80 h (S = 1/3), 100 h censored.
        let curve = try #require(b.survival)
        #expect(curve.count == 4 && curve.removed == 2)
        #expect(curve.quantile(0.5).seconds == Double(80 * 3600))
        #expect(
            b.json.serialized.hasPrefix(
                #"{"key":"Hoster B","asn":64501,"country":"DE","notices":3,"urls":4,"acknowledged":0,"removed":2,"median_hours":30,"p90_hours":80,"within_24h":0,"within_72h":0.25,"online_now":2,"overdue_now":1,"reminders":2,"ignored":1,"survival":{"urls":4,"removed":2,"censored":2,"median":{"hours":80,"lower_hours":30,"upper_hours":null}"#
            ), "\(b.json.serialized)")
    }

    @Test func forwardsCountPerPartnerCountryAndNetworkApartFromNotices() throws {
        func forward(_ key: Int64, partner: String, country: String, asn: Int, removedAfterHours: Double?) -> NoticeURLRow {
            let sent = Self.now.addingTimeInterval(-10 * 86_400)
            return NoticeURLRow(
                noticeKey: key, reference: "HG-F\(key)", org: "Abroad \(asn)", asn: asn, country: country, sentAt: sent, deadline: nil, reminders: 0,
                acknowledged: false, status: removedAfterHours == nil ? .sent : .removed, escalated: false,
                removedAt: removedAfterHours.map { sent.addingTimeInterval($0 * 3600) }, kind: .forward, recipient: partner)
        }
        let rows =
            notice(1, org: "Hoster A", sentHoursAgo: 50, removedAfterHours: [2])
            + [
                forward(2, partner: "Partner DE", country: "DE", asn: 64600, removedAfterHours: 48),
                forward(3, partner: "Partner DE", country: "AT", asn: 64601, removedAfterHours: nil),
                forward(4, partner: "police", country: "US", asn: 64602, removedAfterHours: nil),
            ]
        let stats = RemovalStatistics(rows: rows, now: Self.now)
        // Forwards are not notices to hosters: the hoster figures and the list stay as they were.
        #expect(stats.total.urls == 1 && stats.hosters.map(\.key) == ["Hoster A"])
        #expect(stats.forwardTotal.urls == 3 && stats.forwardTotal.removed == 1 && stats.forwardTotal.onlineNow == 2)
        #expect(stats.partners.map { "\($0.key) \($0.urls) \($0.removed)" } == ["Partner DE 2 1", "police 1 0"])
        #expect(stats.forwardCountries.map(\.key).sorted() == ["AT", "DE", "US"])
        #expect(stats.forwardNetworks.map(\.key).sorted() == ["AS64600", "AS64601", "AS64602"])
        let channels = stats.curves.filter { $0.dimension == "channel" }
        #expect(channels.map { "\($0.key) \($0.curve.count) \($0.curve.removed)" } == ["notice 1 1", "forward 3 1"])
        // Countries cover both channels.
        #expect(stats.curves.filter { $0.dimension == "country" }.map(\.key).sorted() == ["AT", "DE", "NL", "US"])
        #expect(stats.curves.filter { $0.dimension == "partner" }.map(\.key) == ["Partner DE", "police"])
    }

    @Test func survivalCriteriaPutSlowHostersOnTheList() throws {
        var rows: [NoticeURLRow] = []
        // All removed within 24 hours, but 20 of them after 20 hours: a median of 20 h.
        for index in 0..<20 { rows += notice(Int64(index), org: "Slowish", sentHoursAgo: 300, removedAfterHours: [20]) }
        for index in 20..<40 { rows += notice(Int64(index), org: "Quick", sentHoursAgo: 300, removedAfterHours: [1]) }
        let plain = RemovalStatistics(rows: rows, now: Self.now)
        #expect(plain.complyOrExplain.isEmpty)
        let strict = RemovalStatistics(rows: rows, now: Self.now, thresholds: ComplianceThresholds(medianHours: 12))
        #expect(strict.complyOrExplain.map(\.figures.key) == ["Slowish"])
        #expect(strict.complyOrExplain.first?.reasons == ["median time to removal 20.0 hours (limit 12)"])
    }

    @Test func weeksAreISOWeeksInOrder() {
        #expect(RemovalStatistics.week(Date(timeIntervalSince1970: 1_798_000_000)) == "2026-W52")
        #expect(RemovalStatistics.week(Date(timeIntervalSince1970: 1_767_225_600)) == "2026-W01")
        let rows = notice(1, org: "A", sentHoursAgo: 24 * 10, removedAfterHours: [1]) + notice(2, org: "A", sentHoursAgo: 1, removedAfterHours: [nil])
        let weeks = RemovalStatistics(rows: rows, now: Self.now).weeks
        // 2026-12-13 is the Sunday ending week 50; 2026-12-23 is in week 52.
        #expect(weeks.map(\.key) == ["2026-W50", "2026-W52"])
    }

    @Test func replayCountsWhatWouldChange() throws {
        let at = SourceLocation(file: "r.yaml", line: 1, column: 1)
        var content = RuleFileContent(file: "r.yaml")
        content.rules = [
            RuleDraft(
                name: "known", nameLocation: at, condition: ExpressionSource(text: #"hash.match == "known""#, location: at), actions: [.close(reason: "known")],
                continues: false, location: at)
        ]
        content.defaultActions = [.escalate(queue: "analysts", reason: "none", priority: .normal)]
        content.defaultLocation = at
        let ruleSet = try #require(RuleSetCompiler.compile([content], digest: "sha256:r").0)
        var replay = RuleReplay(ruleSet: ruleSet, keep: 1)
        replay.replay(
            reportID: "r1", rule: "default", outcome: "escalate", actions: #"[{"escalate":{"queue":"analysts","reason":"none"}}]"#,
            facts: #"{"report.url":"https://a.example/1","hash.match":"none"}"#)
        replay.replay(reportID: "r2", rule: "default", outcome: "escalate", actions: "[]", facts: #"{"report.url":"https://a.example/2","hash.match":"known"}"#)
        replay.replay(
            reportID: "r3", rule: "default", outcome: "escalate", actions: "[]",
            facts: #"{"report.url":"https://a.example/3","hash.match":"known","retired.field":1}"#)
        #expect(replay.total == 3 && replay.changed == 2)
        #expect(replay.ruleMoves == ["default → known": 2])
        #expect(replay.outcomeMoves == ["escalate → close": 2])
        #expect(replay.changes.map(\.reportID) == ["r2"])
        #expect(replay.changes.first?.url == "https://a.example/2")
    }
}
