import Foundation
import HotlineTesting
import Testing

@testable import HotlineCore

/// Verdicts under four eyes, taking cases, standing holds and quiet days, on the in-memory store.
@Suite struct WorkbenchTests {
    static let unknownMD5 = String(repeating: "7", count: 32)
    static func analyst(_ id: String) -> APIToken { APIToken(id: id, role: .analyst, org: nil, label: nil, createdAt: Date(timeIntervalSince1970: 0)) }

    /// A case escalated on what the gateway hashed at the URL, and the decider.
    func escalatedCase(_ harness: EvidenceHarness, url: String = "https://site.example/page", pdqQuality: Int = 90) throws -> (String, AnalystDecision) {
        var evidence = pageWithImage(url, md5: Self.unknownMD5, pdq: PDQHash(hex: String(repeating: "ab", count: 32)))
        evidence.media[1].quality = pdqQuality
        harness.web.serve(url, evidence)
        let results = try harness.ingest([#"{"url": "\#(url)"}"#])
        guard case .pending(_, let caseID, _) = results[0].outcome else { throw CaseNotPending() }
        _ = try harness.stage().runUntilIdle()
        let decider = AnalystDecision(
            engine: harness.engine, templateNames: ["ntd-assessed", "ntd-first"], planner: harness.planner, time: harness.time)
        return (caseID, decider)
    }

    struct CaseNotPending: Error {}

    @Test func aClassifiedDecisionRemembersWhatTheGatewayObservedAndASecondAnalystMustConfirmIt() throws {
        let harness = try EvidenceHarness()
        let (caseID, decider) = try escalatedCase(harness)
        // The page's own HTML is not content; the image's three digests and its PDQ are.
        let observed = try harness.store.observedHashes(caseID: caseID)
        #expect(observed.map(\.algorithm) == [.md5, .sha1, .sha256, .pdq])
        #expect(observed.first?.value == Self.unknownMD5)
        let (_, verdict) = try decider.decide(
            caseID: caseID, action: .notify(to: .hosting, template: "ntd-assessed", deadline: .hours(24), batchWindow: nil), reason: "assessed",
            classification: .A1, token: Self.analyst("first"), store: harness.store)
        let pending = try #require(verdict)
        #expect(pending.status == .pending)
        #expect(pending.hashes.count == 4)
        #expect(try harness.store.verdicts(status: .pending, caseID: nil, limit: 10).map(\.id) == [pending.id])
        // Nothing matches yet: pending verdicts are not on any list.
        var entries: [ActiveHashEntry] = []
        try harness.store.forEachActiveEntry { entries.append($0) }
        #expect(entries.isEmpty)

        let review = VerdictReview(time: harness.time)
        #expect(throws: VerdictReviewError.self) {
            try review.review(id: pending.id, confirm: true, reason: nil, token: Self.analyst("first"), store: harness.store)
        }
        #expect(throws: VerdictReviewError.self) {
            try review.review(id: pending.id, confirm: false, reason: " ", token: Self.analyst("second"), store: harness.store)
        }
        let generation = try harness.store.hashListGeneration()
        let confirmed = try review.review(id: pending.id, confirm: true, reason: nil, token: Self.analyst("second"), store: harness.store)
        #expect(confirmed.status == .confirmed && confirmed.reviewedBy == "second")
        #expect(try harness.store.hashListGeneration() == generation + 1)
        try harness.store.forEachActiveEntry { entries.append($0) }
        #expect(Set(entries.map(\.list)) == ["assessed"])
        #expect(entries.allSatisfy { $0.classification == .A1 })
        #expect(Set(entries.map(\.algorithm)) == [.md5, .sha1, .sha256, .pdq])
        // Once reviewed, it cannot be reviewed again.
        #expect(throws: VerdictReviewError.self) {
            try review.review(id: pending.id, confirm: false, reason: "no", token: Self.analyst("third"), store: harness.store)
        }
        let events = harness.store.auditLog.map(\.event)
        #expect(events.contains("verdict.pending") && events.contains("verdict.confirmed"))
    }

    @Test func aLowQualityPDQIsNotRememberedAndNotIllegalMaterialIsClosedAndAllowListed() throws {
        let harness = try EvidenceHarness()
        let (caseID, decider) = try escalatedCase(harness, pdqQuality: 20)
        #expect(throws: AnalystDecisionError.self) {
            try decider.decide(
                caseID: caseID, action: .notify(to: .hosting, template: "ntd-assessed", deadline: .hours(24), batchWindow: nil), reason: "x",
                classification: .notIllegal, token: Self.analyst("first"), store: harness.store)
        }
        let (_, verdict) = try decider.decide(
            caseID: caseID, action: .close(reason: "an adult"), reason: "an adult", classification: .notIllegal, token: Self.analyst("first"),
            store: harness.store)
        let pending = try #require(verdict)
        #expect(pending.hashes.map(\.algorithm) == [.md5, .sha1, .sha256], "PDQ of quality 20 matches too loosely to remember")
        _ = try VerdictReview(time: harness.time).review(id: pending.id, confirm: true, reason: nil, token: Self.analyst("second"), store: harness.store)
        #expect(Set(try harness.store.allowedHashes().map(\.value)) == Set(pending.hashes.map(\.value)))
        var entries: [ActiveHashEntry] = []
        try harness.store.forEachActiveEntry { entries.append($0) }
        #expect(entries.isEmpty, "a false positive is never listed as known")
    }

    @Test func aCaseTakenByOneAnalystCannotBeDecidedByAnother() throws {
        let harness = try EvidenceHarness()
        let (caseID, decider) = try escalatedCase(harness)
        let now = harness.time.now()
        let taken = try harness.store.takeCase(
            CaseTake(caseID: caseID, tokenID: "first", actor: "token:first", takenAt: now, until: now.addingTimeInterval(1800)))
        #expect(taken.tokenID == "first")
        #expect(
            try harness.store.takeCase(CaseTake(caseID: caseID, tokenID: "second", actor: "token:second", takenAt: now, until: now.addingTimeInterval(1800)))
                .tokenID == "first")
        #expect(throws: AnalystDecisionError.self) {
            try decider.decide(
                caseID: caseID, action: .close(reason: "x"), reason: "x", classification: nil, token: Self.analyst("second"), store: harness.store)
        }
        // The take lapses by itself.
        harness.time.advance(by: 1801)
        #expect(
            try harness.store.takeCase(
                CaseTake(
                    caseID: caseID, tokenID: "second", actor: "token:second", takenAt: harness.time.now(), until: harness.time.now().addingTimeInterval(1800))
            ).tokenID == "second")
        _ = try decider.decide(
            caseID: caseID, action: .close(reason: "x"), reason: "x", classification: nil, token: Self.analyst("second"), store: harness.store)
        #expect(try harness.store.caseTake(caseID: caseID, at: harness.time.now()) == nil, "deciding gives the case back")
    }

    @Test func holdValuesAreCheckedForTheirScope() {
        #expect((try? StandingHold.normalize("Example.COM.", scope: .domain).get()) == "example.com")
        #expect((try? StandingHold.normalize("exa mple.com", scope: .domain).get()) == nil)
        #expect((try? StandingHold.normalize("198.51.100.0/24", scope: .network).get()) == "198.51.100.0/24")
        #expect((try? StandingHold.normalize("198.51.100.1/24", scope: .network).get()) == nil)
        #expect((try? StandingHold.normalize("a b", scope: .case).get()) == nil)
        let hold = StandingHold(
            id: "h", scope: .domain, value: "example.com", reason: "r", police: false, createdBy: "t", createdAt: Date(timeIntervalSince1970: 0),
            until: Date(timeIntervalSince1970: 100))
        #expect(hold.covers(host: "files.example.com", ip: nil, contactID: nil, caseID: nil))
        #expect(!hold.covers(host: "notexample.com", ip: nil, contactID: nil, caseID: nil))
        let network = StandingHold(
            id: "n", scope: .network, value: "2001:db8::/32", reason: "r", police: false, createdBy: "t", createdAt: Date(timeIntervalSince1970: 0),
            until: Date(timeIntervalSince1970: 100))
        #expect(network.covers(host: "x.test", ip: "2001:db8::1", contactID: nil, caseID: nil))
        #expect(!network.covers(host: "x.test", ip: "198.51.100.1", contactID: nil, caseID: nil))
    }

    @Test func heldItemsWaitAndGoOutOnceWhenTheHoldEndsWhateverTheNumberOfWorkers() throws {
        let harness = try DispatchHarness()
        let desk = HoldDesk(store: harness.store, time: harness.time)
        #expect(throws: HoldValueError.self) { try desk.place(scope: .domain, value: "example.com", until: "-1h", reason: "x", police: false, actor: "t") }
        let hold = try desk.place(scope: .domain, value: "example.com", until: "6h", reason: "police investigation", police: true, actor: "token:a")
        // The rules see the hold.
        let enricher = HoldEnricher(store: harness.store, time: harness.time)
        var facts = Facts()
        facts[.hostingIP] = .ip(IPAddress("198.51.100.7")!)
        let report = Report(
            id: "r", url: try URLCanonicalizer.canonicalize("https://files.example.com/a.jpg"), receivedAt: harness.time.now(),
            source: ReportSource(kind: .public))
        enricher.enrich(report, facts: &facts)
        #expect(facts[.holdActive] == .bool(true) && facts[.holdPolice] == .bool(true) && facts[.holdID] == .string(hold.id))
        #expect(facts[.holdRemaining] == .duration(.hours(6)))

        try harness.ingest([DispatchWorkerTests.report, #"{"url": "https://other.example.org/c.jpg", "classification": "B1"}"#])
        harness.advance(hours: 1)
        let workers = [harness.worker(), harness.worker()]
        let first = try workers[0].runUntilIdle()
        #expect(first.noticesCreated == 1, "the other hoster is not held")
        #expect(first.onHold == 1)
        harness.advance(hours: 4)
        #expect(try workers[1].runUntilIdle().noticesCreated == 0)
        harness.advance(hours: 1.5)
        let passes = try workers.map { try $0.runUntilIdle() }
        #expect(passes.map(\.holdsEnded).reduce(0, +) == 1, "ended once")
        #expect(passes.map(\.noticesCreated).reduce(0, +) == 1, "released once")
        #expect(try harness.store.notices(status: nil, limit: 10).count == 2)
        #expect(harness.store.auditLog.filter { $0.event == "hold.ended" }.count == 1)
        #expect(harness.store.auditLog.filter { $0.event == "hold.placed" }.count == 1)
        #expect(try desk.release(id: hold.id, actor: "t") == false, "an ended hold cannot end again")
    }

    @Test func deadlinesAndRemindersStayOffQuietDays() throws {
        // 1_798_000_000 is 2026-12-23T04:26:40Z; the deadline 24 h after the notice falls on the 24th.
        var settings = DispatchSettings()
        settings.quietDays = QuietDays(["2026-12-24", "2026-12-25"])
        let harness = try DispatchHarness(settings: settings)
        try harness.ingest([DispatchWorkerTests.report])
        harness.advance(hours: 1)
        #expect(try harness.worker().runUntilIdle().noticesCreated == 1)
        let notice = try #require(try harness.store.notices(status: nil, limit: 1).first)
        #expect(notice.deadline.map { RFC3339.format($0) } == "2026-12-26T05:26:40Z")
        #expect(QuietDays.day("2026-02-29") == nil && QuietDays.day("2028-02-29") == "2028-02-29" && QuietDays.day("2026-12-5") == nil)
    }

    @Test func aReminderDueOnADayMadeQuietLaterWaitsForTheNextWorkingDay() throws {
        let harness = try DispatchHarness()
        try harness.ingest([DispatchWorkerTests.report])
        harness.advance(hours: 1)
        #expect(try harness.worker().runUntilIdle().noticesCreated == 1)
        let notice = try #require(try harness.store.notices(status: nil, limit: 1).first)
        #expect(notice.deadline.map { RFC3339.format($0) } == "2026-12-24T05:26:40Z")
        var quiet = DispatchSettings()
        quiet.quietDays = QuietDays(["2026-12-24"])
        harness.time.advance(by: 25 * 3600)
        #expect(try harness.worker(settings: quiet).runUntilIdle().overdue == 0, "no reminder on a quiet day")
        harness.time.advance(by: 19 * 3600)
        #expect(try harness.worker(settings: quiet).runUntilIdle().overdue == 1, "the next working day")
    }
}
