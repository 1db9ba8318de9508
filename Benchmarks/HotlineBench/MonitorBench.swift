import Foundation
import HotlineApp
import HotlineConfig
import HotlineCore
import HotlineHosting
import HotlineStore

/// Statistics over a million stored notices and replay of a million stored decisions, on
/// data generated inside SQLite (recursive CTEs), so the figures measure reading and
/// computing, not generating.
enum MonitorBench {
    static func run(ruleSet: RuleSet, count: Int = 1_000_000) throws {
        let directory = NSTemporaryDirectory() + "hotline-bench-monitor-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try SQLiteStore(directory: directory)
        let now = Date()
        let start = now.addingTimeInterval(-29 * 86_400)
        let base = Int(start.timeIntervalSince1970)
        var began = Date()
        // 200 hosters; a notice every ~2.5 s over 29 days; 85 % removed after 0.5-120 h,
        // hoster 7 slow; deadlines 24 h after sending. One in five is a forward to one of
        // seven partner hotlines (or the police), hosted abroad, without a deadline.
        try store.execute(
            sql: """
                WITH RECURSIVE seq(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM seq WHERE n < \(count - 1))
                INSERT INTO notices (id, reference, kind, target, recipient, channel, status, created_at, sent_at, deadline, removed_at, reminders, next_due_at, hoster_org, hoster_asn, hoster_country, body, contact_id, escalated_to, acknowledged_at)
                SELECT 'n' || n, 'HG-' || n, CASE WHEN n % 5 = 4 THEN 'forward' ELSE 'notify' END,
                       CASE WHEN n % 5 = 4 THEN (CASE WHEN n % 7 = 0 THEN 'police' ELSE 'partner' END) ELSE 'hosting' END,
                       CASE WHEN n % 5 = 4 THEN 'Partner ' || (n % 7) ELSE 'Hoster ' || (n % 200) END, 'email',
                       CASE WHEN n % 20 < 17 THEN 'removed' ELSE 'sent' END,
                       strftime('%Y-%m-%dT%H:%M:%fZ', \(base) + n * 2.5, 'unixepoch'),
                       strftime('%Y-%m-%dT%H:%M:%fZ', \(base) + n * 2.5, 'unixepoch'),
                       CASE WHEN n % 5 = 4 THEN NULL ELSE strftime('%Y-%m-%dT%H:%M:%fZ', \(base) + n * 2.5 + 86400, 'unixepoch') END,
                       NULL, (n % 7 = 0), NULL, 'Hoster ' || (n % 200), 64500 + (n % 200),
                       CASE WHEN n % 5 = 4 THEN (CASE n % 3 WHEN 0 THEN 'DE' WHEN 1 THEN 'US' ELSE 'FR' END) WHEN n % 5 = 0 THEN 'DE' ELSE 'NL' END, '{}', 'hoster-' || (n % 200),
                       CASE WHEN n % 97 = 0 THEN 'analysts' END, CASE WHEN n % 3 = 0 THEN strftime('%Y-%m-%dT%H:%M:%fZ', \(base) + n * 2.5 + 3600, 'unixepoch') END
                FROM seq;
                WITH RECURSIVE seq(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM seq WHERE n < \(count - 1))
                INSERT INTO notice_items (notice_id, position, item_id, report_id, case_id, url, state, removed_at, body)
                SELECT 'n' || n, 0, 'i' || n, 'r' || n, 'c' || n, 'https://h' || (n % 200) || '.example.test/' || n || '.jpg',
                       CASE WHEN n % 20 < 17 THEN 'removed' ELSE 'online' END,
                       CASE WHEN n % 20 < 17 THEN strftime('%Y-%m-%dT%H:%M:%fZ', \(base) + n * 2.5 + 1800 + ((n * 7919) % (CASE WHEN n % 200 = 7 THEN 432000 ELSE 86400 END)), 'unixepoch') END, '{}'
                FROM seq;
                """)
        print(String(format: "monitor: generated %d notices (one URL each) in %.1f s", count, Date().timeIntervalSince(began)))
        began = Date()
        let rows = try store.noticeURLRows(since: now.addingTimeInterval(-30 * 86_400), until: now)
        let fetched = Date().timeIntervalSince(began)
        let stats = RemovalStatistics(rows: rows, now: now)
        let total = Date().timeIntervalSince(began)
        let forwards = rows.filter { $0.kind == .forward }.count
        print(
            String(
                format:
                    "monitor: statistics and survival curves over %d notices (%d forwards): %.2f s (read %.2f s, compute %.2f s); %d hosters, %d partners, %d curves, %d on the comply-or-explain list, %.0f%% within 24 h, KM median %.1f h (goal < 2 s)",
                rows.count, forwards, total, fetched, total - fetched, stats.hosters.count, stats.partners.count, stats.curves.count,
                stats.complyOrExplain.count, stats.total.within24h * 100, (stats.total.survival?.quantile(0.5).seconds ?? 0) / 3600))
        began = Date()
        let online = try store.onlineNow(at: now, now: now)
        let openSeconds = Date().timeIntervalSince(began)
        began = Date()
        let full = OnlineNow(rows: try store.noticeURLRows(since: .distantPast, until: now), now: now)
        print(
            String(
                format: "monitor: online now: %.2f s from the open rows (%d URLs online); %.2f s from every row, as for a past time (%d)", openSeconds,
                online.total.urls, Date().timeIntervalSince(began), full.total.urls))
        // Publication of that store: a draft (figures, curves, the site, its manifest, written out).
        let site = directory + "/site"
        began = Date()
        let outcome = try PublicationDesk(store: store, config: .defaults, directory: ContactDirectory()).run(
            since: .hours(30 * 24), out: site, at: now, actor: "bench")
        let bytes = try FileManager.default.contentsOfDirectory(atPath: outcome.directory).reduce(0) {
            $0 + ((try? FileManager.default.attributesOfItem(atPath: outcome.directory + "/" + $1)[.size] as? Int) ?? 0)
        }
        print(
            String(
                format: "monitor: publication of that store (draft v%d, %d files, %.1f MB): %.2f s (goal < 10 s)", outcome.publication.version,
                try FileManager.default.contentsOfDirectory(atPath: outcome.directory).count, Double(bytes) / 1_000_000, Date().timeIntervalSince(began)))

        // Decisions with facts of the size intake records (~700 bytes), varied so every rule fires.
        began = Date()
        try store.execute(
            sql: """
                WITH RECURSIVE seq(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM seq WHERE n < \(count - 1))
                INSERT INTO cases (id, url, status, opened_at, report_count, first_report_id)
                SELECT 'c' || n, 'https://h' || (n % 200) || '.example.test/' || n || '.jpg', 'closed', strftime('%Y-%m-%dT%H:%M:%fZ', \(base) + n * 2.5, 'unixepoch'), 1, 'r' || n FROM seq;
                WITH RECURSIVE seq(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM seq WHERE n < \(count - 1))
                INSERT INTO reports (id, case_id, source_key, url, original_url, host, received_at, source_type)
                SELECT 'r' || n, 'c' || n, '', 'https://h' || (n % 200) || '.example.test/' || n || '.jpg', 'https://h' || (n % 200) || '.example.test/' || n || '.jpg',
                       'h' || (n % 200) || '.example.test', strftime('%Y-%m-%dT%H:%M:%fZ', \(base) + n * 2.5, 'unixepoch'), 'crawler' FROM seq;
                WITH RECURSIVE seq(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM seq WHERE n < \(count - 1))
                INSERT INTO decisions (id, report_id, case_id, trigger, rule, outcome, actions, matched_rules, trace, facts, rules_digest, decided_at)
                SELECT 'd' || n, 'r' || n, 'c' || n, 'intake', 'default', 'escalate', '[]', '[]', '[]',
                       '{"report.url":"https://h' || (n % 200) || '.example.test/' || n || '.jpg","report.original_url":"https://h' || (n % 200) || '.example.test/' || n || '.jpg","report.scheme":"https","report.host":"h' || (n % 200) || '.example.test","report.tld":"test","report.path":"/' || n || '.jpg","report.source.type":"' || CASE n % 3 WHEN 0 THEN 'crawler' WHEN 1 THEN 'partner' ELSE 'public' END || '","report.source.channel":"api","report.has_hashes":true,"report.has_reporter":false,"report.age":"0s","case.duplicate":' || CASE WHEN n % 10 = 0 THEN 'true' ELSE 'false' END || ',"case.report_count":1,"case.age":"0s","hash.match":"' || CASE WHEN n % 4 = 0 THEN 'none' ELSE 'known' END || '","hash.classification":"' || CASE n % 5 WHEN 0 THEN 'A1' WHEN 1 THEN 'B2' WHEN 2 THEN 'baseline' WHEN 3 THEN 'A2' ELSE 'nationally_illegal' END || '","hash.list":"police","hash.algorithm":"md5","hash.distance":0,"hosting.resolved":true,"hosting.ip":"198.51.100.' || (n % 250) || '","hosting.country":"' || CASE WHEN n % 6 = 0 THEN 'DE' ELSE 'NL' END || '","hosting.asn":' || (64500 + n % 200) || ',"hosting.org":"Hoster ' || (n % 200) || '","hosting.abuse_email":"abuse@h' || (n % 200) || '.test","hosting.contact_source":"directory","hosting.confidence":100,"hosting.cdn":' || CASE WHEN n % 25 = 0 THEN 'true' ELSE 'false' END || '}',
                       'sha256:bench', strftime('%Y-%m-%dT%H:%M:%fZ', \(base) + n * 2.5, 'unixepoch')
                FROM seq;
                """)
        print(String(format: "monitor: generated %d reports, cases and decisions in %.1f s", count, Date().timeIntervalSince(began)))
        began = Date()
        let replay = try store.replay(ruleSet: ruleSet, since: now.addingTimeInterval(-30 * 86_400))
        let seconds = Date().timeIntervalSince(began)
        print(
            String(
                format: "monitor: replay of %d decisions under the shipped rules: %.2f s, %.0f reports/s on %d threads; %d would change (goal >= 100,000/s)",
                replay.total, seconds, Double(replay.total) / seconds, ProcessInfo.processInfo.activeProcessorCount, replay.changed))
    }
}
