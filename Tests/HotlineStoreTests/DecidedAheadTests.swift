import Foundation
import HotlineCore
import HotlineTesting
import Testing

@testable import HotlineStore

/// A batch decided on another thread while the one before it commits
/// (`IngestPipeline.ingest(_:next:)`) must store and answer exactly what deciding it in its
/// own transaction would, and must be decided again when anything else wrote in between.
@Suite struct DecidedAheadTests {
    static let hash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    /// Duplicates close; a report at a path ending in `/gone` closes its case.
    func engine() throws -> DecisionEngine {
        try #require(TestRules.engine(file: "s.yaml", [TestRules.duplicatesClose, ("gone", #"report.path matches "/gone$""#, [.close(reason: "removed")])]))
    }

    func pipeline<S: ReportStore>(_ store: S) throws -> IngestPipeline<S> {
        IngestPipeline(store: store, engine: try engine(), time: ManualTimeSource(), ids: SequentialIDGenerator(), claimsAreEvidence: true)
    }

    /// Batches of JSON lines, numbered across the stream.
    func batches(_ batches: [[String]]) -> [[IngestInput]] {
        var line = 0
        return batches.map { texts in
            texts.map { text in
                line += 1
                return IngestInput(IngestLine(number: line, bytes: ArraySlice(Array(text.utf8))))
            }
        }
    }

    /// Every row the stream leaves, ids included (they are sequential, so the same order of
    /// work gives the same ids).
    func contents(_ store: SQLiteStore) throws -> [String] {
        try store.reading { db in
            var rows: [String] = []
            for (table, columns) in [
                ("cases", "id, url, status, report_count"), ("case_urls", "case_id, url"), ("case_hashes", "case_id, algorithm, hash"),
                ("reports", "id, case_id, url, client_id"), ("decisions", "id, report_id, case_id, rule, outcome, actions"),
                ("dispatch_items", "id, case_id"), ("audit_log", "event, detail"),
            ] {
                for row in try db.rows("SELECT \(columns) FROM \(table) ORDER BY \(columns)", []) {
                    rows.append(table + ": " + row.values.map { "\($0)" }.joined(separator: " | "))
                }
            }
            return rows
        }
    }

    func temporaryDirectory() -> String { NSTemporaryDirectory() + "hotline-ahead-" + UUID().uuidString }

    /// Repeats across batches of everything the read-ahead answers: a URL's open case, a
    /// client id with its decision, a trusted hash's case, a case closed by the batch before
    /// under the same URL, and one closed under another URL of the case (`h1`, which the
    /// batch before did not look up: the batch after is read in its own transaction).
    static let stream = [
        [
            #"{"id": "c-1", "url": "https://example.com/a"}"#, #"{"url": "https://example.com/h1", "hashes": {"sha256": "\#(hash)"}}"#,
            #"{"url": "https://example.com/x/gone"}"#, #"{"url": "https://example.com/k"}"#,
        ],
        [
            #"{"id": "c-1", "url": "https://example.com/a"}"#, #"{"url": "https://example.com/a"}"#,
            #"{"url": "https://example.com/h2/gone", "hashes": {"sha256": "\#(hash)"}}"#, #"{"url": "https://example.com/x/gone"}"#,
            #"{"url": "https://example.com/k2", "hashes": {"md5": "d41d8cd98f00b204e9800998ecf8427e"}}"#, "{",
        ],
        [
            #"{"url": "https://example.com/h1"}"#, #"{"id": "c-1", "url": "https://example.com/other"}"#, #"{"url": "https://example.com/a"}"#,
            #"{"url": "https://example.com/k3", "hashes": {"md5": "d41d8cd98f00b204e9800998ecf8427e"}}"#,
        ],
        [#"{"url": "https://example.com/k2"}"#, #"{"url": "https://example.com/k3"}"#, "{", #"{"url": "https://example.com/h2/gone"}"#],
    ]

    @Test func aStreamDecidedAheadStoresAndAnswersWhatOneBatchAtATimeDoes() throws {
        let input = batches(Self.stream)
        let oneAtATime = temporaryDirectory()
        let overlapped = temporaryDirectory()
        defer {
            try? FileManager.default.removeItem(atPath: oneAtATime)
            try? FileManager.default.removeItem(atPath: overlapped)
        }
        let plainStore = try SQLiteStore(directory: oneAtATime)
        let plain = try pipeline(plainStore)
        let expected = try input.map { try plain.ingest($0) }

        let store = try SQLiteStore(directory: overlapped)
        let ahead = try pipeline(store)
        var results: [[IngestResult]] = []
        var decided: [IngestPipeline<SQLiteStore>.DecidedAhead?] = []
        var pending: IngestPipeline<SQLiteStore>.DecidedAhead?
        for (number, batch) in input.enumerated() {
            let following = number + 1 < input.count ? input[number + 1] : nil
            let next = following.map { inputs in { @Sendable in inputs } }
            let stored = try pending.map { try ahead.ingest($0, next: next) } ?? ahead.ingest(batch, next: next)
            results.append(stored.results)
            decided.append(stored.next)
            pending = stored.next
        }
        #expect(results == expected)
        #expect(try contents(store) == contents(plainStore))
        // The second batch closed `h1`'s case through `h2/gone`, by hash; the third batch's
        // `h1` was read as the second found it, under a key the second did not look up, so
        // the third is decided again in its own transaction. The second and fourth were
        // decided ahead and taken over.
        #expect(decided.map { $0 != nil } == [true, true, true, false])
        #expect(decided.map { $0?.adopted } == [true, false, true, nil])
        guard case .decided(_, _, let first, false) = results[0][0].outcome, case .decided(_, _, let repeated, true) = results[1][0].outcome else {
            Issue.record("client id not answered: \(results[1][0])")
            return
        }
        #expect(repeated == first)
        guard case .decided(_, let hashCase, _, false) = results[0][1].outcome, case .decided(_, let joined, let closing, false) = results[1][2].outcome,
            case .decided(_, let goneCase, _, false) = results[0][2].outcome, case .decided(_, let reopened, let again, false) = results[1][3].outcome,
            case .decided(_, let k2Case, _, false) = results[1][4].outcome, case .decided(_, let h1Again, _, false) = results[2][0].outcome,
            case .decided(_, let k2Again, let dup, false) = results[3][0].outcome
        else {
            Issue.record("not decided: \(results)")
            return
        }
        #expect(joined == hashCase && closing.rule == "gone")
        #expect(reopened != goneCase && again.rule == "gone")
        #expect(h1Again != hashCase)
        #expect(k2Again == k2Case && dup.rule == "dup")
    }

    @Test(arguments: [false, true]) func aWriteInBetweenMakesTheBatchDecideAgain(_ otherConnection: Bool) throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let input = batches([[#"{"url": "https://example.com/1"}"#], [#"{"url": "https://example.com/2"}"#]])
        let store = try SQLiteStore(directory: directory)
        let ingest = try pipeline(store)
        let first = try ingest.ingest(input[0], next: { input[1] })
        let ahead = try #require(first.next)
        // Another process (a second connection: `data_version`), or another transaction of
        // this one on the same connection (its changed rows), stores a report of the URL the
        // batch decided ahead looked up as new.
        let other = otherConnection ? try SQLiteStore(directory: directory) : store
        let between = try IngestPipeline(store: other, engine: engine(), ids: UUIDv7Generator()).ingest(batches([[#"{"url": "https://example.com/2"}"#]])[0])
        guard case .decided(_, let otherCase, _, false) = between[0].outcome else {
            Issue.record("not stored: \(between)")
            return
        }
        let second = try ingest.ingest(ahead, next: nil)
        #expect(ahead.adopted == false)
        guard case .decided(_, let caseID, let decision, false) = second.results[0].outcome else {
            Issue.record("not decided: \(second.results)")
            return
        }
        // Decided again, it sees the other writer's case.
        #expect(caseID == otherCase && decision.rule == "dup")
        #expect(try store.counts() == StoreCounts(reports: 3, cases: 2, openCases: 2, decisions: 3, auditEntries: 3))
    }

    @Test func aRolledBackBatchIsNeverFollowed() throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try SQLiteStore(directory: directory)
        struct Stop: Error {}
        var ahead: SQLiteStore.Transaction?
        #expect(throws: Stop.self) {
            try store.write { transaction in
                _ = try transaction.prepare(IntakeKeys(urls: ["https://example.com/1"]), wait: false)
                try transaction.insertCase(CaseRecord(id: "k", url: "https://example.com/1", openedAt: Date(), firstReportID: "r"))
                ahead = try transaction.follow()
                throw Stop()
            }
        }
        let detached = try #require(ahead)
        _ = try detached.prepare(IntakeKeys(urls: ["https://example.com/1"]), wait: false)
        // The rolled-back batch's case is in the overlay: the batch after it would join it.
        #expect(try detached.openCase(url: "https://example.com/1")?.id == "k")
        #expect(try store.write { try $0.adopt(detached) } == false)
        #expect(try store.counts().cases == 0)
    }

    /// The snapshot shows the database as the batch it follows found it, even once that batch
    /// and another writer committed; one snapshot is open at a time, and one dropped unread
    /// is ended.
    @Test func aDetachedTransactionReadsItsSnapshotAndRunsNoStatement() throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try SQLiteStore(directory: directory)
        var second: SQLiteStore.Transaction?
        let detached = try #require(
            try store.write { transaction in
                _ = try transaction.prepare(IntakeKeys(urls: ["https://example.com/1"]), wait: false)
                try transaction.insertCase(CaseRecord(id: "k1", url: "https://example.com/1", openedAt: Date(), firstReportID: "r1"))
                let ahead = try transaction.follow()
                second = try transaction.follow()
                return ahead
            })
        #expect(second == nil)
        try store.write { transaction in
            try transaction.insertCase(CaseRecord(id: "k2", url: "https://example.com/2", openedAt: Date(), firstReportID: "r2"))
        }
        _ = try detached.prepare(IntakeKeys(urls: ["https://example.com/1", "https://example.com/2"]), wait: false)
        // k1 from the batch it follows; k2 committed after its snapshot began, so not seen
        // (and adopting it fails on the changed mark).
        #expect(try detached.openCase(url: "https://example.com/1")?.id == "k1")
        #expect(try detached.openCase(url: "https://example.com/2") == nil)
        #expect(try store.write { try $0.adopt(detached) } == false)
        #expect(throws: DetachedTransactionError.self) { try detached.openCase(url: "https://example.com/3") }
        #expect(throws: DetachedTransactionError.self) { try detached.closeCase("k", at: Date()) }
        #expect(throws: DetachedTransactionError.self) { try detached.prepare(IntakeKeys(), wait: false) }

        // Dropped without being read, a snapshot lets the next one begin.
        try store.write { transaction in
            _ = try transaction.prepare(IntakeKeys(urls: ["https://example.com/3"]), wait: false)
            #expect(try transaction.follow() != nil)
        }
        let third = try store.write { transaction in
            _ = try transaction.prepare(IntakeKeys(urls: ["https://example.com/3"]), wait: false)
            return try transaction.follow()
        }
        let found = try #require(third)
        _ = try found.prepare(IntakeKeys(urls: ["https://example.com/2"]), wait: false)
        #expect(try found.openCase(url: "https://example.com/2")?.id == "k2")
    }

    @Test(arguments: Backend.available) func onlyAStoreWithOneWriterDecidesAhead(_ backend: Backend) throws {
        try backend.run(decidesAhead, decidesAhead)
    }

    /// PostgreSQL's other instances could write between two batches without this connection
    /// telling, so it reads nothing ahead; both answer the same.
    func decidesAhead<S: SQLStore & GatewayStorage>(_ open: () throws -> S) throws {
        let input = batches(Self.stream)
        let store = try open()
        let ingest = try pipeline(store)
        let stored = try ingest.ingest(input[0], next: { input[1] })
        let second = try stored.next.map { try ingest.ingest($0, next: nil) } ?? ingest.ingest(input[1], next: nil)
        #expect((stored.next != nil) == (S.self == SQLiteStore.self))
        #expect(second.results.map(\.line) == Array(5...10))
        #expect(try store.counts().reports == 8)
    }
}
