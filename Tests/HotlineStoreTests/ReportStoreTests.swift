import Foundation
import HotlineCore
import HotlineTesting
import Testing

@testable import HotlineStore

/// The report store on every backend.
@Suite struct ReportStoreTests {
    func engine() throws -> DecisionEngine { try #require(TestRules.engine(file: "s.yaml", [TestRules.duplicatesClose])) }

    func lines(_ texts: [String]) -> [IngestInput] {
        texts.enumerated().map { IngestInput(IngestLine(number: $0.offset + 1, bytes: ArraySlice(Array($0.element.utf8)))) }
    }

    @Test(arguments: Backend.available) func reportsAndDecisionsSurviveReopeningAndClientIDsStayIdempotent(_ backend: Backend) throws {
        try backend.run(reportsAndDecisionsSurviveReopening, reportsAndDecisionsSurviveReopening)
    }

    func reportsAndDecisionsSurviveReopening<S: SQLStore & GatewayStorage>(_ open: () throws -> S) throws {
        let first = try IngestPipeline(store: open(), engine: engine())
        let results = try first.ingest(
            lines([
                #"{"id": "c-1", "url": "https://example.com/a", "reporter": "person@example.org", "hashes": {"sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"}}"#,
                #"{"url": "https://EXAMPLE.com/a#again"}"#,
            ]))
        guard case .decided(let reportID, let caseID, _, false) = results[0].outcome,
            case .decided(_, let duplicateCase, let duplicateDecision, false) = results[1].outcome
        else {
            Issue.record("not decided: \(results)")
            return
        }
        #expect(duplicateCase == caseID)
        #expect(duplicateDecision.rule == "dup")

        let reopened = try open()
        #expect(try reopened.counts() == StoreCounts(reports: 2, cases: 1, openCases: 1, decisions: 2, auditEntries: 1))
        let report = try #require(try reopened.report(id: reportID))
        #expect(report.url.canonical == "https://example.com/a")
        #expect(report.reporter == "person@example.org")
        #expect(report.hashes.sha256 == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(try reopened.decisions(reportID: reportID).map(\.rule) == ["default"])

        let again = try IngestPipeline(store: reopened, engine: engine()).ingest(lines([#"{"id": "c-1", "url": "https://example.com/a"}"#]))
        guard case .decided(let sameID, _, let decision, true) = again[0].outcome else {
            Issue.record("client id not recognised: \(again)")
            return
        }
        #expect(sameID == reportID)
        #expect(decision.actions.serialized == #"[{"escalate":{"queue":"analysts","reason":"none"}}]"#)
        #expect(try reopened.counts().reports == 2)
    }

    @Test(arguments: Backend.available) func storesFactsAndTraceForLaterExplanation(_ backend: Backend) throws {
        try backend.run(storesFactsAndTrace, storesFactsAndTrace)
    }

    func storesFactsAndTrace<S: SQLStore & GatewayStorage>(_ open: () throws -> S) throws {
        let store = try open()
        let results = try IngestPipeline(store: store, engine: engine()).ingest(
            lines([#"{"url": "https://example.com/b"}"#, #"{"url": "https://example.com/b"}"#]))
        guard case .decided(let reportID, _, _, _) = results[1].outcome else { return }
        let record = try #require(try store.decisionRecords(reportID: reportID).first)
        #expect(record.rulesDigest == "sha256:s")
        #expect(record.facts.objectValue?["case.duplicate"] == .bool(true))
        #expect(record.trace.serialized == #"[{"rule":"dup","steps":[{"condition":"case.duplicate","result":true,"field":"case.duplicate","value":true}]}]"#)
    }

    @Test(arguments: Backend.available) func decisionsAndTheAuditLogAreAppendOnly(_ backend: Backend) throws {
        try backend.run(appendOnly, appendOnly)
    }

    func appendOnly<S: SQLStore & GatewayStorage>(_ open: () throws -> S) throws {
        let store = try open()
        _ = try IngestPipeline(store: store, engine: engine()).ingest(lines([#"{"url": "https://example.com/c"}"#]))
        for sql in ["UPDATE decisions SET rule = 'x'", "DELETE FROM decisions", "UPDATE audit_log SET actor = 'x'", "DELETE FROM audit_log"] {
            #expect(throws: (any Error).self, "\(sql)") { try store.execute(sql: sql) }
        }
        #expect(try store.counts().decisions == 1)
        #expect(try store.counts().auditEntries == 1)
    }

    @Test(arguments: Backend.available) func aThrowingBatchLeavesNothingBehind(_ backend: Backend) throws {
        try backend.run(throwingBatch, throwingBatch)
    }

    struct Stop: Error {}

    func throwingBatch<S: SQLStore & GatewayStorage>(_ open: () throws -> S) throws {
        let store = try open()
        #expect(throws: Stop.self) {
            try store.write { transaction in
                try transaction.insertCase(CaseRecord(id: "k", url: "https://example.com/", openedAt: Date(), firstReportID: "r"))
                throw Stop()
            }
        }
        #expect(try store.counts().cases == 0)
    }

    @Test(arguments: Backend.available) func onlyOneOpenCasePerURL(_ backend: Backend) throws {
        try backend.run(oneOpenCase, oneOpenCase)
    }

    func oneOpenCase<S: SQLStore & GatewayStorage>(_ open: () throws -> S) throws {
        let store = try open()
        #expect(throws: (any Error).self) {
            try store.write { transaction in
                try transaction.insertCase(CaseRecord(id: "k1", url: "https://example.com/", openedAt: Date(), firstReportID: "r1"))
                try transaction.insertCase(CaseRecord(id: "k2", url: "https://example.com/", openedAt: Date(), firstReportID: "r2"))
            }
        }
        try store.write { transaction in
            try transaction.insertCase(CaseRecord(id: "k1", url: "https://example.com/", status: .closed, openedAt: Date(), firstReportID: "r1"))
            try transaction.insertCase(CaseRecord(id: "k2", url: "https://example.com/", openedAt: Date(), firstReportID: "r2"))
        }
        #expect(try store.counts() == StoreCounts(reports: 0, cases: 2, openCases: 1, decisions: 0, auditEntries: 0))
    }

    @Test(arguments: Backend.available) func behavesLikeTheInMemoryFakeOnTheSameInput(_ backend: Backend) throws {
        try backend.run(likeTheFake, likeTheFake)
    }

    func likeTheFake<S: SQLStore & GatewayStorage>(_ open: () throws -> S) throws {
        let input = lines([
            #"{"id": "1", "url": "https://example.com/x"}"#, #"{"url": "https://example.com/x"}"#, "{", #"{"id": "1", "url": "https://example.com/x"}"#,
            #"{"url": "https://example.com/y", "source": {"type": "crawler", "name": "c"}}"#,
        ])
        func shape(_ results: [IngestResult]) -> [String] {
            results.map { result in
                switch result.outcome {
                case .decided(_, _, let decision, let existing): "\(result.line) \(decision.outcome) \(decision.rule) \(existing)"
                case .pending(_, _, let existing): "\(result.line) pending \(existing)"
                case .rejected(let error): "\(result.line) rejected \(error.code)"
                }
            }
        }
        let stored = try IngestPipeline(store: open(), engine: engine(), time: ManualTimeSource(), ids: SequentialIDGenerator()).ingest(input)
        let memory = try IngestPipeline(store: InMemoryStore(), engine: engine(), time: ManualTimeSource(), ids: SequentialIDGenerator()).ingest(input)
        #expect(shape(stored) == shape(memory))
        #expect(
            shape(stored) == [
                "1 escalate default false", "2 close dup false", "3 rejected invalid-json", "4 escalate default true", "5 escalate default false",
            ])
    }

    @Test(arguments: Backend.available) func aLargeBatchStoresEveryDecisionAndAnswersARepeatFromItsOwnDecisions(_ backend: Backend) throws {
        try backend.run(largeBatch, largeBatch)
    }

    /// Decisions are encoded on another core in chunks and written at the end of the batch:
    /// every one must reach the database, and a client id repeated later in the same batch
    /// must get the decision of its first report, not "pending".
    func largeBatch<S: SQLStore & GatewayStorage>(_ open: () throws -> S) throws {
        var texts = (1...200).map { #"{"id": "c-\#($0)", "url": "https://example.com/\#($0)"}"# }
        texts += [#"{"id": "c-1", "url": "https://example.com/1"}"#, #"{"id": "c-150", "url": "https://example.com/150"}"#]
        texts += (1...30).map { #"{"url": "https://example.com/\#($0)"}"# }
        let store = try open()
        let stored = try IngestPipeline(store: store, engine: engine(), time: ManualTimeSource(), ids: SequentialIDGenerator()).ingest(lines(texts))
        let memory = try IngestPipeline(store: InMemoryStore(), engine: engine(), time: ManualTimeSource(), ids: SequentialIDGenerator()).ingest(lines(texts))
        func shape(_ result: IngestResult) -> String {
            switch result.outcome {
            case .decided(let report, _, let decision, let existing): "\(report) \(decision.rule) \(existing)"
            case .pending(let report, _, let existing): "\(report) pending \(existing)"
            case .rejected(let error): "rejected \(error.code)"
            }
        }
        #expect(stored.map(shape) == memory.map(shape))
        #expect(stored[200].outcome == stored[0].outcome.asExisting && stored[201].outcome == stored[149].outcome.asExisting)
        #expect(try store.counts().decisions == 230)
        for result in stored {
            guard case .decided(let report, _, let decision, false) = result.outcome else { continue }
            #expect(try store.decisions(reportID: report) == [decision], "line \(result.line)")
        }
    }
}

extension IngestResult.Outcome {
    /// The same decision, answered for a client id seen before.
    fileprivate var asExisting: Self {
        guard case .decided(let report, let caseID, let decision, _) = self else { return self }
        return .decided(reportID: report, caseID: caseID, decision: decision, existing: true)
    }
}
