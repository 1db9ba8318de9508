import Foundation
import HotlineCore
import Testing

@testable import HotlineStore

/// Verdicts, case takes, holds and sessions' idle time on every backend.
@Suite struct WorkbenchStoreTests {
    static let at = Date(timeIntervalSince1970: 1_798_000_000)

    func verdict(_ classification: AssessedClassification, id: String, hashes: [ObservedHash]) -> HashVerdict {
        HashVerdict(
            id: id, caseID: "c1", decisionID: "d1", classification: classification, hashes: hashes, decidedBy: "t1", decidedActor: "token:t1(analyst)",
            createdAt: Self.at)
    }

    @Test(arguments: Backend.available) func aConfirmedVerdictListsItsHashesOnceAndANotIllegalOneAllowsThem(_ backend: Backend) throws {
        try backend.run(verdicts, verdicts)
    }

    func verdicts<S: SQLStore & GatewayStorage>(_ open: () throws -> S) throws {
        let store = try open()
        let md5 = ObservedHash(algorithm: .md5, value: String(repeating: "1", count: 32), reportID: "r1", mediaURL: "https://site.example/i.jpg")
        let pdq = ObservedHash(algorithm: .pdq, value: String(repeating: "ab", count: 32), quality: 88, reportID: "r1")
        try store.write { transaction in
            try transaction.addObservedHashes([md5, pdq], caseID: "c1", at: Self.at)
            try transaction.addObservedHashes([md5], caseID: "c1", at: Self.at)
            try transaction.insertVerdict(verdict(.A2, id: "v1", hashes: [md5, pdq]))
            try transaction.insertVerdict(
                verdict(.notIllegal, id: "v2", hashes: [ObservedHash(algorithm: .sha1, value: String(repeating: "2", count: 40), reportID: "r1")]))
        }
        #expect(try store.observedHashes(caseID: "c1") == [md5, pdq])
        #expect(try store.verdicts(status: .pending, caseID: nil, limit: 10).map(\.id) == ["v1", "v2"])
        #expect(try store.verdict(id: "v1")?.hashes == [md5, pdq])
        let before = try store.hashListGeneration()
        var confirmed = try #require(try store.verdict(id: "v1"))
        confirmed.status = .confirmed
        confirmed.reviewedBy = "t2"
        confirmed.reviewedActor = "token:t2(analyst)"
        confirmed.reviewedAt = Self.at.addingTimeInterval(60)
        let audit = AuditEntry(at: Self.at, actor: "token:t2(analyst)", event: "verdict.confirmed", subject: "v1")
        #expect(try store.reviewVerdict(confirmed, audit: audit))
        #expect(try store.reviewVerdict(confirmed, audit: audit) == false, "reviewed once")
        #expect(try store.hashListGeneration() == before + 1)
        var active: [String] = []
        try store.forEachActiveEntry { active.append("\($0.list) \($0.algorithm.rawValue) \($0.classification.rawValue)") }
        #expect(active.sorted() == ["assessed md5 A2", "assessed pdq A2"])
        #expect(try store.list(named: "assessed")?.source == "the hotline's analysts, four eyes")
        var allowed = try #require(try store.verdict(id: "v2"))
        allowed.status = .confirmed
        allowed.reviewedBy = "t3"
        #expect(try store.reviewVerdict(allowed, audit: AuditEntry(at: Self.at, actor: "t3", event: "verdict.confirmed", subject: "v2")))
        #expect(try store.allowedHashes().map(\.value) == [String(repeating: "2", count: 40)])
        #expect(try store.verdicts(status: .confirmed, caseID: "c1", limit: 10).count == 2)
        #expect(try store.verifyAuditLog().problems.isEmpty)
    }

    @Test(arguments: Backend.available) func oneAnalystAtATimeTakesACaseAndAHoldEndsOnce(_ backend: Backend) throws {
        try backend.run(takesAndHolds, takesAndHolds)
    }

    func takesAndHolds<S: SQLStore & GatewayStorage>(_ open: () throws -> S) throws {
        let store = try open()
        let first = CaseTake(caseID: "c1", tokenID: "t1", actor: "a1", takenAt: Self.at, until: Self.at.addingTimeInterval(1800))
        #expect(try store.takeCase(first).tokenID == "t1")
        let second = CaseTake(caseID: "c1", tokenID: "t2", actor: "a2", takenAt: Self.at.addingTimeInterval(60), until: Self.at.addingTimeInterval(1860))
        #expect(try store.takeCase(second).tokenID == "t1", "taken by someone else")
        #expect(try store.caseTakes(at: Self.at.addingTimeInterval(61)).keys.sorted() == ["c1"])
        let lapsed = CaseTake(caseID: "c1", tokenID: "t2", actor: "a2", takenAt: Self.at.addingTimeInterval(1801), until: Self.at.addingTimeInterval(3601))
        #expect(try store.takeCase(lapsed).tokenID == "t2", "a lapsed take can be taken over")
        try store.releaseCase(caseID: "c1", tokenID: "t1")
        #expect(try store.caseTake(caseID: "c1", at: Self.at.addingTimeInterval(1802))?.tokenID == "t2", "only its holder gives a case back")
        try store.releaseCase(caseID: "c1", tokenID: "t2")
        #expect(try store.caseTake(caseID: "c1", at: Self.at.addingTimeInterval(1802)) == nil)

        let hold = StandingHold(
            id: "h1", scope: .network, value: "198.51.100.0/24", reason: "investigation", police: true, createdBy: "a1", createdAt: Self.at,
            until: Self.at.addingTimeInterval(3600))
        try store.insertHold(hold, audit: AuditEntry(at: Self.at, actor: "a1", event: "hold.placed", subject: "h1"))
        #expect(try store.openHolds() == [hold])
        let end = AuditEntry(at: Self.at, actor: "a1", event: "hold.ended", subject: "h1")
        #expect(try store.endHold(id: "h1", at: Self.at.addingTimeInterval(10), by: "a1", audit: end))
        #expect(try store.endHold(id: "h1", at: Self.at.addingTimeInterval(20), by: "a2", audit: end) == false)
        #expect(try store.openHolds().isEmpty)
        #expect(try store.holds(limit: 10).first?.endedBy == "a1")

        try store.insertSession(DashboardSession(tokenID: "t1", csrf: "c", createdAt: Self.at, expiresAt: Self.at.addingTimeInterval(8 * 3600)), idHash: "s1")
        #expect(try store.session(idHash: "s1")?.isLive(at: Self.at.addingTimeInterval(1900), idle: 1800) == false)
        try store.touchSession(idHash: "s1", at: Self.at.addingTimeInterval(1000))
        #expect(try store.session(idHash: "s1")?.isLive(at: Self.at.addingTimeInterval(1900), idle: 1800) == true)
    }
}

/// Disputes on every backend.
@Suite struct DisputeStoreTests {
    @Test(arguments: Backend.available) func anAcceptedDisputeAllowListsItsHashesOnce(_ backend: Backend) throws {
        try backend.run(disputes, disputes)
    }

    func disputes<S: SQLStore & GatewayStorage>(_ open: () throws -> S) throws {
        let store = try open()
        let at = WorkbenchStoreTests.at
        let hash = HashListEntry(algorithm: .sha256, value: String(repeating: "5", count: 64))
        let dispute = Dispute(
            id: "d1", org: "hoster-a", tokenID: "t-provider", hashes: [hash], noticeID: nil, lists: ["nl-police", "police"], reason: "our logo",
            evidence: "since 2019", createdAt: at)
        try store.insertDispute(dispute, audit: AuditEntry(at: at, actor: "p", event: "dispute.filed", subject: "d1"))
        #expect(try store.dispute(id: "d1") == dispute)
        #expect(try store.disputes(org: "hoster-b", status: nil, limit: 10).isEmpty)
        #expect(try store.disputes(org: "hoster-a", status: .open, limit: 10).map(\.id) == ["d1"])
        #expect(try store.escalationQueue(limit: 10).map(\.kind) == ["dispute"])
        #expect(try store.queueDepth() == 1)
        var accepted = dispute
        accepted.status = .accepted
        accepted.decidedBy = "token:t-analyst"
        accepted.decidedAt = at.addingTimeInterval(60)
        accepted.decisionReason = "checked"
        let generation = try store.hashListGeneration()
        #expect(try store.decideDispute(accepted, audit: AuditEntry(at: at, actor: "a", event: "dispute.accepted", subject: "d1")))
        #expect(try store.decideDispute(accepted, audit: AuditEntry(at: at, actor: "a", event: "dispute.accepted", subject: "d1")) == false)
        #expect(try store.allowedHashes().map(\.value) == [hash.value])
        #expect(try store.hashListGeneration() == generation + 1)
        #expect(try store.queueDepth() == 0)
        #expect(try store.dispute(id: "d1")?.status == .accepted)
    }
}

/// Contact changes and confirmations on every backend.
@Suite struct ContactChangeStoreTests {
    @Test(arguments: Backend.available) func anApprovedChangeCountsAndAReminderIsMarkedOncePerConfirmation(_ backend: Backend) throws {
        try backend.run(contacts, contacts)
    }

    func contacts<S: SQLStore & GatewayStorage>(_ open: () throws -> S) throws {
        let store = try open()
        let at = WorkbenchStoreTests.at
        let change = ContactChange(id: "c1", org: "hoster-a", tokenID: "t", abuse: ["noc@hoster-a.test"], webhook: nil, language: "nl", createdAt: at)
        try store.insertContactChange(change, audit: AuditEntry(at: at, actor: "p", event: "contact.change_requested", subject: "c1"))
        #expect(try store.contactChanges(org: "hoster-a", status: .pending, limit: 10) == [change])
        var approved = change
        approved.status = .approved
        approved.decidedBy = "admin"
        approved.decidedAt = at.addingTimeInterval(60)
        let generation = try store.contactGeneration()
        #expect(try store.decideContactChange(approved, audit: AuditEntry(at: at, actor: "a", event: "contact.change_approved", subject: "c1")))
        #expect(try store.decideContactChange(approved, audit: AuditEntry(at: at, actor: "a", event: "contact.change_approved", subject: "c1")) == false)
        #expect(try store.contactGeneration() == generation + 1)
        #expect(try store.contactConfirmations()["hoster-a"]?.confirmedAt == approved.decidedAt, "an approval confirms")
        let confirmed = try #require(approved.decidedAt)
        #expect(try store.markContactReminded(org: "hoster-a", since: confirmed, at: confirmed.addingTimeInterval(91 * 86_400)))
        #expect(try store.markContactReminded(org: "hoster-a", since: confirmed, at: confirmed.addingTimeInterval(92 * 86_400)) == false)
        try store.confirmContact(org: "hoster-a", at: confirmed.addingTimeInterval(100 * 86_400))
        let again = confirmed.addingTimeInterval(100 * 86_400)
        #expect(try store.markContactReminded(org: "hoster-a", since: again, at: again.addingTimeInterval(91 * 86_400)))
        #expect(try store.markContactReminded(org: "new-org", since: at, at: at.addingTimeInterval(1)), "an organisation never seen before")
    }
}
