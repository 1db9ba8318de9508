import Foundation
import HotlineTesting
import Testing

@testable import HotlineCore

/// Sets the hosting facts of each host, as the hosting resolver would.
struct StubHosting: ReportEnricher {
    var byHost: [String: [String: FactValue]]
    func enrich(_ report: Report, facts: inout Facts) {
        for (name, value) in byHost[report.url.host] ?? [:] { facts[Fact(name: name)!] = value }
    }
}

/// A rule set, the templates and a worker over the in-memory store, with a manual clock.
final class DispatchHarness {
    let store = InMemoryStore()
    let time = ManualTimeSource(Date(timeIntervalSince1970: 1_798_000_000))
    let ids = SequentialIDGenerator()
    let transport = RecordingTransport()
    let checker = ScriptedURLChecker()
    let moved = MovedHosting()
    let engine: DecisionEngine
    let planner: DispatchPlanner
    let settings: DispatchSettings

    static let hosting: [String: [String: FactValue]] = [
        "files.example.com": [
            "hosting.abuse_email": .string("abuse@hoster-a.test"), "hosting.org": .string("Hoster A"), "hosting.country": .string("NL"),
            "hosting.asn": .number(64500),
        ],
        "cdn.example.net": ["hosting.abuse_email": .string("abuse@hoster-a.test"), "hosting.org": .string("Hoster A"), "hosting.country": .string("NL")],
        "other.example.org": ["hosting.abuse_email": .string("abuse@hoster-b.test"), "hosting.org": .string("Hoster B"), "hosting.country": .string("NL")],
        "nowhere.example": ["hosting.country": .string("NL")],
        // What a hostile RDAP answer put in the facts before addresses were checked.
        "injected.example": [
            "hosting.abuse_email": .string("abuse@hoster-c.test>\r\nRCPT TO:<attacker@evil.test>\r\nBcc: attacker@evil.test"),
            "hosting.org": .string("Hoster C"), "hosting.country": .string("NL"),
        ],
    ]

    init(
        settings: DispatchSettings = DispatchSettings(),
        recipients: FixedRecipients = FixedRecipients([.police: Recipient(target: .police, name: "Police", addresses: ["police@example.test"])])
    ) throws {
        let at = SourceLocation(file: "d.yaml", line: 1, column: 1)
        func rule(_ name: String, _ event: RuleEvent, _ condition: String, _ actions: [Action], continues: Bool = false) -> RuleDraft {
            RuleDraft(
                name: name, nameLocation: at, condition: ExpressionSource(text: condition, location: at), actions: actions, continues: continues, location: at,
                event: event)
        }
        var content = RuleFileContent(file: "d.yaml")
        content.rules = [
            rule(
                "police-first", .report, #"hosting.abuse_email exists and report.source.type == "partner""#,
                [
                    .forward(to: .police, template: "police-info", reason: "ongoing case", policeFirst: true),
                    .notify(to: .hosting, template: "ntd-first", deadline: .hours(24), batchWindow: nil),
                ]),
            rule(
                "notify-hoster", .report, "hosting.abuse_email exists", [.notify(to: .hosting, template: "ntd-first", deadline: .hours(24), batchWindow: nil)]),
            rule(
                "nobody", .report, #"report.host == "nowhere.example""#,
                [.notify(to: .registrar, template: "ntd-first", deadline: .hours(24), batchWindow: TimeSpan(seconds: 0))]),
            rule("removed", .noticeRemoved, #"notice.kind == "notify""#, [.close(reason: "removed")]),
            rule("remind", .noticeOverdue, "notice.reminders == 0", [.notify(to: .hosting, template: "ntd-reminder", deadline: .hours(24), batchWindow: nil)]),
            rule("ignored", .noticeOverdue, "notice.reminders >= 1", [.escalate(queue: "analysts", reason: "ignored", priority: .high)]),
            rule("undeliverable", .deliveryFailed, "delivery.error exists", [.escalate(queue: "analysts", reason: "undeliverable", priority: .high)]),
        ]
        content.defaultActions = [.escalate(queue: "analysts", reason: "none", priority: .normal)]
        content.defaultLocation = at
        let (set, diagnostics) = RuleSetCompiler.compile([content], digest: "sha256:d")
        engine = DecisionEngine(ruleSet: try #require(set, "\(diagnostics)"))
        planner = DispatchPlanner(directory: recipients, ids: ids)
        self.settings = settings
    }

    var templates: NoticeTemplates {
        let texts = [
            "ntd-first":
                "Subject: [{{reference}}] Notice ({{url_count}} URLs)\n\nDear {{recipient.name}},\n{{#urls}}\n{{number}}. {{url}} ({{classification}})\n{{/urls}}\nRemove before {{deadline}}.\n",
            "ntd-reminder": "Subject: [{{reference}}] Reminder {{reminder}}\n\nStill online since {{first_sent}}:\n{{#urls}}\n- {{url}}\n{{/urls}}\n",
            "police-info": "Subject: [{{reference}}] For your information\n\nReason: {{reason}}\n{{#urls}}\n- {{url}}\n{{/urls}}\n",
        ]
        return NoticeTemplates(texts.map { NoticeTemplate.parse($0.value, name: $0.key, language: "en", file: "\($0.key).txt").0! })
    }

    func worker(transport: (any NoticeTransport)? = nil, lookup: Bool = false, settings other: DispatchSettings? = nil) -> DispatchWorker {
        DispatchWorker(
            store: store, engine: engine, planner: planner,
            renderer: NoticeRenderer(
                identity: HotlineIdentity(name: "Test Hotline", email: "notices@hotline.test", domain: "hotline.test"), templates: templates),
            transport: transport ?? self.transport, checker: checker, hostingLookup: lookup ? moved : nil, settings: other ?? settings, time: time, ids: ids,
            holds: store)
    }

    @discardableResult
    func ingest(_ lines: [String]) throws -> [IngestResult] {
        let pipeline = IngestPipeline(store: store, engine: engine, enrichers: [StubHosting(byHost: Self.hosting)], planner: planner, time: time, ids: ids)
        return try pipeline.ingest(lines.enumerated().map { IngestInput(IngestLine(number: $0.offset + 1, bytes: ArraySlice(Array($0.element.utf8)))) })
    }

    func advance(hours: Double) { time.advance(by: hours * 3600) }
}

@Suite struct DispatchWorkerTests {
    static let report =
        #"{"url": "https://files.example.com/a.jpg", "source": {"type": "crawler"}, "classification": "A1", "hashes": {"md5": "0123456789abcdef0123456789abcdef"}}"#

    @Test func reportsForOneHosterWithinTheWindowGoOutAsOneNoticeListingEveryURL() throws {
        let harness = try DispatchHarness()
        try harness.ingest([
            Self.report,
            // The same detection method as the first: a batch never mixes how material was found.
            #"{"url": "https://cdn.example.net/b.jpg", "source": {"type": "crawler"}, "classification": "A2"}"#,
            #"{"url": "https://other.example.org/c.jpg", "classification": "B1"}"#,
        ])
        let worker = harness.worker()
        // Nothing goes before the one-hour window of the first item has passed.
        #expect(try worker.runUntilIdle().noticesCreated == 0)
        harness.advance(hours: 1)
        let pass = try worker.runUntilIdle()
        #expect(pass.noticesCreated == 2)
        #expect(pass.delivered == 2)
        let notices = try harness.store.notices(status: .sent, limit: 10).sorted { $0.recipient.name < $1.recipient.name }
        #expect(
            notices.map { $0.items.map(\.subject.url) } == [
                ["https://files.example.com/a.jpg", "https://cdn.example.net/b.jpg"], ["https://other.example.org/c.jpg"],
            ])
        #expect(notices.map(\.recipient.addresses) == [["abuse@hoster-a.test"], ["abuse@hoster-b.test"]])
        #expect(notices[0].deadline == harness.time.now().addingTimeInterval(24 * 3600))
        let message = String(decoding: harness.transport.deliveredMessages.first { $0.destinations == ["abuse@hoster-a.test"] }!.payload, as: UTF8.self)
        #expect(message.contains("Subject: [\(notices[0].reference)] Notice (2 URLs)\r\n"))
        #expect(message.contains("1. https://files.example.com/a.jpg (A1)"))
        #expect(message.contains("2. https://cdn.example.net/b.jpg (A2)"))
        // One X-ARF attachment per URL.
        #expect(message.components(separatedBy: "Content-Type: application/json").count - 1 == 2)
    }

    @Test func anAnalystsDeadlineIsNeverMergedIntoAnAutomaticNoticesDeadline() throws {
        let harness = try DispatchHarness()
        let results = try harness.ingest([Self.report])
        guard case .decided(_, let caseID, _, _) = results[0].outcome else {
            Issue.record("not decided: \(results[0].outcome)")
            return
        }
        // Same hoster, template and detection method as the automatic item, but 48 hours.
        let analyst = AnalystDecision(engine: harness.engine, templateNames: ["ntd-first"], planner: harness.planner, time: harness.time, ids: harness.ids)
        _ = try analyst.decide(
            caseID: caseID, action: .notify(to: .hosting, template: "ntd-first", deadline: .hours(48), batchWindow: nil), reason: "assessed",
            classification: .A2, token: APIToken(id: "t1", role: .analyst, org: nil, label: nil, createdAt: harness.time.now()), store: harness.store)
        harness.advance(hours: 1)
        #expect(try harness.worker().runUntilIdle().noticesCreated == 2)
        let notices = try harness.store.notices(status: .sent, limit: 10)
        let now = harness.time.now()
        #expect(Set(notices.compactMap { $0.deadline.map { Int($0.timeIntervalSince(now).rounded()) } }) == [24 * 3600, 48 * 3600])
        #expect(Set(notices.flatMap { $0.items.map { $0.classification ?? "" } }) == ["A1", "A2"])
    }

    @Test func aTransientFailureIsRetriedWithGrowingDelaysAndTheSameMessage() throws {
        let harness = try DispatchHarness()
        try harness.ingest([Self.report])
        harness.advance(hours: 1)
        harness.transport.script([.failure(DeliveryError("451 try again", permanent: false)), .failure(DeliveryError("451 try again", permanent: false))])
        let worker = harness.worker()
        #expect(try worker.runUntilIdle().retried == 1)
        let pending = try #require(try harness.store.messages(status: .pending, limit: 1).first)
        let firstDelay = pending.nextAttemptAt.timeIntervalSince(harness.time.now())
        #expect(firstDelay >= 48 && firstDelay <= 72)
        harness.time.advance(by: firstDelay)
        #expect(try worker.runUntilIdle().retried == 1)
        let again = try #require(try harness.store.messages(status: .pending, limit: 1).first)
        let secondDelay = again.nextAttemptAt.timeIntervalSince(harness.time.now())
        #expect(secondDelay >= 96 && secondDelay <= 144)
        harness.time.advance(by: secondDelay)
        #expect(try worker.runUntilIdle().delivered == 1)
        let attempts = harness.transport.attemptedMessages
        #expect(attempts.count == 3)
        #expect(Set(attempts.map(\.payload)).count == 1)
        #expect(Set(attempts.map(\.id)).count == 1)
        #expect(try harness.store.messages(status: .delivered, limit: 5).first?.attempts == 3)
    }

    @Test func aPermanentRefusalFailsTheNoticeAndTheRulesSendItToPeople() throws {
        let harness = try DispatchHarness()
        try harness.ingest([Self.report])
        harness.advance(hours: 1)
        harness.transport.script([.failure(DeliveryError("550 5.1.1 mailbox unavailable", permanent: true))])
        let pass = try harness.worker().runUntilIdle()
        #expect(pass.failed == 1)
        let notice = try #require(try harness.store.notices(status: .failed, limit: 1).first)
        #expect(notice.escalatedTo == "analysts")
        #expect(notice.lastError == "550 5.1.1 mailbox unavailable")
        let event = try #require(try harness.store.events(noticeID: notice.id).last)
        #expect(event.event == "delivery.failed")
        #expect(event.rule == "undeliverable")
        #expect(event.detail.hasPrefix("notice refused: 550 5.1.1 mailbox unavailable; escalated to analysts: undeliverable"))
    }

    @Test func afterTheLastAttemptTheNoticeFails() throws {
        var settings = DispatchSettings()
        settings.retry.attempts = 3
        let harness = try DispatchHarness(settings: settings)
        try harness.ingest([Self.report])
        harness.advance(hours: 1)
        harness.transport.script(Array(repeating: .failure(DeliveryError("connection refused", permanent: false)), count: 5))
        let worker = harness.worker()
        var failed = 0
        for _ in 0..<5 {
            failed += try worker.runUntilIdle().failed
            harness.advance(hours: 1)
        }
        #expect(failed == 1)
        #expect(harness.transport.attemptedMessages.count == 3)
        #expect(try harness.store.notices(status: .failed, limit: 1).first?.escalatedTo == "analysts")
    }

    @Test func aWeekOfFollowUpRemindsAtTheDeadlineAndClosesWhenGoneTwiceInARow() throws {
        let harness = try DispatchHarness()
        let results = try harness.ingest([Self.report])
        guard case .decided(_, let caseID, _, _) = results[0].outcome else {
            Issue.record("not decided")
            return
        }
        let url = "https://files.example.com/a.jpg"
        // Online at 1h, 6h, 24h; gone after the reminder.
        harness.checker.script(
            url,
            [
                .online(digests: ["0123456789abcdef0123456789abcdef"], detail: "HTTP 200"), .online(digests: nil, detail: "HTTP 200"),
                .online(digests: nil, detail: "HTTP 200"), .gone("HTTP 404"),
            ])
        let worker = harness.worker()
        harness.advance(hours: 1)
        _ = try worker.runUntilIdle()
        var overdue = 0
        var removed = 0
        for _ in 0..<(7 * 24 * 2) {
            harness.advance(hours: 0.5)
            let pass = try worker.runUntilIdle()
            overdue += pass.overdue
            removed += pass.removed
        }
        #expect(overdue == 1)
        #expect(removed == 1)
        let notice = try #require(try harness.store.notices(status: .removed, limit: 1).first)
        #expect(notice.reminders == 1)
        #expect(notice.items[0].state == .removed)
        // Checks at 1h, 6h, 24h (online), 48h (gone), then 30 minutes later to confirm.
        #expect(harness.checker.checks(of: url) == 5)
        #expect(notice.items[0].removedAt == notice.sentAt!.addingTimeInterval(48 * 3600))
        let messages = harness.transport.deliveredMessages
        #expect(messages.map(\.purpose) == ["notice", "reminder"])
        let reminder = String(decoding: messages[1].payload, as: UTF8.self)
        #expect(reminder.contains("In-Reply-To: <\(messages[0].messageID!)>\r\n"))
        #expect(reminder.contains("Subject: [\(notice.reference)] Reminder 1\r\n"))
        #expect(
            try harness.store.events(noticeID: notice.id).map(\.event) == [
                "created", "delivered", "notice.overdue", "delivered", "checked", "checked", "notice.removed",
            ])
        #expect(harness.store.allCases.first { $0.id == caseID }?.status == .closed)
    }

    @Test func aFlakyServerDoesNotCloseACase() throws {
        let harness = try DispatchHarness()
        try harness.ingest([Self.report])
        let url = "https://files.example.com/a.jpg"
        harness.checker.script(
            url,
            [
                .gone("HTTP 404"), .inconclusive("HTTP 503"), .online(digests: nil, detail: "HTTP 200"), .gone("HTTP 404"),
                .online(digests: nil, detail: "HTTP 200"),
            ])
        let worker = harness.worker()
        harness.advance(hours: 1)
        _ = try worker.runUntilIdle()
        var removed = 0
        for _ in 0..<(3 * 24 * 2) {
            harness.advance(hours: 0.5)
            removed += try worker.runUntilIdle().removed
        }
        #expect(removed == 0)
        #expect(harness.checker.checks(of: url) >= 5)
        #expect(try harness.store.notices(status: nil, limit: 1).first?.items[0].state == .online)
    }

    @Test func otherContentUnderTheReportedURLProvesNothingAndAfterThreeChecksAPersonLooks() throws {
        let harness = try DispatchHarness()
        try harness.ingest([Self.report])
        harness.checker.script("https://files.example.com/a.jpg", [.online(digests: ["ffffffffffffffffffffffffffffffff"], detail: "HTTP 200")])
        let worker = harness.worker()
        harness.advance(hours: 1)
        _ = try worker.runUntilIdle()
        var removed = 0
        // Checks at 1 h, 6 h and 24 h after delivery: three in a row that prove nothing.
        for _ in 0..<26 {
            harness.advance(hours: 1)
            removed += try worker.runUntilIdle().removed
        }
        #expect(removed == 0)
        let notice = try #require(try harness.store.notices(status: nil, limit: 1).first)
        #expect(notice.items[0].state == .online)
        #expect(notice.items[0].lastCheck == "inconclusive: content changed (HTTP 200)")
        #expect(notice.items[0].consecutiveInconclusive == 3)
        #expect(notice.escalatedTo == "analysts")
        #expect(notice.escalationReason == "3 checks in a row proved nothing for https://files.example.com/a.jpg: inconclusive: content changed (HTTP 200)")
        #expect(try harness.store.escalationQueue(limit: 10).map(\.id) == [notice.id])
    }

    @Test func policeFirstHoldsTheHosterNoticeUntilReleased() throws {
        let harness = try DispatchHarness()
        let results = try harness.ingest([#"{"url": "https://files.example.com/a.jpg", "source": {"type": "partner"}, "classification": "A1"}"#])
        guard case .decided(_, let caseID, _, _) = results[0].outcome else {
            Issue.record("not decided")
            return
        }
        let worker = harness.worker()
        harness.advance(hours: 2)
        _ = try worker.runUntilIdle()
        #expect(harness.transport.deliveredMessages.map(\.destinations) == [["police@example.test"]])
        #expect(harness.store.allDispatchItems.filter { $0.status == .held }.count == 1)
        #expect(try harness.store.releaseHeldItems(caseID: caseID, at: harness.time.now(), actor: "test") == 1)
        _ = try worker.runUntilIdle()
        #expect(harness.transport.deliveredMessages.map(\.destinations) == [["police@example.test"], ["abuse@hoster-a.test"]])
        let police = String(decoding: harness.transport.deliveredMessages[0].payload, as: UTF8.self)
        #expect(police.contains("Reason: ongoing case"))
    }

    @Test func aURLThatMovedToAnotherHosterLeavesTheBatchAndIsDecidedAgain() throws {
        let harness = try DispatchHarness()
        try harness.ingest([Self.report, #"{"url": "https://cdn.example.net/b.jpg", "classification": "A2"}"#])
        harness.moved.move("cdn.example.net", to: "abuse@hoster-b.test", org: "Hoster B")
        harness.advance(hours: 1)
        let worker = harness.worker(lookup: true)
        let first = try worker.runOnce()
        #expect(first.itemsMoved == 1)
        #expect(first.noticesCreated == 1)
        let redecided = harness.store.allDecisions.filter { $0.trigger == "hosting.changed" }
        #expect(redecided.count == 1)
        #expect(redecided.first?.facts[.hostingAbuseEmail] == .string("abuse@hoster-b.test"))
        // The re-decided URL waits for its own window with the new hoster.
        harness.advance(hours: 1)
        _ = try worker.runUntilIdle()
        let byRecipient = try harness.store.notices(status: .sent, limit: 5).reduce(into: [String: [String]]()) {
            $0[$1.recipient.addresses[0]] = $1.items.map(\.subject.url)
        }
        #expect(byRecipient == ["abuse@hoster-a.test": ["https://files.example.com/a.jpg"], "abuse@hoster-b.test": ["https://cdn.example.net/b.jpg"]])
    }

    @Test func aTargetWithoutAnAddressFailsAtOnceAndGoesToPeople() throws {
        let harness = try DispatchHarness()
        try harness.ingest([#"{"url": "https://nowhere.example/x.jpg"}"#])
        let pass = try harness.worker().runUntilIdle()
        #expect(pass.noticesCreated == 1)
        let notice = try #require(try harness.store.notices(status: .failed, limit: 1).first)
        #expect(notice.lastError == "nobody to send to: no address for registrar")
        #expect(notice.escalatedTo == "analysts")
        #expect(harness.transport.attemptedMessages.isEmpty)
    }

    @Test func anAddressCarryingSMTPCommandsNeverReachesTheTransport() throws {
        let harness = try DispatchHarness()
        try harness.ingest([#"{"url": "https://injected.example/x.jpg", "classification": "A1"}"#])
        harness.advance(hours: 1)
        let pass = try harness.worker().runUntilIdle()
        #expect(pass.noticesCreated == 1)
        let notice = try #require(try harness.store.notices(status: .failed, limit: 1).first)
        #expect(
            notice.lastError
                == #"refused address "abuse@hoster-c.test>\r\nRCPT TO:<attacker@evil.test>\r\nBcc: attacker@evil.test" for "Hoster C": not a plain e-mail address"#
        )
        #expect(notice.escalatedTo == "analysts")
        #expect(harness.transport.attemptedMessages.isEmpty)
    }

    @Test func webhookNoticesCarryXARFForEveryURL() throws {
        let harness = try DispatchHarness(recipients: FixedRecipients(hostingChannel: .webhook, hostingEndpoint: "https://api.hoster-a.test/notices"))
        try harness.ingest([Self.report])
        harness.advance(hours: 1)
        _ = try harness.worker().runUntilIdle()
        let message = try #require(harness.transport.deliveredMessages.first)
        #expect(message.channel == .webhook)
        #expect(message.destinations == ["https://api.hoster-a.test/notices"])
        #expect(message.secretEnvironment == "TEST_SECRET")
        guard case .object(let body) = try JSONValue.parse(message.payload), case .array(let reports)? = body["reports"],
            case .object(let xarf)? = reports.first
        else {
            Issue.record("not a webhook body")
            return
        }
        #expect(xarf["category"] == .string("content"))
        #expect(xarf["type"] == .string("csam"))
        #expect(xarf["classification"] == .string("A1"))
        #expect(xarf["detection_method"] == .string("manual_review"))
        #expect(xarf["url"] == .string("https://files.example.com/a.jpg"))
        #expect(xarf["hash_values"] == .object(["md5": .string("0123456789abcdef0123456789abcdef")]))
        #expect(xarf["asn"] == .number(64500))
    }
}
