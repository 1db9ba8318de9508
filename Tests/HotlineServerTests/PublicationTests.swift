import Foundation
import HTTPTypes
import HotlineApp
import HotlineConfig
import HotlineCore
import HotlineServer
import HotlineTesting
import Hummingbird
import HummingbirdTesting
import Testing

/// Issue 21.4 and 21.5: a listed hoster explains itself, an analyst accepts it, and the public
/// list goes out through draft, review and publication, holding organisations and counts only.
@Suite(.serialized) struct PublicationTests {
    /// One forward to a partner on top of the seeded notices, so the site has both channels.
    func seedForward(_ store: InMemoryStore, now: Date) throws {
        let sent = now.addingTimeInterval(-50 * 3600)
        let subject = ReportedURL(
            reportID: "rf", caseID: "cf", decisionID: "df", url: "http://203.0.113.9/abroad.jpg", host: "203.0.113.9",
            hashes: ["md5": "0123456789abcdef0123456789abcdef"])
        var item = NoticeItem(
            itemID: "if", subject: subject, hosting: HostingSnapshot(ip: "203.0.113.9", asn: 64511, country: "DE", org: "Abroad Hosting"),
            classification: "A1", detectionMethod: "hash_match", xarfReportID: UUIDv4.random())
        item.state = .removed
        item.removedAt = sent.addingTimeInterval(30 * 3600)
        try store.insertNotice(
            Notice(
                id: "nf", reference: "HG-NF", kind: .forward,
                recipient: Recipient(target: .partner, name: "Partner Hotline DE", addresses: ["reports@partner.test"]), template: "inhope-forward",
                status: .removed, createdAt: sent, sentAt: sent, deadlineSpan: nil, items: [item]), messages: [], consumedItems: [], event: nil)
    }

    func post(_ client: some TestClientProtocol, _ fixture: ServerFixture, _ uri: String, role: String, _ json: String) async throws -> TestResponse {
        try await client.execute(uri: uri, method: .post, headers: fixture.headers(role), body: body(json))
    }

    /// Every file of a published edition, read back.
    func files(_ directory: String) throws -> [String: String] {
        var result: [String: String] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: directory) {
            result[name] = try String(contentsOfFile: (directory as NSString).appendingPathComponent(name), encoding: .utf8)
        }
        return result
    }

    @Test func explanationsThroughReviewToAPublishedSiteWithItsManifest() async throws {
        let fixture = try ServerFixture(extra: "monitor: { within_24h_percent: 90, min_notices: 3, review_window: 7d }")
        defer { fixture.remove() }
        let clock = try #require(fixture.runtime.time as? ManualTimeSource)
        let start = clock.now()
        try seedNotices(fixture.store, now: start)
        try seedForward(fixture.store, now: start)
        // Who serves the listed hoster (AS64500): two providers and a peer, in CAIDA's format.
        let (relationships, problems) = ASRelationship.parse("# as-rel\n64496|64500|-1\n64497|64500|-1\n64500|64499|0\nbroken line\n")
        #expect(problems.map(\.line) == [5])
        try fixture.store.replaceASRelationships(
            relationships, source: "test", audit: AuditEntry(at: start, actor: "test", event: "ipdb.as_rel", detail: [:]))
        let out = fixture.directory.appendingPathComponent("site").path
        let desk = PublicationDesk(store: fixture.store, config: fixture.runtime.config, directory: fixture.runtime.parts.directoryFile)

        // The draft lists the slow hoster and nobody else.
        let drafted = try desk.run(since: .hours(30 * 24), out: out, at: start, actor: "cli:operator")
        #expect(drafted.step == .drafted)
        #expect(drafted.publication.version == 1 && drafted.publication.listed == ["hoster-b"])
        let draft = try files(out + "/draft")
        #expect(draft["index.html"]?.contains("Draft for review") == true)
        let since = RFC3339.format(drafted.publication.since)
        let until = RFC3339.format(drafted.publication.until)

        let app = Application(router: fixture.server.router())
        try await app.test(.router) { client in
            try await scenario(client, fixture: fixture, clock: clock, desk: desk, out: out, since: since, until: until)
        }
    }

    func scenario(
        _ client: some TestClientProtocol, fixture: ServerFixture, clock: ManualTimeSource, desk: PublicationDesk, out: String, since: String, until: String
    ) async throws {
        do {
            let period = #""since":"\#(since)","until":"\#(until)""#
            // A hoster that is not listed cannot explain; the listed one cannot publish a URL or a hash.
            let notListed = try await post(client, fixture, "/v1/provider/explanations", role: "provider", #"{\#(period),"text":"We act fast."}"#)
            #expect(notListed.status == .conflict, "\(notListed.text)")
            let withURL = try await post(
                client, fixture, "/v1/provider/explanations", role: "other-provider", #"{\#(period),"text":"See https://example.com/x"}"#)
            #expect(withURL.status == .unprocessableContent, "\(withURL.text)")
            let withHash = try await post(
                client, fixture, "/v1/provider/explanations", role: "other-provider", #"{\#(period),"text":"hash 0123456789abcdef0123456789abcdef"}"#)
            #expect(withHash.status == .unprocessableContent)
            let reporter = try await post(client, fixture, "/v1/provider/explanations", role: "reporter", #"{\#(period),"text":"x"}"#)
            #expect(reporter.status == .forbidden)
            let listing = try await client.execute(uri: "/v1/provider/listing", method: .get, headers: fixture.headers("other-provider"))
            #expect(listing.json.object?["listed"] == .bool(true))
            #expect(listing.json.object?["draft"]?.object?["version"] == .number(1))
            let text = "Our abuse desk was short-staffed in this period; we have since added a night shift & automated takedown."
            let filed = try await post(client, fixture, "/v1/provider/explanations", role: "other-provider", #"{\#(period),"text":"\#(text)"}"#)
            #expect(filed.status == .created, "\(filed.text)")
            let id = try #require(filed.json.object?["id"].flatMap { if case .string(let s) = $0 { s } else { nil } })
            #expect(filed.json.object?["status"] == .string("pending"))
            // Each role its own door: the hoster cannot accept it, another hoster cannot see it.
            let byHoster = try await post(client, fixture, "/v1/explanations/\(id)/accept", role: "other-provider", #"{"reason":"x"}"#)
            #expect(byHoster.status == .forbidden)
            let others = try await client.execute(uri: "/v1/provider/explanations", method: .get, headers: fixture.headers("provider"))
            #expect(others.json.object?["items"] == .array([]))
            let noReason = try await post(client, fixture, "/v1/explanations/\(id)/accept", role: "analyst", #"{}"#)
            #expect(noReason.status == .badRequest)
            let accepted = try await post(client, fixture, "/v1/explanations/\(id)/accept", role: "analyst", #"{"reason":"credible, with a remedy"}"#)
            #expect(accepted.status == .ok && accepted.json.object?["status"] == .string("accepted"))
            let twice = try await post(client, fixture, "/v1/explanations/\(id)/reject", role: "analyst", #"{"reason":"late"}"#)
            #expect(twice.status == .conflict)
            // A second one, rejected on the workbench's page: it is never published.
            let second = try await post(
                client, fixture, "/v1/provider/explanations", role: "other-provider", #"{\#(period),"text":"Nobody told us about the rules."}"#)
            let secondID = try #require(second.json.object?["id"].flatMap { if case .string(let s) = $0 { s } else { nil } })
            let session = try #require(try await MonitorServerTests().signIn(client, token: fixture.tokens["analyst"]!).session)
            var headers = HTTPFields()
            headers[.cookie] = "hg_session=\(session)"
            let page = try await client.execute(uri: "/dashboard/explanations", method: .get, headers: headers)
            #expect(page.text.contains("Nobody told us about the rules.") && page.text.contains("/dashboard/explanations/\(secondID)/reject"))
            #expect(page.text.contains(#"id="publications""#), "the editions are listed")
            let csrf = try #require(page.text.firstRange(of: #"name="csrf" value=""#).map { String(page.text[$0.upperBound...].prefix { $0 != "\"" }) })
            headers[.contentType] = "application/x-www-form-urlencoded"
            let rejected = try await client.execute(
                uri: "/dashboard/explanations/\(secondID)/reject", method: .post, headers: headers, body: body("csrf=\(csrf)&reason=no+remedy+offered"))
            #expect(rejected.status == .seeOther && rejected.headers[.location] == "/dashboard/explanations?done=explanationrejected")
            #expect(try fixture.store.explanation(id: secondID)?.status == .rejected)
            let audit = fixture.store.auditLog.map(\.event)
            #expect(audit.contains("explanation.filed") && audit.contains("explanation.accepted") && audit.contains("publication.drafted"))

            // During the window the draft is kept up to date; after it, the edition is published.
            clock.advance(by: 86_400)
            let reviewing = try desk.run(since: .hours(30 * 24), out: out, at: clock.now(), actor: "cli:operator")
            #expect(reviewing.step == .inReview)
            #expect(try files(out + "/draft")["index.html"]?.contains("night shift") == true)
            clock.advance(by: 7 * 86_400)
            let published = try desk.run(since: .hours(30 * 24), out: out, at: clock.now(), actor: "cli:operator")
            #expect(published.step == .published && published.publication.version == 1)
            let site = try files(out + "/v1")
            #expect(
                Set(site.keys) == [
                    "index.html", "data.json", "hosters.csv", "cooperating.csv", "comply-or-explain.csv", "forwards.csv", "survival.csv",
                    "survival-summary.csv", "style.css", "manifest.sha256",
                ])
            #expect(site["index.html"]?.contains("Draft for review") == false)
            // The manifest checks with sha256sum, and its own hash is the one recorded.
            let check = Process()
            check.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
            check.arguments = ["--check", "--strict", "manifest.sha256"]
            check.currentDirectoryURL = URL(fileURLWithPath: out + "/v1")
            check.standardOutput = FileHandle.nullDevice
            try check.run()
            check.waitUntilExit()
            #expect(check.terminationStatus == 0)
            #expect(try fixture.store.publications().first?.manifestSHA256 == published.manifestSHA256)
            #expect(try String(contentsOfFile: out + "/latest.json", encoding: .utf8).contains(#""version":1"#))
            #expect(try String(contentsOfFile: out + "/index.html", encoding: .utf8).contains("v1/index.html"))

            // Organisations, networks, countries and counts only: no URL, host, reference or hash.
            for (name, content) in site where name != "manifest.sha256" {
                for leak in ["198.51.100.", "203.0.113.9", "x.jpg", "abroad.jpg", "HG-N", "0123456789abcdef", "http", "hoster-b"] {
                    #expect(!content.contains(leak), "\(name) holds \(leak)")
                }
                #expect(PublicationSite.leaks(in: content) == nil, "\(name)")
            }
            let html = try #require(site["index.html"])
            #expect(html.contains("night shift &amp; automated takedown"))
            #expect(!html.contains("Nobody told us"), "a rejected explanation is not published")
            #expect(html.contains("AS64496") && html.contains("AS64497") && !html.contains("AS64499"), "providers only, not peers")

            // Its numbers are the API's for the same period.
            let api = try await client.execute(uri: "/v1/stats/hosters?since=\(since)&until=\(until)", method: .get, headers: fixture.headers("analyst"))
            let data = try JSONValue.parse(try #require(site["data.json"]))
            #expect(data.object?["total"]?.object?["urls"] == api.json.object?["total"]?.object?["urls"])
            #expect(data.object?["total"]?.object?["within_24h"] == api.json.object?["total"]?.object?["within_24h"])
            #expect(data.object?["forwards"]?.object?["urls"] == api.json.object?["forwards"]?.object?["total"]?.object?["urls"])
            let listed = data.object?["comply_or_explain"]?.arrayValue?.compactMap { $0.object?["hoster"]?.object?["key"] }
            let apiListed = api.json.object?["comply_or_explain"]?.arrayValue?.compactMap { $0.object?["hoster"]?.object?["key"] }
            #expect(listed == apiListed && listed == [.string("Slow Hosting")])
            #expect(api.json.object?["comply_or_explain"]?.arrayValue?.first?.object?["upstreams"] == .array([.number(64496), .number(64497)]))
            #expect(data.object?["cooperating"]?.arrayValue?.compactMap { $0.object?["key"] } == [.string("Quick Hosting")])
            let survival = try await client.execute(uri: "/v1/stats/survival?since=\(since)&until=\(until)", method: .get, headers: fixture.headers("analyst"))
            let apiNotice = survival.json.object?["curves"]?.arrayValue?.first { $0.object?["key"] == .string("notice") }
            let siteNotice = data.object?["curves"]?.arrayValue?.first { $0.object?["key"] == .string("notice") }
            #expect(apiNotice?.object?["median"] == siteNotice?.object?["median"] && apiNotice != nil)

            // In a browser, as a reader opens it.
            guard let chromium = MonitorServerTests.chromium else {
                #expect(ProcessInfo.processInfo.environment["CI"] == nil, "make test-deps installs chromium")
                return
            }
            let script = ServerFixture.root.appendingPathComponent("Tests/HotlineServerTests/Browser/publication_check.py").path
            let (status, output) = try Self.python([script, chromium, "file://" + out + "/v1/index.html"])
            #expect(status == 0, "\(output)")
            guard case .object(let seen) = try JSONValue.parse(output), case .object(let stats)? = seen["stats"] else {
                Issue.record(Comment(rawValue: output))
                return
            }
            #expect(seen["title"] == .string("Notice-and-takedown statistics 1 — Test Hotline"))
            #expect(seen["draft"] == .bool(false) && seen["urlLike"] == .bool(false))
            #expect(seen["stylesheet"] == .string("collapse"), "style.css loads beside the page")
            func number(_ value: JSONValue?) -> String { if case .number(let n)? = value { String(Int(n)) } else { "?" } }
            #expect(stats["total.urls"] == .string(number(api.json.object?["total"]?.object?["urls"])))
            #expect(stats["total.notices"] == .string(number(api.json.object?["total"]?.object?["notices"])))
            #expect(stats["forwards.urls"] == .string(number(api.json.object?["forwards"]?.object?["total"]?.object?["urls"])))
            #expect(stats["version"] == .string("1") && stats["since"] == .string(since))
            #expect(seen["listed"]?.arrayValue?.count == 1 && seen["cooperating"]?.arrayValue?.count == 1)
            let charts = seen["charts"]?.arrayValue ?? []
            #expect(charts.count >= 3, "both channels and the named hosters")
            #expect(
                charts.allSatisfy {
                    if case .number(let drawn)? = $0.object?["drawnWidth"], case .number(let width)? = $0.object?["width"] {
                        drawn > 100 && width > 300
                    } else {
                        false
                    }
                }, "\(charts)")
        }
    }

    /// Runs python3 with `arguments`; (status, standard output).
    static func python(_ arguments: [String]) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
