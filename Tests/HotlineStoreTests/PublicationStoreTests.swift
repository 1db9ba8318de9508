import Foundation
import HotlineCore
import Testing

@testable import HotlineStore

/// Explanations, publications, AS relationships and the forwards in the monitor's rows, on
/// every backend.
@Suite struct PublicationStoreTests {
    static let at = Date(timeIntervalSince1970: 1_798_000_000)

    func audit(_ event: String) -> AuditEntry { AuditEntry(at: Self.at, actor: "test", event: event) }

    @Test(arguments: Backend.available) func explanationsAreDecidedOnceAndEditionsPublishedOnce(_ backend: Backend) throws {
        try backend.run(explanations, explanations)
    }

    func explanations<S: SQLStore & GatewayStorage>(_ open: () throws -> S) throws {
        let store = try open()
        let explanation = HosterExplanation(
            id: "e1", org: "hoster-b", tokenID: "t1", periodStart: Self.at.addingTimeInterval(-86_400 * 30), periodEnd: Self.at, text: "We were slow.",
            createdAt: Self.at)
        try store.insertExplanation(explanation, audit: audit("explanation.filed"))
        #expect(try store.explanations(org: "hoster-b", status: .pending, limit: 10).map(\.id) == ["e1"])
        #expect(try store.explanations(org: "hoster-a", status: nil, limit: 10).isEmpty)
        var accepted = explanation
        accepted.status = .accepted
        accepted.decidedBy = "analyst"
        accepted.decidedAt = Self.at
        accepted.decisionReason = "credible"
        #expect(try store.decideExplanation(accepted, audit: audit("explanation.accepted")))
        var rejected = explanation
        rejected.status = .rejected
        #expect(try !store.decideExplanation(rejected, audit: audit("explanation.rejected")), "decided once across instances")
        #expect(try open().explanation(id: "e1") == accepted)

        let draft = Publication(
            version: 1, status: .review, since: Self.at.addingTimeInterval(-86_400 * 90), until: Self.at, createdAt: Self.at,
            reviewUntil: Self.at.addingTimeInterval(86_400 * 14), listed: ["hoster-b", "hoster-c"])
        #expect(try store.insertPublication(draft, audit: audit("publication.drafted")))
        #expect(try !store.insertPublication(draft, audit: audit("publication.drafted")), "one version once")
        var second = draft
        second.version = 2
        #expect(try store.insertPublication(second, audit: audit("publication.drafted")))
        #expect(try store.publications().map(\.status) == [.review, .withdrawn], "a new draft withdraws the one in review")
        #expect(try !store.markPublished(version: 1, at: Self.at, manifestSHA256: "x", audit: audit("publication.published")))
        #expect(try store.markPublished(version: 2, at: Self.at, manifestSHA256: String(repeating: "a", count: 64), audit: audit("publication.published")))
        let published = try #require(try store.publications().first)
        #expect(published.status == .published && published.listed == ["hoster-b", "hoster-c"] && published.publishedAt == Self.at)
        #expect(try store.verifyAuditLog().entries == 5, "refused steps write no audit entry")
    }

    @Test(arguments: Backend.available) func asRelationshipsAreReplacedWholeAndAnswerUpstreams(_ backend: Backend) throws {
        try backend.run(relationships, relationships)
    }

    func relationships<S: SQLStore & GatewayStorage>(_ open: () throws -> S) throws {
        let store = try open()
        // More than one statement's worth, and a pair stated twice.
        var many = (1...1200).map { ASRelationship(first: 64_496, second: 70_000 + $0, kind: .providerToCustomer) }
        many += [
            ASRelationship(first: 64_497, second: 64_500, kind: .providerToCustomer), ASRelationship(first: 64_498, second: 64_500, kind: .peer),
            ASRelationship(first: 64_497, second: 64_500, kind: .providerToCustomer),
        ]
        try store.replaceASRelationships(many, source: "test", audit: audit("ipdb.as_rel"))
        #expect(try store.asRelationshipCount() == 1202)
        #expect(try store.upstreams(of: [64_500, 70_001, 1]) == [64_500: [64_497], 70_001: [64_496]])
        try store.replaceASRelationships([ASRelationship(first: 1, second: 2, kind: .providerToCustomer)], source: "test", audit: audit("ipdb.as_rel"))
        #expect(try store.asRelationshipCount() == 1)
        #expect(try store.upstreams(of: [64_500]).isEmpty)
    }

    @Test(arguments: Backend.available) func theMonitorReadsNoticesAndForwardsButNotTestNotices(_ backend: Backend) throws {
        try backend.run(followed, followed)
    }

    func followed<S: SQLStore & GatewayStorage>(_ open: () throws -> S) throws {
        let store = try open()
        func notice(_ id: String, kind: ActionKind, target: DispatchTarget, name: String, contact: String? = nil) -> Notice {
            let subject = ReportedURL(
                reportID: "r-\(id)", caseID: "c-\(id)", decisionID: "d-\(id)", url: "http://192.0.2.1/\(id).jpg", host: "192.0.2.1", hashes: [:])
            let item = NoticeItem(
                itemID: "i-\(id)", subject: subject, hosting: HostingSnapshot(ip: "192.0.2.1", asn: 64_500, country: "DE", org: "Example Hosting"),
                classification: "A1", detectionMethod: "hash_match", xarfReportID: UUIDv4.random())
            return Notice(
                id: id, reference: "HG-\(id)", kind: kind, recipient: Recipient(target: target, name: name, addresses: ["x@example.test"], contactID: contact),
                template: "t", status: .sent, createdAt: Self.at, sentAt: Self.at, deadlineSpan: nil, items: [item])
        }
        try store.insertNotice(
            notice("n1", kind: .notify, target: .hosting, name: "Example Hosting", contact: "example-hosting"), messages: [], consumedItems: [], event: nil)
        try store.insertNotice(notice("n2", kind: .forward, target: .partner, name: "Partner DE"), messages: [], consumedItems: [], event: nil)
        try store.insertNotice(
            notice("n3", kind: .forward, target: .contact("example-hosting"), name: "Test notice"), messages: [], consumedItems: [], event: nil)
        let rows = try store.noticeURLRows(since: Self.at.addingTimeInterval(-60), until: Self.at.addingTimeInterval(60), threads: 2)
        #expect(rows.map(\.reference) == ["HG-n1", "HG-n2"])
        #expect(rows.map(\.kind) == [.notify, .forward])
        #expect(rows.map(\.recipient) == ["Example Hosting", "Partner DE"])
        #expect(rows.map(\.contactID) == ["example-hosting", nil])
        #expect(rows.allSatisfy { $0.country == "DE" && $0.asn == 64_500 })
        // Online now reads only what is open: a removed notice is left out.
        var gone = notice("n4", kind: .notify, target: .hosting, name: "Example Hosting", contact: "example-hosting")
        gone.status = .removed
        gone.items[0].state = .removed
        gone.items[0].removedAt = Self.at
        try store.insertNotice(gone, messages: [], consumedItems: [], event: nil)
        let open = try store.openNoticeURLRows(until: Self.at.addingTimeInterval(60))
        #expect(open.map(\.reference) == ["HG-n1", "HG-n2"])
        #expect(try store.onlineNow(at: Self.at.addingTimeInterval(60), now: Self.at.addingTimeInterval(60)).total.urls == 2)
    }

    @Test(arguments: Backend.available) func photoDNAValuesAreKeptPerListForAnExternalMatcher(_ backend: Backend) throws {
        try backend.run(external, external)
    }

    func external<S: SQLStore & GatewayStorage>(_ open: () throws -> S) throws {
        let store = try open()
        let value = Data((0..<144).map { UInt8($0) }).base64EncodedString()
        let other = Data((0..<144).map { UInt8(255 - $0) }).base64EncodedString()
        #expect(
            try store.importExternalHashes(
                [
                    ExternalHashEntry(algorithm: .photodna, value: value, classification: .A1),
                    ExternalHashEntry(algorithm: .photodna, value: other, classification: nil),
                ],
                into: "police", at: Self.at) == 2)
        #expect(try store.importExternalHashes([ExternalHashEntry(algorithm: .photodna, value: value, classification: .B2)], into: "police", at: Self.at) == 0)
        #expect(try store.importExternalHashes([ExternalHashEntry(algorithm: .photodna, value: value, classification: .A1)], into: "ncmec", at: Self.at) == 1)
        #expect(try open().externalHashCounts() == ["police/photodna": 2, "ncmec/photodna": 1])
        #expect(try store.externalHashLists(.photodna, value) == ["ncmec", "police"])
        #expect(try store.externalHashLists(.photodna, "AAAA").isEmpty)
    }
}
