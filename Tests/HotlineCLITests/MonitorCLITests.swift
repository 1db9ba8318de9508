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

    @Test func asRelationshipsImportWithBadLinesNamedAndUpstreamsAreAnswered() throws {
        let directory = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = directory.appendingPathComponent("data").path
        let file = directory.appendingPathComponent("20261201.as-rel2.txt")
        try "# source: test\n64496|64500|-1|bgp\n64497|64500|-1\n64500|64499|0\n64500|64500|-1\nx|1|-1\n64501|64502|7\n".write(
            to: file, atomically: true, encoding: .utf8)
        let imported = try CLI.run(["ipdb", "as-rel", "--data-dir", data, "--config", "builtin", file.path])
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stdout == "20261201.as-rel2.txt: 3 relationships (2 provider to customer, 1 peers), 3 lines rejected\n")
        #expect(imported.stderr.contains("20261201.as-rel2.txt:5: an AS cannot be related to itself"))
        #expect(imported.stderr.contains(":6: the AS numbers must be whole numbers"))
        #expect(imported.stderr.contains(":7: the relationship must be -1 (provider to customer) or 0 (peers)"))
        let upstreams = try CLI.run(["ipdb", "upstreams", "--data-dir", data, "--config", "builtin", "AS64500", "64499"])
        #expect(upstreams.lines == [#"{"asn":64500,"upstreams":[64496,64497]}"#, #"{"asn":64499,"upstreams":[]}"#])
        let bad = try CLI.run(["ipdb", "upstreams", "--data-dir", data, "--config", "builtin", "AS-one"])
        #expect(bad.status == 64 && bad.stderr.contains("an AS number is a whole number like 64500 or AS64500"))
        // Importing again replaces the set.
        try "64510|64500|-1\n".write(to: file, atomically: true, encoding: .utf8)
        _ = try CLI.run(["ipdb", "as-rel", "--data-dir", data, "--config", "builtin", file.path])
        #expect(try CLI.run(["ipdb", "upstreams", "--data-dir", data, "--config", "builtin", "64500"]).lines == [#"{"asn":64500,"upstreams":[64510]}"#])
    }

    @Test func publishDraftsKeepsTheDraftDuringReviewThenPublishesAVersionedEdition() throws {
        let directory = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = directory.appendingPathComponent("data").path
        let site = directory.appendingPathComponent("site").path
        func publish(_ at: String) throws -> CLI.Result {
            try CLI.run(["stats", "publish", "--data-dir", data, "--config", "builtin", "--since", "90d", "--out", site, "--at", at])
        }
        let drafted = try publish("2026-12-01T00:00:00Z")
        #expect(drafted.status == 0, "\(drafted.stderr)")
        #expect(
            drafted.stdout.hasPrefix(
                #"{"step":"drafted","publication":{"version":1,"status":"review","since":"2026-09-02T00:00:00Z","until":"2026-12-01T00:00:00Z""#))
        #expect(drafted.stderr.contains("listed hosters may respond until 2026-12-15T00:00:00Z"))
        #expect(FileManager.default.fileExists(atPath: site + "/draft/index.html"))
        #expect(try publish("2026-12-10T00:00:00Z").stdout.hasPrefix(#"{"step":"in-review""#))
        let published = try publish("2026-12-15T00:00:01Z")
        #expect(published.stdout.hasPrefix(#"{"step":"published","publication":{"version":1,"status":"published""#), "\(published.stdout)")
        #expect(FileManager.default.fileExists(atPath: site + "/v1/manifest.sha256"))
        #expect(try String(contentsOfFile: site + "/latest.json", encoding: .utf8).hasPrefix(#"{"version":1,"path":"v1/""#))
        // A daily run makes one edition per period: the next is due 90 days after v1's end.
        let next = try publish("2026-12-16T00:00:00Z")
        #expect(next.stdout.hasPrefix(#"{"step":"up-to-date","publication":{"version":1"#), "\(next.stdout)")
        #expect(next.stderr.contains("v1 covers up to 2026-12-01T00:00:00Z"))
        #expect(
            try publish("2027-03-01T00:00:00Z").stdout.hasPrefix(
                #"{"step":"drafted","publication":{"version":2,"status":"review","since":"2026-12-01T00:00:00Z""#))
        // --new-edition drafts at once (v2 in review is withdrawn for v3).
        let forced = try CLI.run(
            ["stats", "publish", "--data-dir", data, "--config", "builtin", "--since", "90d", "--out", site, "--at", "2027-03-02T00:00:00Z", "--new-edition"])
        #expect(forced.stdout.hasPrefix(#"{"step":"in-review","publication":{"version":2"#), "a draft in review is kept: \(forced.stdout)")
        // The audit chain holds every step and verifies.
        #expect(try CLI.run(["audit", "verify", "--data-dir", data, "--config", "builtin"]).status == 0)
        let bad = try CLI.run(["stats", "publish", "--data-dir", data, "--config", "builtin", "--out", site, "--since", "soon"])
        #expect(bad.status == 64)
    }
}
