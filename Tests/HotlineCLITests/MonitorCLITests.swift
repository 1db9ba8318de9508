import Foundation
import Testing

@Suite(.serialized) struct MonitorCLITests {
    @Test func replayShowsWhatAnotherRuleSetWouldChangeWithoutStoringAnything() throws {
        let directory = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = directory.appendingPathComponent("data").path
        _ = try CLI.run(["ingest", "--wait", "--data-dir", data, "examples/reports.jsonl"])
        let same = try CLI.run(["rules", "replay", "--data-dir", data])
        #expect(same.status == 0)
        #expect(same.lines.first?.hasSuffix(": 0 would change") == true)
        let rules = directory.appendingPathComponent("rules")
        try FileManager.default.createDirectory(at: rules, withIntermediateDirectories: true)
        let shipped = try String(contentsOf: CLI.root.appendingPathComponent("Rules/nl-hotline.yaml"), encoding: .utf8)
        try shipped.replacingOccurrences(
            of: #"  - escalate: { queue: analysts, reason: "no rule allows automatic handling" }"#, with: #"  - close: "out of scope""#
        )
        .write(to: rules.appendingPathComponent("r.yaml"), atomically: true, encoding: .utf8)
        let before = try CLI.run(["outbox", "--data-dir", data])
        let changed = try CLI.run(["rules", "replay", "--data-dir", data, "--rules", rules.path])
        #expect(changed.status == 0, "\(changed.stderr)")
        // The report whose URL points at an address the fetcher refuses stays with a person (rule fetch-refused).
        #expect(changed.lines.first?.hasSuffix(": 5 would change") == true, "\(changed.stdout)")
        #expect(changed.lines.contains("outcomes now:   close 1, escalate 6"))
        #expect(changed.lines.contains("outcomes after: close 6, escalate 1"))
        #expect(changed.lines.contains("  5\toutcome escalate → close"))
        #expect(changed.stderr.contains("nothing sent, nothing stored"))
        let json = try CLI.run(["rules", "replay", "--data-dir", data, "--rules", rules.path, "--json", "--limit", "1"])
        #expect(json.stdout.contains(#""replayed":7,"changed":5"#))
        #expect(try CLI.run(["outbox", "--data-dir", data]).stdout == before.stdout)
    }

    @Test func statsPrintTablesCSVAndJSON() throws {
        let directory = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = directory.appendingPathComponent("data").path
        let empty = try CLI.run(["stats", "hosters", "--data-dir", data, "--format", "csv"])
        #expect(
            empty.stdout
                == "hoster,asn,country,notices,urls,acknowledged,removed,median_hours,p90_hours,within_24h,within_72h,online_now,overdue_now,reminders,ignored\n"
        )
        let summary = try CLI.run(["stats", "summary", "--data-dir", data, "--since", "7d", "--at", "2026-12-01T00:00:00Z"])
        #expect(
            summary.stdout
                == #"{"since":"2026-11-24T00:00:00Z","until":"2026-12-01T00:00:00Z","total":{"key":"all","notices":0,"urls":0,"acknowledged":0,"removed":0,"median_hours":null,"p90_hours":null,"within_24h":0,"within_72h":0,"online_now":0,"overdue_now":0,"reminders":0,"ignored":0,"survival":{"urls":0,"removed":0,"censored":0,"median":{"hours":null,"lower_hours":null,"upper_hours":null},"p90":{"hours":null,"lower_hours":null,"upper_hours":null},"online_after":{"1d":null,"3d":null,"7d":null,"30d":null},"longest_hours":0}},"hosters":0,"comply_or_explain":0}"#
                + "\n")
        let bad = try CLI.run(["stats", "hosters", "--data-dir", data, "--since", "a while"])
        #expect(bad.status == 64)
        // Checked before anything opens, with the usage line.
        #expect(bad.stderr.hasPrefix("Error: --since must be a duration like 30d or 12h, got \"a while\"\nUsage: hotline stats hosters "))
    }
}
