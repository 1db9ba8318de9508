import Foundation
import HotlineTesting
import Testing

@testable import HotlineCore

/// What a fake web serves: per URL, the evidence a fetch finds. Optionally holds every
/// fetch until released, to show what does not wait for it.
final class ScriptedEvidence: EvidenceGathering, @unchecked Sendable {
    private let lock = NSCondition()
    private var answers: [String: FetchEvidence] = [:]
    private var held = false
    private(set) var fetches: [String] = []
    private(set) var waiting = 0

    func serve(_ url: String, _ evidence: FetchEvidence) {
        lock.lock()
        answers[url] = evidence
        lock.unlock()
    }

    func hold() {
        lock.lock()
        held = true
        lock.unlock()
    }

    func release() {
        lock.lock()
        held = false
        lock.broadcast()
        lock.unlock()
    }

    /// Waits until `count` fetches are in progress.
    func waitForFetches(_ count: Int) {
        lock.lock()
        // A timed wait re-checks the count whether or not it was signalled.
        while waiting < count { _ = lock.wait(until: Date().addingTimeInterval(0.05)) }
        lock.unlock()
    }

    func gather(_ url: CanonicalURL) -> FetchEvidence {
        lock.lock()
        fetches.append(url.canonical)
        waiting += 1
        lock.broadcast()
        while held { lock.wait() }
        waiting -= 1
        let answer = answers[url.canonical] ?? FetchEvidence(status: .gone, httpStatus: 404, detail: "HTTP 404")
        lock.unlock()
        return answer
    }
}

/// A page at `url` showing one image with these digests and PDQ.
func pageWithImage(_ url: String, md5: String, pdq: PDQHash? = nil) -> FetchEvidence {
    let page = ObservedMedia(
        url: url, mediaType: "text/html", bytes: 900, md5: String(repeating: "a", count: 32), sha1: String(repeating: "b", count: 40),
        sha256: String(repeating: "c", count: 64))
    let image = ObservedMedia(
        url: url + "/i.jpg", mediaType: "image/jpeg", bytes: 40_000, md5: md5, sha1: String(repeating: "d", count: 40),
        sha256: String(repeating: "e", count: 64), pdq: pdq, quality: 90)
    return FetchEvidence(status: .ok, httpStatus: 200, mediaType: "text/html", bytes: 40_900, mediaFound: 1, media: [page, image])
}

struct EvidenceHarness {
    let store = InMemoryStore()
    let time = ManualTimeSource(Date(timeIntervalSince1970: 1_798_000_000))
    let web = ScriptedEvidence()
    let engine: DecisionEngine
    let planner = DispatchPlanner(directory: FixedRecipients())
    let policy = EvidencePolicy(enabled: true, concurrency: 4, perHost: 1, batchSize: 10, lease: 120, trustedSubmitters: [])

    /// The decision a hotline's rules take on evidence: notify known material, escalate a
    /// claim the fetch did not confirm, escalate the rest.
    init() throws {
        let at = SourceLocation(file: "e.yaml", line: 1, column: 1)
        func rule(_ name: String, _ condition: String, _ actions: [Action]) -> RuleDraft {
            RuleDraft(
                name: name, nameLocation: at, condition: ExpressionSource(text: condition, location: at), actions: actions, continues: false, location: at)
        }
        var content = RuleFileContent(file: "e.yaml")
        content.rules = [
            rule(
                "known", #"hash.match == "known" and hosting.abuse_email exists"#,
                [.notify(to: .hosting, template: "ntd-first", deadline: .hours(24), batchWindow: nil)]),
            rule(
                "claimed-not-observed", #"report.hashes.match == "known" and hash.match != "known""#,
                [.escalate(queue: "analysts", reason: "claim not observed", priority: .normal)]),
        ]
        content.defaultActions = [.escalate(queue: "analysts", reason: "none", priority: .normal)]
        content.defaultLocation = at
        let (set, diagnostics) = RuleSetCompiler.compile([content], digest: "sha256:e")
        engine = DecisionEngine(ruleSet: try #require(set, "\(diagnostics)"))
    }

    func pipeline(trusted: Bool = false) -> IngestPipeline<InMemoryStore> {
        IngestPipeline(
            store: store, engine: engine, hashMatcher: OneKnownMD5(), enrichers: [FixedHosting()], planner: planner, time: time, channel: "api", actor: "test",
            evidence: policy, claimsAreEvidence: trusted)
    }

    func stage(gatherer: (any EvidenceGathering)? = nil) -> EvidenceStage {
        EvidenceStage(
            store: store, gatherer: gatherer ?? web, engine: engine, hashMatcher: OneKnownMD5(), enrichers: [FixedHosting()], planner: planner, policy: policy,
            time: time)
    }

    func ingest(_ lines: [String], trusted: Bool = false) throws -> [IngestResult] {
        try pipeline(trusted: trusted).ingest(
            lines.enumerated().map { IngestInput(IngestLine(number: $0.offset + 1, bytes: ArraySlice(Array($0.element.utf8)))) })
    }
}

/// Every host is at one Dutch hoster.
struct FixedHosting: ReportEnricher {
    func enrich(_ report: Report, facts: inout Facts) {
        facts[.hostingAbuseEmail] = .string("abuse@hoster.test")
        facts[.hostingCountry] = .string("NL")
    }
}

@Suite struct EvidenceStageTests {
    static let listed = "0123456789abcdef0123456789abcdef"

    @Test func aURLOnlyReportIsStoredPendingAndDecidedOnWhatTheGatewayFoundThere() throws {
        let harness = try EvidenceHarness()
        harness.web.serve("https://site.example/page", pageWithImage("https://site.example/page", md5: Self.listed))
        harness.web.serve("https://other.example/page", pageWithImage("https://other.example/page", md5: String(repeating: "9", count: 32)))
        let results = try harness.ingest([#"{"url": "https://site.example/page"}"#, #"{"url": "https://other.example/page"}"#])
        #expect(results.allSatisfy { if case .pending(_, _, false) = $0.outcome { true } else { false } }, "\(results)")
        #expect(results[0].outcome.json["outcome"] == .string("pending"))
        #expect(harness.store.allDecisions.isEmpty, "nothing is decided before the evidence is in")
        #expect(try harness.store.evidenceBacklog() == 2)

        let pass = try harness.stage().runPass()
        #expect(pass.claimed == 2 && pass.decided == 2 && pass.conflicts == 0)
        #expect(pass.fetches == ["ok": 2] && pass.mediaHashed == 2)
        let decisions = harness.store.allDecisions
        #expect(decisions.map(\.verdict.rule) == ["known", "default"])
        #expect(decisions[0].facts[.hashMatch] == .string("known"))
        #expect(decisions[0].facts[.hashSource] == .string("observed"))
        #expect(decisions[0].facts[.hashQuality] == .number(90))
        #expect(decisions[0].facts[.fetchStatus] == .string("ok"))
        #expect(decisions[0].facts[.fetchMediaFound] == .number(1))
        #expect(decisions[1].facts[.hashMatch] == .string("none"))
        // The notice carries what was observed.
        #expect(harness.store.allDispatchItems.map(\.subject.hashes["md5"]) == [Self.listed])
        #expect(harness.store.allDispatchItems.map(\.detectionMethod) == ["hash_match"])
        #expect(try harness.store.evidenceBacklog() == 0)
        #expect(try harness.stage().runPass().claimed == 0, "decided once")
    }

    @Test func anExternalMatcherDecidesWhereTheListsFoundNothingAndNeverOverridesThem() throws {
        let harness = try EvidenceHarness()
        // The lists know nothing of this image; the external matcher does.
        var unknown = pageWithImage("https://unknown.example/page", md5: String(repeating: "5", count: 32))
        unknown.media[1].external = ExternalMatch(matcher: "photodna", answer: .match(classification: "A1", score: 0.97, source: "Test"))
        harness.web.serve("https://unknown.example/page", unknown)
        // Listed: the lists decide, whatever the matcher said.
        var listed = pageWithImage("https://listed.example/page", md5: Self.listed)
        listed.media[1].external = ExternalMatch(matcher: "photodna", answer: .match(classification: "B2", score: 0.5, source: "Test"))
        harness.web.serve("https://listed.example/page", listed)
        // Unavailable is no evidence at all.
        var down = pageWithImage("https://down.example/page", md5: String(repeating: "6", count: 32))
        down.media[1].external = ExternalMatch(matcher: "photodna", answer: .unavailable("photodna: HTTP 503"))
        harness.web.serve("https://down.example/page", down)
        _ = try harness.ingest([
            #"{"url": "https://unknown.example/page"}"#, #"{"url": "https://listed.example/page"}"#, #"{"url": "https://down.example/page"}"#,
        ])
        _ = try harness.stage().runUntilIdle()
        let decisions = Dictionary(harness.store.allDecisions.map { ($0.facts[.reportURL], $0) }, uniquingKeysWith: { first, _ in first })
        let external = try #require(decisions[.string("https://unknown.example/page")])
        #expect(external.facts[.hashMatch] == .string("known") && external.facts[.hashSource] == .string("external"))
        #expect(external.facts[.hashList] == .string("photodna") && external.facts[.hashClassification] == .string("A1"))
        #expect(external.facts[.hashScore] == .number(0.97))
        #expect(external.verdict.rule == "known")
        let own = try #require(decisions[.string("https://listed.example/page")])
        #expect(own.facts[.hashSource] == .string("observed") && own.facts[.hashScore] == nil)
        let unavailable = try #require(decisions[.string("https://down.example/page")])
        #expect(unavailable.facts[.hashMatch] == .string("none") && unavailable.verdict.rule == "default")
    }

    @Test func aListedHashBesideUnrelatedContentIsNotAutomated() throws {
        let harness = try EvidenceHarness()
        harness.web.serve("https://innocent.example/page", pageWithImage("https://innocent.example/page", md5: String(repeating: "7", count: 32)))
        _ = try harness.ingest([#"{"url": "https://innocent.example/page", "hashes": {"md5": "\#(Self.listed)"}}"#])
        _ = try harness.stage().runUntilIdle()
        let decision = try #require(harness.store.allDecisions.first)
        #expect(decision.verdict.rule == "claimed-not-observed")
        #expect(decision.facts[.reportHashesMatch] == .string("known"))
        #expect(decision.facts[.hashMatch] == .string("none"))
        #expect(harness.store.allDispatchItems.isEmpty, "no notice on a claim")
    }

    @Test func aTrustedSubmittersHashDecidesWhenTheFetchShowsNothing() throws {
        let harness = try EvidenceHarness()
        _ = try harness.ingest([#"{"url": "https://gone.example/x.jpg", "hashes": {"md5": "\#(Self.listed)"}}"#], trusted: true)
        _ = try harness.stage().runUntilIdle()
        let decision = try #require(harness.store.allDecisions.first)
        #expect(decision.verdict.rule == "known")
        #expect(decision.facts[.hashSource] == .string("reported"))
        #expect(decision.facts[.fetchStatus] == .string("gone"))
    }

    @Test func intakeNeverWaitsForAnotherReportsFetch() throws {
        let harness = try EvidenceHarness()
        _ = try harness.ingest([#"{"url": "https://slow.example/a"}"#])
        harness.web.hold()
        let done = DispatchSemaphore(value: 0)
        let stage = harness.stage()
        Thread.detachNewThread {
            _ = try? stage.runPass()
            done.signal()
        }
        harness.web.waitForFetches(1)
        // The fetch hangs; another reporter's report is stored and answered all the same.
        let answered = try harness.ingest([#"{"id": "b-1", "url": "https://quick.example/b"}"#])
        guard case .pending = answered[0].outcome else {
            Issue.record("\(answered)")
            return
        }
        #expect(harness.web.fetches == ["https://slow.example/a"], "intake fetched nothing itself")
        harness.web.release()
        done.wait()
        #expect(harness.store.allDecisions.count == 1)
    }

    @Test func eachWriteOfAPassWaitsForTheForegroundFirst() throws {
        let harness = try EvidenceHarness()
        _ = try harness.ingest([#"{"url": "https://site.example/a"}"#, #"{"url": "https://site.example/b"}"#])
        let (web, store) = (harness.web, harness.store)
        let foreground = RecordingForeground { "fetched \(web.fetches.count), decided \(store.allDecisions.count)" }
        var stage = harness.stage()
        stage.foreground = foreground
        #expect(try stage.runPass().decided == 2)
        // Before the claim, and again before the decisions' transaction, after the fetches.
        #expect(foreground.waits == ["fetched 0, decided 0, limit 0.05", "fetched 2, decided 0, limit 0.05"])
        // A pass that finds nothing to claim waits once, before its claim.
        #expect(try stage.runPass().claimed == 0)
        #expect(foreground.waits.count == 3)
    }

    @Test func stoppingDecidesTheFetchesInFlightAndGivesTheOtherClaimsBack() throws {
        let harness = try EvidenceHarness()
        // Ten reports, four fetched at once: the four in flight when the stop comes are decided.
        _ = try harness.ingest((0..<10).map { #"{"url": "https://h\#($0).example/a"}"# })
        harness.web.hold()
        let stop = StopRequest()
        let stage = harness.stage()
        let finished = Finished<EvidencePass>()
        Thread.detachNewThread { finished.set(try? stage.runPass(stop: stop)) }
        harness.web.waitForFetches(4)
        stop.request()
        harness.web.release()
        let pass = try #require(finished.wait())
        #expect(pass.claimed == 10 && pass.decided == 4 && pass.released == 6, "\(pass)")
        #expect(harness.store.allDecisions.count == 4)
        // Given back, not left to the lease: the next pass takes them without waiting for it.
        let next = try harness.stage().runUntilIdle()
        #expect(next.decided == 6)
        #expect(Set(harness.store.allDecisions.map(\.reportID)).count == 10)
    }

    @Test func aCrashMidFetchIsTakenUpAfterTheLeaseAndEveryReportIsDecidedOnce() throws {
        let harness = try EvidenceHarness()
        _ = try harness.ingest((0..<6).map { #"{"url": "https://crash.example/\#($0)"}"# })
        // An instance claims them and dies before deciding (its claim stays, unfinished).
        let claimed = try harness.store.claimEvidenceTasks(at: harness.time.now(), limit: 3, leaseUntil: harness.time.now().addingTimeInterval(120))
        #expect(claimed.count == 3)
        // Another instance decides the rest at once, and the crashed ones once the lease lapsed.
        #expect(try harness.stage().runUntilIdle().decided == 3)
        harness.time.advance(by: 121)
        let resumed = try harness.stage().runUntilIdle()
        #expect(resumed.decided == 3 && resumed.claimed == 3)
        #expect(Set(harness.store.allDecisions.map(\.reportID)).count == 6)
        #expect(harness.store.allDecisions.count == 6)
    }

    @Test func twoInstancesAtOnceDecideEachReportOnce() throws {
        let harness = try EvidenceHarness()
        _ = try harness.ingest((0..<40).map { #"{"url": "https://many.example/\#($0)"}"# })
        let group = DispatchGroup()
        let passes = Locked<[EvidencePass]>([])
        for _ in 0..<2 {
            group.enter()
            let stage = harness.stage()
            Thread.detachNewThread {
                if let pass = try? stage.runUntilIdle() { passes.mutate { $0.append(pass) } }
                group.leave()
            }
        }
        group.wait()
        #expect(passes.value.map(\.decided).reduce(0, +) == 40)
        #expect(harness.store.allDecisions.count == 40)
        #expect(Set(harness.store.allDecisions.map(\.reportID)).count == 40)
    }

    @Test func aReportAnInstanceDecidedFirstIsSkippedNotDecidedAgain() throws {
        let harness = try EvidenceHarness()
        _ = try harness.ingest([#"{"url": "https://race.example/a"}"#])
        let task = try #require(try harness.store.claimEvidenceTasks(at: harness.time.now(), limit: 1, leaseUntil: harness.time.now()).first)
        // The lease lapsed at once; another instance decides it...
        #expect(try harness.stage().runPass().decided == 1)
        // ...and the first one's late write finds it done.
        #expect(try harness.store.write { try $0.completeEvidence(reportID: task.reportID, at: harness.time.now()) } == false)
        #expect(harness.store.allDecisions.count == 1)
    }

    @Test func fetchingOnlyTheSourcesAndChannelsTheConfigNames() throws {
        var policy = EvidencePolicy(enabled: true, sources: [.public], channels: ["api"])
        #expect(policy.fetches(.public, channel: "api"))
        #expect(!policy.fetches(.crawler, channel: "api"))
        #expect(!policy.fetches(.public, channel: "mail"))
        policy.enabled = false
        #expect(!policy.fetches(.public, channel: "api"))
    }
}

/// A value one thread hands to another.
final class Finished<Value: Sendable>: @unchecked Sendable {
    private let condition = NSCondition()
    private var value: Value?
    private var done = false

    func set(_ value: Value?) {
        condition.lock()
        self.value = value
        done = true
        condition.broadcast()
        condition.unlock()
    }

    func wait() -> Value? {
        condition.lock()
        defer { condition.unlock() }
        while !done { condition.wait() }
        return value
    }
}
