import Foundation
import HTTPTypes
import HotlineApp
import HotlineConfig
import HotlineCore
import HotlineServer
import HotlineTesting
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// A gateway over the in-memory store and a temporary config (the shipped rules and
/// templates, a small contact directory), with one token per role: the routes run on the
/// store's ports, without a database.
struct ServerFixture {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let directory: URL
    let store: InMemoryStore
    let runtime: GatewayRuntime
    let server: GatewayServer
    var tokens: [String: String] = [:]

    init(rules: String? = nil, reportRate: Int = 10_000, intakeQueue: Int = 20_000, extra: String = "", fetchIntake: Bool = false, api: String = "") throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("hotline-server-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let rulesPath: String
        if let rules {
            rulesPath = directory.appendingPathComponent("rules").path
            try FileManager.default.createDirectory(atPath: rulesPath, withIntermediateDirectories: true)
            try rules.write(toFile: rulesPath + "/rules.yaml", atomically: true, encoding: .utf8)
        } else {
            rulesPath = Self.root.appendingPathComponent("Rules").path
        }
        try """
        version: 1
        contacts:
          - { id: hoster-a, name: Hoster A, prefixes: ["198.51.100.0/24"], country: NL, abuse: [abuse@hoster-a.test], ntd_member: true }
          - { id: hoster-b, name: Hoster B, prefixes: ["203.0.113.0/24"], country: NL, abuse: [abuse@hoster-b.test] }
        """.write(to: directory.appendingPathComponent("contacts.yaml"), atomically: true, encoding: .utf8)
        try """
        version: 1
        hotline: { name: Test Hotline, country: NL, email: notices@hotline.test, domain: hotline.test }
        rules: \(rulesPath)
        contacts: contacts.yaml
        templates: \(Self.root.appendingPathComponent("Config/templates").path)
        api:
          report_rate: \(reportRate)
          hashcheck_rate: 2
          intake_queue: \(intakeQueue)
        \(api.isEmpty ? "" : "  " + api)
        \(extra)
        fetch: { intake: { enabled: \(fetchIntake), trusted: [org:partner-hotline] } }
        """.write(to: directory.appendingPathComponent("hotline.yaml"), atomically: true, encoding: .utf8)
        let (config, diagnostics) = GatewayConfig.load(directory.appendingPathComponent("hotline.yaml").path)
        store = InMemoryStore()
        try store.saveList(HashList(name: "police", source: "test", defaultClassification: .A1))
        _ = try store.importEntries([HashListEntry(algorithm: .md5, value: "0123456789abcdef0123456789abcdef", classification: .A1)], into: "police")
        // A clock that stands still, so rate limits are exact whatever the machine's load.
        let assembly = GatewayAssembly(
            config: try #require(config, "\(diagnostics)"), overrides: GatewayOverrides(offline: true, time: ManualTimeSource(Date())))
        runtime = try assembly.runtime(store: store)
        server = GatewayServer(runtime: runtime)
        let roles: [(String, String?)] = [
            ("reporter", nil), ("provider", "hoster-a"), ("analyst", nil), ("admin", nil), ("other-provider", "hoster-b"),
            ("partner-reporter", "partner-hotline"), ("other-reporter", nil), ("member-reporter", "member-hotline"), ("member2-reporter", "member-hotline"),
            ("second-analyst", nil),
        ]
        for (role, org) in roles {
            let secret = TokenSecrets.make()
            let kind = String(role.split(separator: "-").last!)
            try store.insertToken(
                APIToken(id: "t-\(role)", role: APIRole(rawValue: kind)!, org: org, label: nil, createdAt: Date()), secretHash: TokenSecrets.hash(secret))
            tokens[role] = secret
        }
    }

    func headers(_ role: String?) -> HTTPFields {
        var fields: HTTPFields = [.contentType: "application/json"]
        if let role { fields[.authorization] = "Bearer \(tokens[role]!)" }
        return fields
    }

    func remove() { try? FileManager.default.removeItem(at: directory) }
}

extension TestResponse {
    var json: JSONValue { (try? JSONValue.parse(Array(body.readableBytesView))) ?? .null }
    var text: String { String(buffer: body) }
}

func body(_ text: String) -> ByteBuffer { ByteBuffer(string: text) }

@Suite struct ServerTests {
    @Test func everyRouteRefusesAnonymousAndWrongRoleCallersWithProblemDetails() async throws {
        let fixture = try ServerFixture()
        defer { fixture.remove() }
        let app = Application(router: fixture.server.router())
        try await app.test(.router) { client in
            try await client.execute(uri: "/v1/reports", method: .post, headers: fixture.headers(nil), body: body(#"{"url":"https://example.com/a"}"#)) {
                response in
                #expect(response.status == .unauthorized)
                #expect(response.headers[.contentType] == "application/problem+json")
                #expect(response.headers[.wwwAuthenticate] == "Bearer realm=\"hotline-gateway\"")
                #expect(response.text == #"{"type":"about:blank","title":"Unauthorized","status":401,"detail":"a bearer token is required"}"#)
            }
            var forged = fixture.headers(nil)
            forged[.authorization] = "Bearer hg_not-a-real-token"
            try await client.execute(uri: "/v1/queue", method: .get, headers: forged) { response in
                #expect(response.text == #"{"type":"about:blank","title":"Unauthorized","status":401,"detail":"unknown or revoked token"}"#)
            }
            let forbidden: [(String, HTTPRequest.Method, String)] = [
                ("/v1/queue", .get, "provider"), ("/v1/queue", .get, "reporter"), ("/v1/cases/x/decision", .post, "reporter"),
                ("/v1/admin/rules/reload", .post, "analyst"), ("/v1/stats/summary", .get, "provider"), ("/v1/reports", .post, "analyst"),
                ("/v1/hashcheck", .post, "reporter"), ("/v1/provider/notices", .get, "analyst"),
            ]
            for (uri, method, role) in forbidden {
                try await client.execute(uri: uri, method: method, headers: fixture.headers(role), body: body("{}")) { response in
                    #expect(response.status == .forbidden, "\(role) \(method) \(uri)")
                }
            }
            try await client.execute(uri: "/v1/queue", method: .get, headers: fixture.headers("analyst")) { response in
                #expect(response.status == .ok)
            }
            try await client.execute(uri: "/v1/queue", method: .get, headers: fixture.headers("reporter")) { response in
                #expect(
                    response.text
                        == #"{"type":"about:blank","title":"Forbidden","status":403,"detail":"this needs a token with role analyst; this token has role reporter"}"#
                )
            }
        }
    }

    @Test func aRevokedTokenIsRefused() async throws {
        let fixture = try ServerFixture()
        defer { fixture.remove() }
        #expect(try fixture.store.revokeToken(id: "t-analyst", at: Date(), actor: "test"))
        #expect(try fixture.store.revokeToken(id: "t-analyst", at: Date(), actor: "test") == false)
        let app = Application(router: fixture.server.router())
        try await app.test(.router) { client in
            let response = try await client.execute(uri: "/v1/queue", method: .get, headers: fixture.headers("analyst"))
            #expect(response.status == .unauthorized)
        }
    }

    @Test func reportsAreStoredDecidedAndIdempotentOnClientID() async throws {
        let fixture = try ServerFixture()
        defer { fixture.remove() }
        let app = Application(router: fixture.server.router())
        try await app.test(.router) { client in
            let report = #"{"id":"r-1","url":"https://Example.COM/a.jpg","source":{"type":"crawler","name":"c1"},"reporter":"person@example.org"}"#
            let first = try await client.execute(uri: "/v1/reports", method: .post, headers: fixture.headers("reporter"), body: body(report))
            #expect(first.status == .created)
            guard case .object(let decided) = first.json, case .string(let reportID)? = decided["report_id"] else {
                Issue.record(Comment(rawValue: first.text))
                return
            }
            #expect(decided["outcome"] == .string("escalate"))
            let again = try await client.execute(uri: "/v1/reports", method: .post, headers: fixture.headers("reporter"), body: body(report))
            #expect(again.status == .ok)
            #expect(again.json.object?["report_id"] == .string(reportID))
            #expect(again.json.object?["existing"] == .bool(true))
            let shown = try await client.execute(uri: "/v1/reports/\(reportID)", method: .get, headers: fixture.headers("analyst"))
            #expect(shown.status == .ok)
            #expect(shown.json.object?["url"] == .string("https://example.com/a.jpg"))
            #expect(shown.json.object?["status"] == .string("escalate"))
            #expect(!shown.text.contains("person@example.org"))
            guard case .array(let decisions)? = shown.json.object?["decisions"], case .object(let decision)? = decisions.first else {
                Issue.record("no decisions")
                return
            }
            #expect(decision["rule"] == .string("default"))
            #expect(decision["trace"] != nil && decision["facts"] != nil)
            let missing = try await client.execute(uri: "/v1/reports/nope", method: .get, headers: fixture.headers("analyst"))
            #expect(missing.status == .notFound)
        }
        #expect(try fixture.store.counts().reports == 1)
    }

    @Test func badInputIsRefusedWithTheFieldNamed() async throws {
        let fixture = try ServerFixture()
        defer { fixture.remove() }
        let app = Application(router: fixture.server.router())
        try await app.test(.router) { client in
            let cases: [(String, String)] = [
                (
                    #"{"url":42}"#,
                    #"{"type":"about:blank","title":"Bad Request","status":400,"detail":"field \"url\" must be a string, got number","field":"url","errors":[{"code":"wrong-type"}]}"#
                ),
                (
                    #"{"url":"https://example.com/a""#,
                    #"{"type":"about:blank","title":"Bad Request","status":400,"detail":"invalid JSON at column 31: unexpected end of input inside an object, expected ',' or '}'"}"#
                ),
                (
                    #"{"reports":[],"x":1}"#,
                    #"{"type":"about:blank","title":"Bad Request","status":400,"detail":"unknown field \"x\" beside \"reports\"","field":"x"}"#
                ),
            ]
            for (input, expected) in cases {
                let response = try await client.execute(uri: "/v1/reports", method: .post, headers: fixture.headers("reporter"), body: body(input))
                #expect(response.status == .badRequest)
                #expect(response.text == expected)
            }
            let tooMany = "{\"reports\":[" + Array(repeating: #"{"url":"https://example.com/x"}"#, count: 1001).joined(separator: ",") + "]}"
            let large = try await client.execute(uri: "/v1/reports", method: .post, headers: fixture.headers("reporter"), body: body(tooMany))
            #expect(large.status == .contentTooLarge)
        }
        #expect(try fixture.store.counts().reports == 0)
    }

    @Test func aMalformedHintCostsOnlyTheHint() async throws {
        let fixture = try ServerFixture()
        defer { fixture.remove() }
        let app = Application(router: fixture.server.router())
        try await app.test(.router) { client in
            let response = try await client.execute(
                uri: "/v1/reports", method: .post, headers: fixture.headers("reporter"),
                body: body(#"{"url":"https://example.com/a","media_type":"image","classification":"A9","colour":"red"}"#))
            #expect(response.status == .created)
            guard case .array(let warnings)? = response.json.object?["warnings"] else {
                Issue.record(Comment(rawValue: response.text))
                return
            }
            #expect(
                warnings.compactMap { $0.object?["message"]?.stringValue } == [
                    "unknown field \"colour\" ignored", "field \"media_type\" is not a media type: \"image\"; ignored",
                    "field \"classification\" has unknown value \"A9\"; expected one of baseline, A1, A2, B1, B2; ignored",
                ])
            #expect(warnings.compactMap { $0.object?["field"]?.stringValue } == ["colour", "media_type", "classification"])
        }
        #expect(try fixture.store.counts().reports == 1)
    }

    @Test func aBatchStoresTheGoodReportsAndNamesEachBadOne() async throws {
        let fixture = try ServerFixture()
        defer { fixture.remove() }
        let app = Application(router: fixture.server.router())
        try await app.test(.router) { client in
            let batch =
                #"{"reports":[{"url":"https://example.com/1"},{"url":"ftp://example.com/2"},{"xarf_version":"4.0.0","report_id":"550e8400-e29b-41d4-a716-446655440000","timestamp":"2026-11-30T10:00:00Z","reporter":{"org":"Partner Hotline","contact":"r@partner.test","domain":"partner.test"},"sender":{"org":"Partner Hotline","contact":"r@partner.test","domain":"partner.test"},"source_identifier":"198.51.100.7","category":"content","type":"csam","url":"http://198.51.100.7/x.jpg","classification":"A1","detection_method":"hash_match","hash_values":{"md5":"0123456789abcdef0123456789abcdef"}},{"xarf_version":"4.0.0","category":"content","type":"phishing","url":"https://example.com/p"}]}"#
            let response = try await client.execute(uri: "/v1/reports", method: .post, headers: fixture.headers("reporter"), body: body(batch))
            #expect(response.status == .ok)
            guard case .object(let result) = response.json, case .array(let items)? = result["results"] else {
                Issue.record(Comment(rawValue: response.text))
                return
            }
            #expect(result["accepted"] == .number(2))
            #expect(result["rejected"] == .number(2))
            #expect(items[1].object?["field"] == .string("reports[1].url"))
            #expect(items[3].object?["error"] == .string("only X-ARF reports with category \"content\" and type \"csam\" are accepted"))
            // An X-ARF report naming a listed MD5, from anyone: a claim the gateway has not
            // seen at the URL, so a person looks, and no notice goes out.
            #expect(items[2].object?["rule"] == .string("reported-hash-not-observed"), "\(items[2])")
        }
        #expect(try fixture.store.counts().reports == 2)
        #expect(try fixture.store.dispatchCounts().items == [:])
    }

    @Test func aTrustedPartnersHashesCountAsEvidence() async throws {
        let fixture = try ServerFixture()
        defer { fixture.remove() }
        let app = Application(router: fixture.server.router())
        try await app.test(.router) { client in
            let report =
                #"{"xarf_version":"4.0.0","report_id":"550e8400-e29b-41d4-a716-446655440001","timestamp":"2026-11-30T10:00:00Z","reporter":{"org":"Partner Hotline","contact":"r@partner.test","domain":"partner.test"},"sender":{"org":"Partner Hotline","contact":"r@partner.test","domain":"partner.test"},"source_identifier":"198.51.100.7","category":"content","type":"csam","url":"http://198.51.100.7/x.jpg","classification":"A1","detection_method":"hash_match","hash_values":{"md5":"0123456789abcdef0123456789abcdef"}}"#
            let response = try await client.execute(uri: "/v1/reports", method: .post, headers: fixture.headers("partner-reporter"), body: body(report))
            #expect(response.status == .created, Comment(rawValue: response.text))
            #expect(response.json.object?["rule"] == .string("known-material-at-local-hoster"))
        }
        #expect(try fixture.store.dispatchCounts().items == ["waiting": 1])
        #expect(fixture.store.allDecisions.last?.facts[.hashSource] == .string("reported"))
    }

    @Test func analystsSeeTheQueueAndDecideWithTheirNameInTheAuditLog() async throws {
        let fixture = try ServerFixture()
        defer { fixture.remove() }
        let app = Application(router: fixture.server.router())
        try await app.test(.router) { client in
            let created = try await client.execute(
                uri: "/v1/reports", method: .post, headers: fixture.headers("reporter"), body: body(#"{"url":"http://198.51.100.9/q.jpg"}"#))
            guard case .string(let caseID)? = created.json.object?["case_id"] else {
                Issue.record(Comment(rawValue: created.text))
                return
            }
            let queue = try await client.execute(uri: "/v1/queue", method: .get, headers: fixture.headers("analyst"))
            guard case .array(let items)? = queue.json.object?["items"], case .object(let first)? = items.first else {
                Issue.record(Comment(rawValue: queue.text))
                return
            }
            #expect(first["id"] == .string(caseID))
            #expect(first["reason"] == .string("no rule allows automatic handling"))
            let bad = try await client.execute(
                uri: "/v1/cases/\(caseID)/decision", method: .post, headers: fixture.headers("analyst"), body: body(#"{"action":"delete","reason":"x"}"#))
            #expect(
                bad.text
                    == #"{"type":"about:blank","title":"Bad Request","status":400,"detail":"\"action\" must be notify, forward or close, got \"delete\"","field":"action"}"#
            )
            // A notice needs what the analyst assessed (issue 18.3).
            let unclassified = try await client.execute(
                uri: "/v1/cases/\(caseID)/decision", method: .post, headers: fixture.headers("analyst"),
                body: body(#"{"action":"notify","to":"hosting","reason":"confirmed by analyst"}"#))
            #expect(
                unclassified.text
                    == #"{"type":"about:blank","title":"Bad Request","status":400,"detail":"a notice needs the analyst's \"classification\": one of baseline, A1, A2, B1, B2, nationally_illegal, not_illegal","field":"classification"}"#
            )
            let decided = try await client.execute(
                uri: "/v1/cases/\(caseID)/decision", method: .post, headers: fixture.headers("analyst"),
                body: body(#"{"action":"notify","to":"hosting","reason":"confirmed by analyst","classification":"A2","deadline":"48h"}"#))
            #expect(decided.status == .created, "\(decided.text)")
            let item = try #require(fixture.store.allDispatchItems.first)
            #expect(item.template == "ntd-assessed" && item.detectionMethod == "manual_review" && item.classification == "A2")
            #expect(item.deadline == .hours(48))
            let after = try await client.execute(uri: "/v1/queue", method: .get, headers: fixture.headers("analyst"))
            #expect(after.json.object?["items"] == .array([]))
            let closed = try await client.execute(
                uri: "/v1/cases/\(caseID)/decision", method: .post, headers: fixture.headers("analyst"),
                body: body(#"{"action":"close","reason":"removed already"}"#))
            #expect(closed.status == .created)
            let again = try await client.execute(
                uri: "/v1/cases/\(caseID)/decision", method: .post, headers: fixture.headers("analyst"), body: body(#"{"action":"close","reason":"twice"}"#))
            #expect(again.status == .conflict)
        }
        #expect(try fixture.store.dispatchCounts().items == ["waiting": 1])
        #expect(try fixture.store.counts().openCases == 0)
        #expect(try fixture.store.summary()["decisions"] == .object(["close": .number(1), "escalate": .number(1), "notify": .number(1)]))
    }

    @Test func providersSeeOnlyTheirOwnNoticesAndAcknowledgeThem() async throws {
        let fixture = try ServerFixture()
        defer { fixture.remove() }
        let now = Date()
        for (index, org) in ["hoster-a", "hoster-b"].enumerated() {
            let subject = ReportedURL(
                reportID: "r\(index)", caseID: "c\(index)", decisionID: "d\(index)", url: "http://198.51.100.\(index)/x.jpg", host: "198.51.100.\(index)",
                hashes: ["md5": "0123456789abcdef0123456789abcdef"])
            let item = NoticeItem(
                itemID: "i\(index)", subject: subject, hosting: HostingSnapshot(), classification: "A1", detectionMethod: "hash_match",
                xarfReportID: UUIDv4.random())
            let notice = Notice(
                id: "n-\(org)", reference: "HG-TEST\(index)", kind: .notify,
                recipient: Recipient(target: .hosting, name: org, addresses: ["abuse@\(org).test"], contactID: org), template: "ntd-first", status: .sent,
                createdAt: now, sentAt: now, deadlineSpan: .hours(24), deadline: now.addingTimeInterval(86400), items: [item])
            try fixture.store.insertNotice(notice, messages: [], consumedItems: [], event: nil)
        }
        let app = Application(router: fixture.server.router())
        try await app.test(.router) { client in
            let mine = try await client.execute(uri: "/v1/provider/notices", method: .get, headers: fixture.headers("provider"))
            guard case .array(let notices)? = mine.json.object?["notices"] else {
                Issue.record(Comment(rawValue: mine.text))
                return
            }
            #expect(notices.map { $0.object?["reference"] } == [.string("HG-TEST0")])
            #expect(!mine.text.contains("facts"))
            let theirs = try await client.execute(
                uri: "/v1/notices/n-hoster-b/ack", method: .post, headers: fixture.headers("provider"), body: body(#"{"status":"removed"}"#))
            #expect(theirs.status == .notFound)
            let rejectWithoutReason = try await client.execute(
                uri: "/v1/notices/n-hoster-a/ack", method: .post, headers: fixture.headers("provider"), body: body(#"{"status":"rejected"}"#))
            #expect(rejectWithoutReason.status == .badRequest)
            let ack = try await client.execute(
                uri: "/v1/notices/HG-TEST0/ack", method: .post, headers: fixture.headers("provider"), body: body(#"{"status":"removed"}"#))
            #expect(ack.text == #"{"id":"n-hoster-a","reference":"HG-TEST0","status":"acknowledged","acknowledged_urls":["http://198.51.100.0/x.jpg"]}"#)
            let notOurs = try await client.execute(
                uri: "/v1/notices/n-hoster-b/ack", method: .post, headers: fixture.headers("other-provider"),
                body: body(#"{"status":"not_ours","reason":"customer moved"}"#))
            #expect(notOurs.json.object?["status"] == .string("rejected"))
        }
        #expect(try fixture.store.notice("n-hoster-a")?.items[0].nextCheckAt != nil)
        #expect(try fixture.store.events(noticeID: "n-hoster-b").map(\.detail) == ["not_ours by token:t-other-provider(provider/hoster-b): customer moved"])
        #expect(try fixture.store.escalationQueue(limit: 10).map(\.id) == ["n-hoster-b"])
    }

    /// Issue 18.14: a hoster removes some URLs first and says so per URL.
    @Test func providersAcknowledgeSomeURLsOfANotice() async throws {
        let fixture = try ServerFixture()
        defer { fixture.remove() }
        let now = Date()
        let items = (0..<2).map { index in
            NoticeItem(
                itemID: "i\(index)",
                subject: ReportedURL(
                    reportID: "r\(index)", caseID: "c\(index)", decisionID: "d\(index)", url: "http://198.51.100.7/\(index).jpg", host: "198.51.100.7",
                    hashes: [:]), hosting: HostingSnapshot(), classification: "A1", detectionMethod: "hash_match", xarfReportID: UUIDv4.random())
        }
        try fixture.store.insertNotice(
            Notice(
                id: "n-two", reference: "HG-TWO", kind: .notify,
                recipient: Recipient(target: .hosting, name: "hoster-a", addresses: ["abuse@hoster-a.test"], contactID: "hoster-a"), template: "ntd-first",
                status: .sent, createdAt: now, sentAt: now, deadlineSpan: .hours(24), deadline: now.addingTimeInterval(86400), items: items),
            messages: [], consumedItems: [], event: nil)
        let app = Application(router: fixture.server.router())
        try await app.test(.router) { client in
            let stranger = try await client.execute(
                uri: "/v1/notices/HG-TWO/ack", method: .post, headers: fixture.headers("provider"),
                body: body(#"{"status":"removed","urls":["http://198.51.100.7/other.jpg"]}"#))
            #expect(stranger.status == .badRequest)
            #expect(stranger.json.object?["field"] == .string("urls"))
            let first = try await client.execute(
                uri: "/v1/notices/HG-TWO/ack", method: .post, headers: fixture.headers("provider"),
                body: body(#"{"status":"removed","urls":["http://198.51.100.7/0.jpg"]}"#))
            #expect(first.text == #"{"id":"n-two","reference":"HG-TWO","status":"sent","acknowledged_urls":["http://198.51.100.7/0.jpg"]}"#)
            let listed = try await client.execute(uri: "/v1/provider/notices", method: .get, headers: fixture.headers("provider"))
            #expect(listed.text.contains(#""url":"http://198.51.100.7/0.jpg","state":"online","classification":"A1","acknowledged_at":""#), "\(listed.text)")
            let second = try await client.execute(
                uri: "/v1/notices/HG-TWO/ack", method: .post, headers: fixture.headers("provider"),
                body: body(#"{"status":"removed","urls":["http://198.51.100.7/1.jpg"]}"#))
            #expect(second.json.object?["status"] == .string("acknowledged"))
        }
        let notice = try #require(try fixture.store.notice("n-two"))
        #expect(notice.items.allSatisfy { $0.acknowledgedAt != nil && $0.nextCheckAt != nil })
        #expect(
            try fixture.store.events(noticeID: "n-two").map(\.detail).first
                == "removed by token:t-provider(provider/hoster-a) (1 of 2 URLs: http://198.51.100.7/0.jpg)")
    }

    @Test func hashChecksAnswerYesOrNoAreRateLimitedAndAudited() async throws {
        let fixture = try ServerFixture()
        defer { fixture.remove() }
        let app = Application(router: fixture.server.router())
        try await app.test(.router) { client in
            let known = try await client.execute(
                uri: "/v1/hashcheck", method: .post, headers: fixture.headers("provider"), body: body(#"{"md5":"0123456789ABCDEF0123456789ABCDEF"}"#))
            #expect(known.text == #"{"match":true,"classification":"A1"}"#)
            let unknown = try await client.execute(
                uri: "/v1/hashcheck", method: .post, headers: fixture.headers("provider"), body: body(#"{"sha1":"da39a3ee5e6b4b0d3255bfef95601890afd80709"}"#))
            #expect(unknown.text == #"{"match":false}"#)
            let malformed = try await client.execute(uri: "/v1/hashcheck", method: .post, headers: fixture.headers("provider"), body: body(#"{"md5":"xyz"}"#))
            #expect(malformed.status == .badRequest)
            // A burst of 4 at 2/s, on a clock that stands still: three checks went, one more
            // is allowed, then 429 with Retry-After.
            let fourth = try await client.execute(
                uri: "/v1/hashcheck", method: .post, headers: fixture.headers("provider"), body: body(#"{"md5":"0123456789abcdef0123456789abcdef"}"#))
            #expect(fourth.status == .ok)
            let limited = try await client.execute(
                uri: "/v1/hashcheck", method: .post, headers: fixture.headers("provider"), body: body(#"{"md5":"0123456789abcdef0123456789abcdef"}"#))
            #expect(limited.status == .tooManyRequests)
            #expect(limited.headers[.retryAfter] == "1")
        }
        #expect(try fixture.store.counts().auditEntries >= 3)
    }

    @Test func aBrokenRuleFileIsRefusedOnReloadAndTheRunningRulesStay() async throws {
        let rules = "version: 1\nrules:\n  - name: all\n    when: report.host exists\n    then: [{ close: test }]\ndefault: [{ escalate: { reason: none } }]\n"
        let fixture = try ServerFixture(rules: rules)
        defer { fixture.remove() }
        let app = Application(router: fixture.server.router())
        let before = fixture.runtime.parts.engine.ruleSet.digest
        try "version: 1\nrules:\n  - name: all\n    when: report.hots exists\n    then: [{ close: test }]\ndefault: [{ escalate: { reason: none } }]\n".write(
            to: fixture.directory.appendingPathComponent("rules/rules.yaml"), atomically: true, encoding: .utf8)
        try await app.test(.router) { client in
            let refused = try await client.execute(uri: "/v1/admin/rules/reload", method: .post, headers: fixture.headers("admin"))
            #expect(refused.status == .unprocessableContent)
            guard case .array(let errors)? = refused.json.object?["errors"] else {
                Issue.record(Comment(rawValue: refused.text))
                return
            }
            #expect(
                errors == [
                    .string(
                        "\(fixture.directory.path)/rules/rules.yaml:4:11: error: unknown field \"report.hots\"; did you mean \"report.host\"? [unknown-field]")
                ])
            #expect(fixture.runtime.parts.engine.ruleSet.digest == before)
            let decided = try await client.execute(
                uri: "/v1/reports", method: .post, headers: fixture.headers("reporter"), body: body(#"{"url":"https://example.com/z"}"#))
            #expect(decided.json.object?["rule"] == .string("all"))
            try
                "version: 1\nrules:\n  - name: none\n    when: report.host == \"nothing.test\"\n    then: [{ close: test }]\ndefault: [{ escalate: { reason: none } }]\n"
                .write(to: fixture.directory.appendingPathComponent("rules/rules.yaml"), atomically: true, encoding: .utf8)
            let accepted = try await client.execute(uri: "/v1/admin/rules/reload", method: .post, headers: fixture.headers("admin"))
            #expect(accepted.status == .ok)
            #expect(accepted.json.object?["rules_version"] != .string(before))
            let after = try await client.execute(
                uri: "/v1/reports", method: .post, headers: fixture.headers("reporter"), body: body(#"{"url":"https://example.com/y"}"#))
            #expect(after.json.object?["rule"] == .string("default"))
        }
    }

    @Test func healthMetricsStatsAndTheAPIDescription() async throws {
        let fixture = try ServerFixture()
        defer { fixture.remove() }
        let app = Application(router: fixture.server.router())
        try await app.test(.router) { client in
            _ = try await client.execute(
                uri: "/v1/reports", method: .post, headers: fixture.headers("reporter"), body: body(#"{"url":"https://example.com/m"}"#))
            #expect(try await client.execute(uri: "/healthz", method: .get).text == #"{"status":"ok"}"#)
            #expect(try await client.execute(uri: "/readyz", method: .get).status == .ok)
            let metrics = try await client.execute(uri: "/metrics", method: .get).text
            #expect(metrics.contains("hotline_reports_total{channel=\"api\",result=\"decided\"} 1"))
            #expect(metrics.contains("hotline_decisions_total{rule=\"default\",outcome=\"escalate\"} 1"))
            #expect(metrics.contains("hotline_http_request_duration_seconds_count"))
            #expect(metrics.contains("hotline_evidence_backlog 0"), "nothing waits for evidence without fetching")
            let stats = try await client.execute(uri: "/v1/stats/summary", method: .get, headers: fixture.headers("admin"))
            #expect(stats.json.object?["reports"] == .number(1))
            #expect(stats.json.object?["queue_depth"] == .number(1))
            let openAPI = try await client.execute(uri: "/openapi.json", method: .get)
            #expect(openAPI.json.object?["openapi"] == .string("3.1.0"))
        }
    }

    @Test func theMetricsShowTheReportsWaitingForEvidence() async throws {
        let fixture = try ServerFixture(fetchIntake: true)
        defer { fixture.remove() }
        let app = Application(router: fixture.server.router())
        try await app.test(.router) { client in
            for name in ["a", "b"] {
                let posted = try await client.execute(
                    uri: "/v1/reports", method: .post, headers: fixture.headers("reporter"), body: body(#"{"url":"https://example.com/\#(name).jpg"}"#))
                #expect(posted.status == .accepted)
            }
            let metrics = try await client.execute(uri: "/metrics", method: .get).text
            #expect(metrics.contains("hotline_evidence_backlog 2"), "\(metrics)")
        }
    }
}

extension JSONValue {
    var object: JSONObject? {
        if case .object(let object) = self { return object }
        return nil
    }
}

@Suite struct ProblemTests {
    @Test func unknownRoutesAndMethodsAreProblemDetailsToo() async throws {
        let fixture = try ServerFixture()
        defer { fixture.remove() }
        let app = Application(router: fixture.server.router())
        try await app.test(.router) { client in
            let response = try await client.execute(uri: "/v1/nothing", method: .get, headers: fixture.headers("admin"))
            #expect(response.status == .notFound)
            #expect(response.headers[.contentType] == "application/problem+json")
            #expect(response.json.object?["status"] == .number(404))
        }
    }
}

/// Notices to two hosters, stored as the worker would have left them.
func seedNotices(_ store: any NoticeStore, now: Date) throws {
    func item(_ index: Int, removedAfter hours: Double?, sent: Date) -> NoticeItem {
        let subject = ReportedURL(
            reportID: "r\(index)", caseID: "c\(index)", decisionID: "d\(index)", url: "http://198.51.100.\(index)/x.jpg", host: "198.51.100.\(index)",
            hashes: [:])
        var item = NoticeItem(
            itemID: "i\(index)", subject: subject,
            hosting: HostingSnapshot(ip: "198.51.100.\(index)", asn: 64500, country: "NL", org: index < 5 ? "Quick Hosting" : "Slow Hosting"),
            classification: "A1", detectionMethod: "hash_match", xarfReportID: UUIDv4.random())
        if let hours {
            item.state = .removed
            item.removedAt = sent.addingTimeInterval(hours * 3600)
        }
        return item
    }
    for index in 0..<8 {
        let sent = now.addingTimeInterval(-Double(100 - index) * 3600)
        let removed: Double? = index < 5 ? Double(index + 1) : (index == 5 ? 50 : nil)
        let notice = Notice(
            id: "n\(index)", reference: "HG-N\(index)", kind: .notify,
            recipient: Recipient(
                target: .hosting, name: index < 5 ? "Quick Hosting" : "Slow Hosting", addresses: ["abuse@x.test"],
                contactID: index < 5 ? "hoster-a" : "hoster-b"), template: "ntd-first", status: removed == nil ? .sent : .removed, createdAt: sent,
            sentAt: sent, deadlineSpan: .hours(24), deadline: sent.addingTimeInterval(86_400), items: [item(index, removedAfter: removed, sent: sent)])
        try store.insertNotice(notice, messages: [], consumedItems: [], event: nil)
    }
}

@Suite(.serialized) struct MonitorServerTests {
    @Test func statisticsOverTheAPIAndTheDashboardBehindItsLogin() async throws {
        let fixture = try ServerFixture()
        defer { fixture.remove() }
        try seedNotices(fixture.store, now: fixture.runtime.time.now())
        let app = Application(router: fixture.server.router())
        try await app.test(.router) { client in
            let stats = try await client.execute(uri: "/v1/stats/hosters?since=30d", method: .get, headers: fixture.headers("analyst"))
            guard case .object(let object) = stats.json, case .object(let total)? = object["total"], case .array(let hosters)? = object["hosters"],
                case .array(let listed)? = object["comply_or_explain"]
            else {
                Issue.record(Comment(rawValue: stats.text))
                return
            }
            #expect(total["notices"] == .number(8))
            #expect(total["removed"] == .number(6))
            #expect(hosters.compactMap { $0.object?["key"] } == [.string("Quick Hosting"), .string("Slow Hosting")])
            #expect(listed.count == 1)
            #expect(listed.first?.object?["hoster"]?.object?["key"] == .string("Slow Hosting"))
            // The dashboard: no token, to the login form; a bad token stays there; a good one gets a cookie.
            let anonymous = try await client.execute(uri: "/dashboard", method: .get)
            #expect(anonymous.status == .seeOther)
            #expect(anonymous.headers[.location] == "/dashboard/login")
            let refused = try await signIn(client, token: fixture.tokens["reporter"]!)
            #expect(refused.response.status == .unauthorized)
            let login = try await signIn(client, token: fixture.tokens["analyst"]!)
            #expect(login.response.status == .seeOther)
            let cookie = try #require(login.response.headers[values: .setCookie].first { $0.hasPrefix("hg_session=") })
            #expect(cookie.hasSuffix("; Path=/dashboard; HttpOnly; Secure; SameSite=Strict; Max-Age=28800"))
            // The session id is a random value of its own, never the token.
            #expect(!cookie.contains(fixture.tokens["analyst"]!))
            var withCookie = HTTPFields()
            withCookie[.cookie] = String(cookie.prefix { $0 != ";" })
            let page = try await client.execute(uri: "/dashboard", method: .get, headers: withCookie)
            #expect(page.status == .ok)
            #expect(page.headers[.contentSecurityPolicy] == "default-src 'none'; style-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
            #expect(page.text.contains(#"<span class="n" data-stat="total.notices">8</span>"#))
            #expect(page.text.contains(#"<tr class="flag"><td>Slow Hosting</td>"#))
            #expect(!page.text.contains("<script"))
            // The cookie is good for the page only, not for the API.
            let api = try await client.execute(uri: "/v1/queue", method: .get, headers: withCookie)
            #expect(api.status == .unauthorized)
        }
    }

    /// Signs in through the form as a browser does: the form's CSRF value in its cookie and in the post.
    func signIn(_ client: some TestClientProtocol, token: String, origin: String? = nil) async throws -> (response: TestResponse, session: String?) {
        let form = try await client.execute(uri: "/dashboard/login", method: .get)
        let csrfCookie = try #require(form.headers[.setCookie]).prefix { $0 != ";" }
        let csrf = try #require(form.text.firstRange(of: #"name="csrf" value=""#).map { String(form.text[$0.upperBound...].prefix { $0 != "\"" }) })
        var headers = HTTPFields()
        headers[.contentType] = "application/x-www-form-urlencoded"
        headers[.cookie] = String(csrfCookie)
        if let origin { headers[HTTPField.Name("Origin")!] = origin }
        let response = try await client.execute(uri: "/dashboard/login", method: .post, headers: headers, body: body("csrf=\(csrf)&token=\(token)"))
        let session = response.headers[values: .setCookie].first { $0.hasPrefix("hg_session=") }.map { String($0.dropFirst(11).prefix { $0 != ";" }) }
        return (response, session)
    }

    static var chromium: String? {
        ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    @Test(.enabled(if: chromium != nil || ProcessInfo.processInfo.environment["CI"] != nil))
    func theDashboardRendersInARealBrowserWithTheAPIsNumbers() async throws {
        let chromium = try #require(Self.chromium, "make test-deps installs chromium")
        let fixture = try ServerFixture()
        defer { fixture.remove() }
        try seedNotices(fixture.store, now: fixture.runtime.time.now())
        let app = Application(router: fixture.server.router(), configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in
            let api = try await client.execute(uri: "/v1/stats/hosters?since=30d", method: .get, headers: fixture.headers("analyst"))
            guard let port = client.port else {
                Issue.record("no port")
                return
            }
            let screenshot = fixture.directory.appendingPathComponent("dashboard.png").path
            let script = ServerFixture.root.appendingPathComponent("Tests/HotlineServerTests/Browser/dashboard_check.py").path
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            let session = try #require(try await signIn(client, token: fixture.tokens["analyst"]!).session)
            process.arguments = ["python3", script, chromium, "http://127.0.0.1:\(port)", session, screenshot]
            let pipe = Pipe()
            process.standardOutput = pipe
            process.standardError = FileHandle.nullDevice
            try process.run()
            let output = pipe.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            #expect(process.terminationStatus == 0)
            guard case .object(let seen)? = try? JSONValue.parse(Array(output)), case .object(let numbers)? = seen["stats"],
                case .object(let total)? = api.json.object?["total"]
            else {
                Issue.record(Comment(rawValue: String(decoding: output, as: UTF8.self)))
                return
            }
            #expect(seen["title"] == .string("Monitor — Hotline Gateway"))
            #expect(seen["url"] == .string("/dashboard"))
            #expect(numbers["total.notices"] == .string({ if case .number(let n)? = total["notices"] { String(Int(n)) } else { "?" } }()))
            #expect(numbers["total.urls"] == .string({ if case .number(let n)? = total["urls"] { String(Int(n)) } else { "?" } }()))
            #expect(numbers["total.within_24h"] == .string({ if case .number(let n)? = total["within_24h"] { "\(Int((n * 100).rounded()))%" } else { "?" } }()))
            #expect(numbers["comply_or_explain"] == .string("1"))
            #expect(seen["hosters"] == .number(2))
            #expect(seen["flagged"] == .number(1))
            // Every chart is laid out and its non-empty bars have a size on screen.
            guard case .number(let drawn)? = seen["drawn"], case .number(let nonzero)? = seen["nonzero"], case .array(let charts)? = seen["charts"] else {
                Issue.record("no charts")
                return
            }
            #expect(drawn == nonzero)
            #expect(nonzero >= 3)
            // Three bar charts and the survival curve of the notices (no forwards were seeded).
            #expect(charts.count == 4)
            #expect(charts.allSatisfy { if case .number(let width)? = $0.object?["width"] { width > 100 } else { false } })
            #expect(FileManager.default.fileExists(atPath: screenshot))
            if let keep = ProcessInfo.processInfo.environment["HOTLINE_KEEP_SCREENSHOT"] { try? FileManager.default.copyItem(atPath: screenshot, toPath: keep) }
        }
    }
}

@Suite struct AuthorizationMatrixTests {
    /// Every API route with the roles that may use it.
    static let routes: [(HTTPRequest.Method, String, Set<String>)] = [
        (.post, "/v1/reports", ["reporter", "provider", "admin"]),
        (.get, "/v1/reports/nope", ["reporter", "analyst", "admin"]),
        (.get, "/v1/queue", ["analyst", "admin"]),
        (.post, "/v1/cases/nope/decision", ["analyst", "admin"]),
        (.get, "/v1/provider/notices", ["provider", "admin"]),
        (.post, "/v1/notices/nope/ack", ["provider", "admin"]),
        (.post, "/v1/hashcheck", ["provider", "admin"]),
        (.post, "/v1/admin/rules/reload", ["admin"]),
        (.get, "/v1/stats/summary", ["analyst", "admin"]),
        (.get, "/v1/stats/hosters", ["analyst", "admin"]),
        (.get, "/v1/stats/survival", ["analyst", "admin"]),
        (.get, "/v1/stats/online", ["analyst", "admin"]),
        (.get, "/v1/explanations", ["analyst", "admin"]),
        (.post, "/v1/explanations/nope/accept", ["analyst", "admin"]),
        (.get, "/v1/publications", ["analyst", "admin"]),
        (.get, "/v1/provider/explanations", ["provider", "admin"]),
    ]

    @Test func everyRouteAndRole() async throws {
        let fixture = try ServerFixture()
        defer { fixture.remove() }
        let app = Application(router: fixture.server.router())
        try await app.test(.router) { client in
            for (method, uri, allowed) in Self.routes {
                for role in [nil, "reporter", "provider", "analyst", "admin"] as [String?] {
                    let response = try await client.execute(uri: uri, method: method, headers: fixture.headers(role), body: body("{}"))
                    let code = response.status.code
                    if role == nil {
                        #expect(code == 401, "anonymous \(method) \(uri): \(code)")
                    } else if allowed.contains(role!) {
                        #expect(code != 401 && code != 403, "\(role!) \(method) \(uri): \(code)")
                    } else {
                        #expect(code == 403, "\(role!) \(method) \(uri): \(code)")
                    }
                }
            }
        }
    }

    @Test func guessingTokensIsSlowedPerAddress() async throws {
        let fixture = try ServerFixture()
        defer { fixture.remove() }
        let app = Application(router: fixture.server.router())
        try await app.test(.router) { client in
            var forged = HTTPFields()
            var statuses: [UInt16] = []
            for attempt in 0..<12 {
                forged[.authorization] = "Bearer hg_guess\(attempt)"
                statuses.append(UInt16(try await client.execute(uri: "/v1/queue", method: .get, headers: forged).status.code))
            }
            #expect(statuses == Array(repeating: 401, count: 10) + [429, 429])
            let blocked = try await client.execute(uri: "/v1/queue", method: .get, headers: forged)
            #expect(blocked.json.object?["detail"] == .string("too many unknown tokens from this address; try again later"))
            // The right token from that address is served all the same (issue 17.7).
            let served = try await client.execute(uri: "/v1/queue", method: .get, headers: fixture.headers("analyst"))
            #expect(served.status == .ok)
        }
    }
}
