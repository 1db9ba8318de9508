import Foundation
import HotlineCore
import HotlineTesting
import Testing

@testable import HotlineStore

/// The notice store on every backend.
@Suite struct NoticeStoreTests {
    let time = ManualTimeSource(Date(timeIntervalSince1970: 1_798_000_000))

    struct Hosting: ReportEnricher {
        func enrich(_ report: Report, facts: inout Facts) {
            facts[.hostingAbuseEmail] = .string("abuse@hoster-\(report.url.host.prefix(1)).test")
            facts[.hostingOrg] = .string("Hoster \(report.url.host.prefix(1).uppercased())")
            facts[.hostingASN] = .number(64500)
            facts[.hostingCountry] = .string("NL")
        }
    }

    func engine() throws -> DecisionEngine {
        var content = RuleFileContent(file: "n.yaml")
        let at = SourceLocation(file: "n.yaml", line: 1, column: 1)
        content.rules = [
            RuleDraft(
                name: "notify", nameLocation: at, condition: ExpressionSource(text: "hosting.abuse_email exists", location: at),
                actions: [.notify(to: .hosting, template: "ntd-first", deadline: .hours(24), batchWindow: nil)], continues: false, location: at),
            RuleDraft(
                name: "removed", nameLocation: at, condition: ExpressionSource(text: "notice.urls_online == 0", location: at),
                actions: [.close(reason: "removed")], continues: false, location: at, event: .noticeRemoved),
        ]
        content.defaultActions = [.escalate(queue: "analysts", reason: "none", priority: .normal)]
        content.defaultLocation = at
        return DecisionEngine(ruleSet: try #require(RuleSetCompiler.compile([content], digest: "sha256:n").0))
    }

    func worker(_ store: some NoticeStore, transport: RecordingTransport, checker: ScriptedURLChecker) throws -> DispatchWorker {
        let template = try #require(
            NoticeTemplate.parse("Subject: [{{reference}}] notice\n\n{{#urls}}\n{{url}}\n{{/urls}}", name: "ntd-first", language: "en", file: "t").0)
        return DispatchWorker(
            store: store, engine: try engine(), planner: DispatchPlanner(directory: FixedRecipients()),
            renderer: NoticeRenderer(identity: HotlineIdentity(name: "H", email: "n@h.test", domain: "h.test"), templates: NoticeTemplates([template])),
            transport: transport, checker: checker, time: time)
    }

    @Test(arguments: Backend.available) func aNoticeLivesThroughDeliveryChecksAndRemovalAndSurvivesReopening(_ backend: Backend) throws {
        try backend.run(noticeLife, noticeLife)
    }

    func noticeLife<S: SQLStore & GatewayStorage>(_ open: () throws -> S) throws {
        let store = try open()
        let pipeline = IngestPipeline(
            store: store, engine: try engine(), enrichers: [Hosting()], planner: DispatchPlanner(directory: FixedRecipients()), time: time)
        let results = try pipeline.ingest(
            [
                #"{"url": "https://a.example/1.jpg", "classification": "A1", "hashes": {"sha1": "da39a3ee5e6b4b0d3255bfef95601890afd80709"}}"#,
                #"{"url": "https://a.example/2.jpg", "classification": "B2"}"#,
                #"{"url": "https://b.example/3.jpg", "classification": "A2"}"#,
            ].enumerated().map { IngestInput(IngestLine(number: $0.offset + 1, bytes: ArraySlice(Array($0.element.utf8)))) })
        #expect(results.count == 3)
        #expect(try store.dispatchCounts().items == ["waiting": 3])
        let transport = RecordingTransport()
        let checker = ScriptedURLChecker()
        checker.script("https://b.example/3.jpg", [.gone("HTTP 410")])
        let worker = try worker(store, transport: transport, checker: checker)
        time.advance(by: 3600)
        let first = try worker.runUntilIdle()
        #expect(first.noticesCreated == 2)
        #expect(first.delivered == 2)
        time.advance(by: 3600)
        _ = try worker.runUntilIdle()
        time.advance(by: 1800)
        let third = try worker.runUntilIdle()
        #expect(third.removed == 1)

        let reopened = try open()
        #expect(try reopened.dispatchCounts() == DispatchCounts(items: ["batched": 3], notices: ["removed": 1, "sent": 1], messages: ["delivered": 2]))
        let removed = try #require(try reopened.notices(status: .removed, limit: 5).first)
        #expect(removed.items.map(\.subject.url) == ["https://b.example/3.jpg"])
        #expect(removed.items[0].removedAt == removed.sentAt!.addingTimeInterval(3600))
        #expect(try reopened.notice(removed.reference)?.id == removed.id)
        #expect(try reopened.events(noticeID: removed.id).map(\.event) == ["created", "delivered", "checked", "checked", "notice.removed"])
        let sent = try #require(try reopened.notices(status: .sent, limit: 5).first)
        #expect(sent.items.map(\.subject.hashes) == [["sha1": "da39a3ee5e6b4b0d3255bfef95601890afd80709"], [:]])
        #expect(sent.items.map(\.hosting.org) == ["Hoster A", "Hoster A"])
        #expect(sent.items[0].nextCheckAt == sent.sentAt!.addingTimeInterval(6 * 3600))
        let messages = try reopened.messages(noticeID: sent.id)
        #expect(messages.count == 1)
        #expect(messages[0].payload == transport.deliveredMessages.first { $0.noticeID == sent.id }?.payload)
        #expect(messages[0].attempts == 1)
        // The case of the removed URL is closed by the rule; the other cases stay open.
        #expect(try reopened.counts().openCases == 2)
        // Notice events are a record: they cannot be changed or deleted.
        #expect(throws: (any Error).self) { try reopened.execute(sql: "UPDATE notice_events SET detail = 'x'") }
        #expect(throws: (any Error).self) { try reopened.execute(sql: "DELETE FROM notice_events") }
    }

    @Test(arguments: Backend.available) func heldItemsWaitUntilReleasedAndTheReleaseIsAudited(_ backend: Backend) throws {
        try backend.run(heldItems, heldItems)
    }

    func heldItems<S: SQLStore & GatewayStorage>(_ open: () throws -> S) throws {
        let store = try open()
        let subject = ReportedURL(reportID: "r1", caseID: "c1", decisionID: "d1", url: "https://a.example/x", host: "a.example", hashes: [:])
        let item = DispatchItem(
            id: "i1", subject: subject, kind: .notify, target: .hosting, recipient: Recipient(target: .hosting, name: "H", addresses: ["a@h.test"]),
            template: "ntd-first", deadline: .hours(24), batchWindow: .hours(1), hosting: HostingSnapshot(), classification: "A1",
            detectionMethod: "hash_match", status: .held, createdAt: time.now(), dueAt: time.now())
        try store.write { try $0.enqueueDispatch([item]) }
        #expect(try store.waitingItems(limit: 10).isEmpty)
        #expect(try store.heldItems(limit: 10).map(\.id) == ["i1"])
        #expect(try store.releaseHeldItems(caseID: "c1", at: time.now(), actor: "cli:test") == 1)
        #expect(try store.waitingItems(limit: 10).map(\.id) == ["i1"])
        #expect(try store.releaseHeldItems(caseID: "c1", at: time.now(), actor: "cli:test") == 0)
        #expect(try store.counts().auditEntries == 1)
    }
}

/// Two instances on one store: what one claims, the other skips until the lease lapses; two
/// instances ingesting the same reports at once store and decide each once.
@Suite struct ConcurrentStoreTests {
    let time = Date(timeIntervalSince1970: 1_798_000_000)

    func notice(_ id: String) -> (Notice, OutboxMessage) {
        let recipient = Recipient(target: .hosting, name: "H", addresses: ["abuse@h.test"])
        let notice = Notice(
            id: id, reference: Notice.reference(for: id), kind: .notify, recipient: recipient, template: "ntd-first", status: .pending, createdAt: time,
            deadlineSpan: nil, items: [])
        let message = OutboxMessage(
            id: "m-" + id, noticeID: id, purpose: "notice", channel: .email, destinations: ["abuse@h.test"], sender: "n@h.test",
            messageID: "m-\(id)@h.test", payload: Array("x".utf8), nextAttemptAt: time, createdAt: time)
        return (notice, message)
    }

    @Test(arguments: Backend.available) func aClaimKeepsOtherInstancesAwayUntilItsLeaseLapses(_ backend: Backend) throws {
        try backend.run(claims, claims)
    }

    func claims<S: SQLStore & GatewayStorage>(_ open: () throws -> S) throws {
        let first = try open()
        let second = try open()
        for id in ["0193a1b2-c3d4-7000-8000-000000000001", "0193a1b2-c3d4-7000-8000-000000000002"] {
            let (notice, message) = notice(id)
            try first.insertNotice(notice, messages: [message], consumedItems: [], event: nil)
        }
        let claimed = try first.claimDueMessages(at: time, limit: 1, leaseUntil: time.addingTimeInterval(120))
        #expect(claimed.count == 1)
        let other = try second.claimDueMessages(at: time, limit: 10, leaseUntil: time.addingTimeInterval(120))
        #expect(other.map(\.id) != claimed.map(\.id) && other.count == 1, "the second instance gets only the unclaimed one")
        #expect(try second.claimDueMessages(at: time.addingTimeInterval(60), limit: 10, leaseUntil: time.addingTimeInterval(180)).isEmpty)
        #expect(
            try second.claimDueNotices(at: time.addingTimeInterval(60), limit: 10, leaseUntil: time.addingTimeInterval(180)).isEmpty,
            "the notices are leased with their messages")
        // The first instance died without saving: after the lease the second takes its message.
        let lapsed = try second.claimDueMessages(at: time.addingTimeInterval(121), limit: 10, leaseUntil: time.addingTimeInterval(300))
        #expect(lapsed.map(\.id).contains(claimed[0].id))
        // Saving releases at once.
        var done = try #require(try second.notice(claimed[0].noticeID))
        done.status = .sent
        var sent = lapsed.first { $0.id == claimed[0].id }!
        sent.status = .delivered
        try second.saveNotice(done, updatedMessage: sent, newMessages: [], newItems: [], event: nil, closingCases: [], at: time.addingTimeInterval(122))
        #expect(try first.messages(status: .delivered, limit: 10).map(\.id) == [claimed[0].id])
    }

    @Test(arguments: Backend.available) func twoInstancesIngestingTheSameReportsAtOnceDecideEachOnce(_ backend: Backend) throws {
        try backend.run(sameReports, sameReports)
    }

    func sameReports<S: SQLStore & GatewayStorage>(_ open: () throws -> S) throws {
        let stores = [try open(), try open()]
        let engine = try ReportStoreTests().engine()
        let lines = (0..<300).map {
            IngestInput(IngestLine(number: $0 + 1, bytes: ArraySlice(Array(#"{"id":"same-\#($0)","url":"https://example.com/\#($0 % 100)"}"#.utf8))))
        }
        let batches = stride(from: 0, to: lines.count, by: 25).map { Array(lines[$0..<min(lines.count, $0 + 25)]) }
        let failures = Locked<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 2) { instance in
            let pipeline = IngestPipeline(store: stores[instance], engine: engine)
            // One goes forwards, the other backwards, so they meet on the same ids and URLs.
            for batch in (instance == 0 ? batches : batches.reversed()) {
                do { _ = try pipeline.ingest(batch) } catch { failures.mutate { $0.append("\(error)") } }
            }
        }
        #expect(failures.value.isEmpty)
        let counts = try stores[0].counts()
        #expect(counts.reports == 300, "each client id stored once")
        #expect(counts.decisions == 300, "each report decided once")
        #expect(counts.openCases == 100, "one open case per URL")
    }
}

/// A batch meeting another instance's transaction on PostgreSQL: what that transaction does
/// not hold is stored at once, the rest after it commits, in the order of the lines.
@Suite struct BusyKeyIngestTests {
    @Test(.enabled(if: Backend.available.contains(.postgres)))
    func aBatchStoresWhatIsFreeWithoutWaitingForAnotherInstanceHoldingOneOfItsURLs() throws {
        let settings = try Backend.postgresDatabase()
        let other = try PostgresStore(settings: settings)
        let store = try PostgresStore(settings: settings)
        let engine = try ReportStoreTests().engine()
        let inputs = [
            #"{"id":"free-a","url":"https://example.com/a"}"#, #"{"id":"held-1","url":"https://example.com/held"}"#,
            #"{"id":"free-b","url":"https://example.com/b"}"#, #"{"id":"held-2","url":"https://example.com/held"}"#,
            // Another URL, but the client id of line 2: it must come after line 2, not before.
            #"{"id":"held-1","url":"https://example.com/c"}"#,
        ].enumerated().map { IngestInput(IngestLine(number: $0.offset + 1, bytes: ArraySlice(Array($0.element.utf8)))) }
        let held = try inputs[1].submission.get().url.canonical

        // The other instance's transaction holds the URL's key until released.
        let locked = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let otherDone = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            _ = try? other.writing { session in
                try session.execute(
                    "SELECT pg_advisory_xact_lock(?)", [.integer(SQLTransaction<PostgresSession>.keyHash(IntakeKeys(urls: [held]).lockNames[0]))])
                locked.signal()
                release.wait()
            }
            otherDone.signal()
        }
        locked.wait()
        let answered = LockedSlots<Result<[IngestResult], any Error>>(count: 1)
        let ingested = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            answered.put(0, Result { try IngestPipeline(store: store, engine: engine).ingest(inputs) })
            ingested.signal()
        }
        // The free reports commit while the key is held (generous patience: the whole suite
        // shares two cores); nothing is answered yet.
        let deadline = Date().addingTimeInterval(300)
        while try store.counts().reports < 2 && Date() < deadline { usleep(20_000) }
        #expect(try store.counts().reports == 2, "lines 1 and 3 stored without waiting")
        #expect(answered.all[0] == nil, "no line answered before the whole batch is stored")
        release.signal()
        otherDone.wait()
        ingested.wait()

        let results = try #require(try answered.all[0]?.get())
        #expect(results.map(\.line) == [1, 2, 3, 4, 5])
        func ids(_ result: IngestResult) -> (report: String, case: String, existing: Bool)? {
            if case .decided(let report, let caseID, _, let existing) = result.outcome { return (report, caseID, existing) }
            return nil
        }
        let decided = results.compactMap(ids)
        #expect(decided.count == 5)
        guard decided.count == 5 else { return }
        #expect(decided[1].case == decided[3].case, "the held URL's two reports share one case")
        #expect(decided[4].report == decided[1].report && decided[4].existing, "line 5 is line 2's report, found by its client id")
        #expect(try store.counts().reports == 4)
        let audit = try store.reading {
            try $0.rows("SELECT detail FROM audit_log WHERE event = 'ingest.batch' ORDER BY seq", []).map { try $0.text("detail") }
        }
        #expect(audit.count == 2)
        #expect(audit.first?.contains(#""left_for_next_part":3"#) == true && audit.first?.contains(#""new_reports":2"#) == true, "\(audit)")
        #expect(audit.last?.contains(#""part":2"#) == true && audit.last?.contains(#""existing_reports":1"#) == true, "\(audit)")
    }
}

@Suite struct ConcurrentCaseCountTests {
    /// Two instances can reach one case under different keys (one by its URL, the other by
    /// a trusted hash), so neither's lock keeps the other out; each must add its reports to
    /// the stored count rather than write the count it computed from what it read.
    @Test(.enabled(if: Backend.available.contains(.postgres)))
    func aReportAddedByAnotherInstanceMeanwhileIsNotOverwritten() throws {
        let settings = try Backend.postgresDatabase()
        let store = try PostgresStore(settings: settings)
        let other = try PostgresStore(settings: settings)
        let line = IngestInput(IngestLine(number: 1, bytes: ArraySlice(Array(#"{"url":"https://example.com/shared"}"#.utf8))))
        let url = try line.submission.get().url.canonical
        _ = try IngestPipeline(store: store, engine: try ReportStoreTests().engine()).ingest([line])

        try store.write { transaction in
            _ = try transaction.prepare(IntakeKeys(urls: [url]), wait: true)
            var record = try #require(try transaction.openCase(url: url))
            #expect(record.reportCount == 1)
            // The other instance joins the case by a hash and commits while this batch runs.
            try other.execute(sql: "UPDATE cases SET report_count = report_count + 1 WHERE id = '\(record.id)'")
            record.reportCount += 1
            try transaction.updateCase(record)
        }
        let count = try store.reading { try $0.rows("SELECT report_count FROM cases", []).map { try $0.integer("report_count") } }
        #expect(count == [3], "both joins count")
    }
}
