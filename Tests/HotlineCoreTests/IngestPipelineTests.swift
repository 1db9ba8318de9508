import Foundation
import HotlineTesting
import Testing

@testable import HotlineCore

@Suite struct IngestPipelineTests {
    let store = InMemoryStore()
    let time = ManualTimeSource()

    func pipeline() throws -> IngestPipeline<InMemoryStore> {
        let engine = try #require(
            TestRules.engine(file: "p.yaml", [TestRules.duplicatesClose, ("out-of-scope", #"report.host == "out.example""#, [.close(reason: "out of scope")])]))
        return IngestPipeline(store: store, engine: engine, time: time, ids: SequentialIDGenerator())
    }

    func lines(_ texts: [String], from first: Int = 1) -> [IngestInput] {
        texts.enumerated().map { IngestInput(IngestLine(number: first + $0.offset, bytes: ArraySlice(Array($0.element.utf8)))) }
    }

    @Test func groupsReportsOfTheSameCanonicalURLIntoOneCase() throws {
        let results = try pipeline().ingest(
            lines([
                #"{"url": "https://Example.com:443/a/./b#x"}"#,
                #"{"url": "https://example.com/a/b"}"#,
                #"{"url": "https://example.com/other"}"#,
            ]))
        #expect(
            results.map { $0.json.serialized } == [
                #"{"line":1,"report_id":"id-1","case_id":"id-2","outcome":"escalate","rule":"default","actions":[{"escalate":{"queue":"analysts","reason":"none"}}],"rules_version":"sha256:p"}"#,
                #"{"line":2,"report_id":"id-4","case_id":"id-2","outcome":"close","rule":"dup","actions":[{"close":{"reason":"duplicate"}}],"rules_version":"sha256:p"}"#,
                #"{"line":3,"report_id":"id-6","case_id":"id-7","outcome":"escalate","rule":"default","actions":[{"escalate":{"queue":"analysts","reason":"none"}}],"rules_version":"sha256:p"}"#,
            ])
        let counts = try store.counts()
        #expect(counts == StoreCounts(reports: 3, cases: 2, openCases: 2, decisions: 3, auditEntries: 1))
        #expect(store.allCases.first { $0.id == "id-2" }?.reportCount == 2)
    }

    @Test func theSameClientIDFromTheSameSourceIsTheSameReport() throws {
        let pipeline = try pipeline()
        let first = try pipeline.ingest(lines([#"{"id": "a-1", "url": "https://example.com/1", "source": {"type": "partner", "name": "p"}}"#]))
        let again = try pipeline.ingest(
            lines(
                [
                    #"{"id": "a-1", "url": "https://example.com/1", "source": {"type": "partner", "name": "p"}}"#,
                    #"{"id": "a-1", "url": "https://example.com/1", "source": {"type": "partner", "name": "q"}}"#,
                ], from: 2))
        guard case .decided(let firstID, _, _, false) = first[0].outcome,
            case .decided(let againID, _, let decision, true) = again[0].outcome,
            case .decided(let otherID, _, _, false) = again[1].outcome
        else {
            Issue.record("unexpected outcomes \(first) \(again)")
            return
        }
        #expect(firstID == againID)
        #expect(decision.rule == "default")
        #expect(otherID != firstID)
        #expect(again[0].json.serialized.hasSuffix(#","existing":true}"#))
        #expect(try store.counts().reports == 2)
    }

    @Test func badLinesAreRejectedAndTheRestGoesOn() throws {
        let results = try pipeline().ingest(
            lines([
                #"{"url": "https://example.com/1"}"#,
                #"{"url": "gopher://example.com/"}"#,
                "oops",
                #"{"url": "https://example.com/2", "extra": 1}"#,
                #"{"url": "https://example.com/3"}"#,
            ]))
        #expect(results.map(\.line) == [1, 2, 3, 4, 5])
        #expect(
            results[1].json.serialized
                == #"{"line":2,"outcome":"rejected","error":"field \"url\" has scheme \"gopher\"; only http and https are accepted: \"gopher://example.com/\"","code":"invalid-field","field":"url"}"#
        )
        #expect(
            results[2].json.serialized
                == #"{"line":3,"outcome":"rejected","error":"invalid JSON at column 1: unexpected 'o', expected a value","code":"invalid-json"}"#)
        // An unknown field costs the report nothing: it is stored, with a warning in its line.
        #expect(results[3].json.serialized.hasSuffix(#","warnings":[{"code":"unknown-field","message":"unknown field \"extra\" ignored","field":"extra"}]}"#))
        #expect(try store.counts().reports == 3)
    }

    @Test func overlongLinesAreRejected() throws {
        let results = try pipeline().ingest([IngestInput(IngestLine(number: 7, bytes: [], isTooLong: true))])
        #expect(results[0].json.serialized == #"{"line":7,"outcome":"rejected","error":"line is longer than the 1048576 bytes accepted","code":"too-long"}"#)
    }

    @Test func closingTheFirstReportClosesTheCaseSoANewReportOpensANewOne() throws {
        let pipeline = try pipeline()
        let first = try pipeline.ingest(lines([#"{"url": "https://out.example/a"}"#]))
        let second = try pipeline.ingest(lines([#"{"url": "https://out.example/a"}"#], from: 2))
        guard case .decided(_, let firstCase, let firstDecision, _) = first[0].outcome,
            case .decided(_, let secondCase, let secondDecision, _) = second[0].outcome
        else {
            Issue.record("not decided")
            return
        }
        #expect(firstDecision.rule == "out-of-scope")
        #expect(secondDecision.rule == "out-of-scope")
        #expect(firstCase != secondCase)
        #expect(store.allCases.filter { $0.status == .closed }.count == 2)
    }

    @Test func recordsFactsTraceAndRulesVersionWithEachDecision() throws {
        time.advance(by: 3600)
        _ = try pipeline().ingest(
            lines([#"{"url": "https://example.com/x", "received_at": "2026-01-01T00:00:00Z", "source": {"type": "crawler"}, "reporter": "r@example.org"}"#]))
        let decision = try #require(store.allDecisions.first)
        #expect(decision.facts[.reportSourceType] == .string("crawler"))
        #expect(decision.facts[.reportAge] == .duration(.hours(1)))
        #expect(decision.facts[.reportHasReporter] == .bool(true))
        #expect(decision.facts[.caseDuplicate] == .bool(false))
        #expect(decision.facts[.hashMatch] == nil)
        #expect(decision.verdict.rulesDigest == "sha256:p")
        // The reporter is personal data: it is kept with the report, never among the facts.
        #expect(!decision.facts.serializedJSON.contains("r@example.org"))
        #expect(decision.facts.serializedJSON == JSONValue.object(decision.facts.json).serialized)
        let audit = try #require(store.auditLog.first)
        #expect(audit.event == "ingest.batch")
        #expect(audit.detail["new_reports"] == .number(1))
        #expect(audit.detail["rules_version"] == .string("sha256:p"))
    }

    @Test func aFailedTransactionStoresNothingOfTheBatch() throws {
        struct DiskFull: Error {}
        store.failNextWrite = DiskFull()
        #expect(throws: DiskFull.self) {
            try pipeline().ingest(lines([#"{"url": "https://example.com/1"}"#, #"{"url": "https://example.com/2"}"#]))
        }
        #expect(try store.counts() == StoreCounts(reports: 0, cases: 0, openCases: 0, decisions: 0, auditEntries: 0))
    }
}
