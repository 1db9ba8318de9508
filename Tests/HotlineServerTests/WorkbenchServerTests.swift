import Foundation
import HTTPTypes
import HotlineApp
import HotlineCore
import HotlineServer
import HotlineTesting
import Hummingbird
import HummingbirdTesting
import Testing

/// A web of generated files: each URL serves one "image" whose hashes derive from a seed.
/// Nothing is decoded; the gateway's evidence stage sees what a fetch would have hashed.
final class GeneratedWeb: EvidenceGathering, @unchecked Sendable {
    private let lock = NSLock()
    private var served: [String: Int] = [:]

    func serve(_ url: String, seed: Int) {
        lock.lock()
        served[url] = seed
        lock.unlock()
    }

    static func hex(_ seed: Int, _ length: Int) -> String {
        var generator = SplitMix64(seed: UInt64(seed))
        return String((0..<length).map { _ in "0123456789abcdef".randomElement(using: &generator)! })
    }

    static func md5(_ seed: Int) -> String { hex(seed, 32) }

    func gather(_ url: CanonicalURL) -> FetchEvidence {
        lock.lock()
        let seed = served[url.canonical]
        lock.unlock()
        guard let seed else { return FetchEvidence(status: .gone, httpStatus: 404, detail: "HTTP 404") }
        let image = ObservedMedia(
            url: url.canonical, mediaType: "image/jpeg", bytes: 20_000, md5: Self.md5(seed), sha1: Self.hex(seed + 1, 40), sha256: Self.hex(seed + 2, 64),
            pdq: PDQHash(hex: Self.hex(seed + 3, 64)), quality: 90)
        return FetchEvidence(status: .ok, httpStatus: 200, mediaType: "image/jpeg", bytes: 20_000, mediaFound: 0, media: [image])
    }
}

/// The analysts' workbench: verdicts that become the hotline's hash memory under four
/// eyes, taken cases and holds, over the API and in a real browser.
@Suite(.serialized) struct WorkbenchServerTests {
    let web = GeneratedWeb()

    /// Reports a URL and lets the evidence stage decide it; returns the case id.
    func report(_ url: String, seed: Int, fixture: ServerFixture, client: some TestClientProtocol) async throws -> String {
        web.serve(url, seed: seed)
        let response = try await client.execute(uri: "/v1/reports", method: .post, headers: fixture.headers("reporter"), body: body(#"{"url": "\#(url)"}"#))
        #expect(response.status == .accepted, "\(response.text)")
        let runtime = fixture.runtime
        _ = try runtime.assembly.evidenceStage(parts: runtime.parts, store: fixture.store, gatherer: web).runUntilIdle()
        let reportID = try #require(response.json.object?["report_id"].flatMap { if case .string(let id) = $0 { id } else { nil } }, "\(response.text)")
        return try #require(try fixture.store.caseID(reportID: reportID))
    }

    func lastDecision(_ fixture: ServerFixture, caseID: String) -> Decision? { fixture.store.allDecisions.last { $0.caseID == caseID } }

    @Test func aVerdictConfirmedByASecondAnalystDecidesTheSameContentElsewhereWithoutAPerson() async throws {
        let fixture = try ServerFixture(fetchIntake: true)
        defer { fixture.remove() }
        let app = Application(router: fixture.server.router())
        try await app.test(.router) { client in
            let first = try await report("http://198.51.100.7/a.jpg", seed: 1, fixture: fixture, client: client)
            #expect(lastDecision(fixture, caseID: first)?.verdict.outcome == .escalate)
            let take = try await client.execute(uri: "/v1/cases/\(first)/take", method: .post, headers: fixture.headers("analyst"))
            #expect(take.status == .ok, "\(take.text)")
            let other = try await client.execute(uri: "/v1/cases/\(first)/take", method: .post, headers: fixture.headers("second-analyst"))
            #expect(other.status == .conflict)
            let decision = #"{"action":"notify","to":"hosting","classification":"A1","reason":"assessed: A1"}"#
            let blocked = try await client.execute(
                uri: "/v1/cases/\(first)/decision", method: .post, headers: fixture.headers("second-analyst"), body: body(decision))
            #expect(blocked.status == .conflict, "the case is taken")
            let decided = try await client.execute(uri: "/v1/cases/\(first)/decision", method: .post, headers: fixture.headers("analyst"), body: body(decision))
            #expect(decided.status == .created, "\(decided.text)")
            guard case .string(let verdictID)? = decided.json.object?["verdict_id"] else {
                Issue.record("no verdict: \(decided.text)")
                return
            }
            let pending = try await client.execute(uri: "/v1/verdicts", method: .get, headers: fixture.headers("analyst"))
            #expect({ if case .array(let items)? = pending.json.object?["items"] { items.count } else { -1 } }() == 1)
            let own = try await client.execute(uri: "/v1/verdicts/\(verdictID)/confirm", method: .post, headers: fixture.headers("analyst"), body: body("{}"))
            #expect(own.status == .forbidden, "four eyes: \(own.text)")
            // Nothing matches before the second analyst confirms.
            #expect(fixture.runtime.parts.hashIndex.matches(.md5, GeneratedWeb.md5(1)).isEmpty)
            let confirmed = try await client.execute(
                uri: "/v1/verdicts/\(verdictID)/confirm", method: .post, headers: fixture.headers("second-analyst"), body: body("{}"))
            #expect(confirmed.status == .ok, "\(confirmed.text)")
            #expect(confirmed.json.object?["status"] == .string("confirmed"))
            #expect(fixture.runtime.parts.hashIndex.matches(.md5, GeneratedWeb.md5(1)).map(\.list) == ["assessed"])

            // The same file at another address of the same hoster: decided by the rules.
            let second = try await report("http://198.51.100.8/b.jpg", seed: 1, fixture: fixture, client: client)
            let automatic = try #require(lastDecision(fixture, caseID: second))
            #expect(automatic.verdict.rule == "known-material-at-local-hoster", "\(automatic.facts.json)")
            #expect(automatic.facts[.hashList] == .string("assessed"))
            #expect(automatic.facts[.hashSource] == .string("observed"))
            #expect(automatic.facts[.hashClassification] == .string("A1"))

            // Not illegal, confirmed: the file can never be known, even if a list holds it.
            let third = try await report("http://198.51.100.9/c.jpg", seed: 50, fixture: fixture, client: client)
            let closed = try await client.execute(
                uri: "/v1/cases/\(third)/decision", method: .post, headers: fixture.headers("analyst"),
                body: body(#"{"action":"close","classification":"not_illegal","reason":"adult, not CSAM"}"#))
            guard case .string(let falseID)? = closed.json.object?["verdict_id"] else {
                Issue.record("no verdict: \(closed.text)")
                return
            }
            _ = try await client.execute(uri: "/v1/verdicts/\(falseID)/confirm", method: .post, headers: fixture.headers("second-analyst"), body: body("{}"))
            _ = try fixture.store.importEntries([HashListEntry(algorithm: .md5, value: GeneratedWeb.md5(50), classification: .A1)], into: "police")
            fixture.runtime.reloadHashesIfChanged()
            let fourth = try await report("http://198.51.100.10/d.jpg", seed: 50, fixture: fixture, client: client)
            let spared = try #require(lastDecision(fixture, caseID: fourth))
            #expect(spared.facts[.hashMatch] == .string("allowlisted"), "\(spared.facts.json)")
            #expect(spared.verdict.outcome == .escalate)
            let events = fixture.store.auditLog.map(\.event)
            #expect(events.filter { $0 == "verdict.confirmed" }.count == 2)
            #expect(events.contains("case.taken"))
        }
    }

    @Test func holdsArePlacedOverTheAPIAndTheRulesSeeThem() async throws {
        let fixture = try ServerFixture(fetchIntake: true)
        defer { fixture.remove() }
        let app = Application(router: fixture.server.router())
        try await app.test(.router) { client in
            let refused = try await client.execute(
                uri: "/v1/holds", method: .post, headers: fixture.headers("analyst"),
                body: body(#"{"scope":"network","value":"198.51.100.1/24","until":"7d","reason":"x"}"#))
            #expect(refused.status == .unprocessableContent, "host bits set: \(refused.text)")
            let placed = try await client.execute(
                uri: "/v1/holds", method: .post, headers: fixture.headers("analyst"),
                body: body(#"{"scope":"network","value":"198.51.100.0/24","until":"7d","reason":"police investigation","police":true}"#))
            #expect(placed.status == .created, "\(placed.text)")
            let reporter = try await client.execute(uri: "/v1/holds", method: .get, headers: fixture.headers("reporter"))
            #expect(reporter.status == .forbidden)
            let caseID = try await report("http://198.51.100.7/a.jpg", seed: 3, fixture: fixture, client: client)
            let decision = try #require(lastDecision(fixture, caseID: caseID))
            #expect(decision.facts[.holdActive] == .bool(true))
            #expect(decision.facts[.holdPolice] == .bool(true))
            #expect(decision.facts[.holdScope] == .string("network"))
            guard case .string(let id)? = placed.json.object?["id"] else { return }
            let ended = try await client.execute(uri: "/v1/holds/\(id)/end", method: .post, headers: fixture.headers("analyst"))
            #expect(ended.status == .ok)
            let again = try await client.execute(uri: "/v1/holds/\(id)/end", method: .post, headers: fixture.headers("analyst"))
            #expect(again.status == .conflict)
        }
    }

    /// Runs the browser over `steps`; returns the pages it saw and the requests it made.
    func browse(_ chromium: String, port: Int, _ steps: [[String: String]], directory: URL = FileManager.default.temporaryDirectory) throws -> (
        pages: [[String: Any]], requests: [String]
    ) {
        let script = ServerFixture.root.appendingPathComponent("Tests/HotlineServerTests/Browser/workbench_check.py").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        let json = String(decoding: try JSONSerialization.data(withJSONObject: steps), as: UTF8.self)
        process.arguments = ["python3", script, chromium, "http://127.0.0.1:\(port)", json]
        let pipe = Pipe()
        let errors = directory.appendingPathComponent("browser-\(UUID().uuidString).err")
        _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
        process.standardOutput = pipe
        process.standardError = try FileHandle(forWritingTo: errors)
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\((try? String(contentsOf: errors, encoding: .utf8)) ?? "")")
        if let dump = ProcessInfo.processInfo.environment["HOTLINE_DUMP_BROWSER"] { try? output.write(to: URL(fileURLWithPath: dump + "-\(steps.count).json")) }
        let object = try #require(try JSONSerialization.jsonObject(with: output) as? [String: Any], "\(String(decoding: output, as: UTF8.self))")
        return (object["pages"] as? [[String: Any]] ?? [], object["requests"] as? [String] ?? [])
    }

    /// What must hold of every page: nothing that can show material, no link to a reported
    /// URL (every link is one of the gateway's own paths), no reported URL in clickable form,
    /// and no request to anyone but the gateway.
    func expectNothingShown(_ seen: (pages: [[String: Any]], requests: [String]), port: Int) {
        for page in seen.pages {
            let path = page["path"] as? String ?? "?"
            #expect(page["missing"] == nil, "a step found nothing to click: \(page)")
            #expect(page["media"] as? Int == 0, "media elements on \(path)")
            let links = page["links"] as? [String] ?? []
            #expect(links.allSatisfy { $0.hasPrefix("/") && !$0.hasPrefix("//") }, "a link off the gateway on \(path): \(links)")
            #expect(!links.contains { $0.contains("198.51.100") }, "a link to a reported URL on \(path)")
            let text = page["text"] as? String ?? ""
            #expect(!text.contains("http://198.51.100"), "a reported URL as plain text on \(path)")
        }
        #expect(seen.requests.allSatisfy { $0.hasPrefix("http://127.0.0.1:\(port)/") }, "requests off the gateway: \(seen.requests)")
    }

    func signInSteps(_ token: String) -> [[String: String]] {
        [["go": "/dashboard/login"], ["fill": "input[name=token]", "value": token], ["click": "#signin button"]]
    }

    @Test(.enabled(if: MonitorServerTests.chromium != nil || ProcessInfo.processInfo.environment["CI"] != nil))
    func analystsWorkTheQueueInABrowserAndNeverSeeMaterial() async throws {
        let chromium = try #require(MonitorServerTests.chromium, "make test-deps installs chromium")
        let fixture = try ServerFixture(fetchIntake: true)
        defer { fixture.remove() }
        let app = Application(router: fixture.server.router(), configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in
            guard let port = client.port else {
                Issue.record("no port")
                return
            }
            let first = try await report("http://198.51.100.7/a.jpg", seed: 7, fixture: fixture, client: client)
            // The first analyst signs in, takes the case, decides it, and cannot confirm their own verdict.
            let one = try browse(
                chromium, port: port,
                signInSteps(fixture.tokens["analyst"]!) + [
                    ["go": "/dashboard/queue"], ["click": "#queue a.open"], ["click": "#take button"],
                    ["choose": "#decide select[name=action]", "value": "notify"], ["choose": "#decide select[name=to]", "value": "hosting"],
                    ["choose": "#decide select[name=classification]", "value": "A1"], ["fill": "#decide textarea[name=reason]", "value": "assessed: A1"],
                    ["click": "#decide button"], ["go": "/dashboard/verdicts"], ["click": "form[id^=confirm-] button"], ["go": "/dashboard/verdicts?lang=nl"],
                    ["click": "#signout button"],
                ])
            expectNothingShown(one, port: port)
            let paths = one.pages.map { $0["path"] as? String ?? "" }
            #expect(paths.first { $0.hasPrefix("/dashboard/cases/") } == "/dashboard/cases/\(first)", "\(paths)")
            #expect(one.pages.contains { ($0["done"] as? String) == "The case is yours." })
            #expect(one.pages.contains { ($0["done"] as? String) == "The decision is recorded." })
            #expect(one.pages.contains { ($0["error"] as? String)?.hasPrefix("four eyes:") == true }, "\(one.pages.map { $0["error"] ?? "" })")
            #expect(one.pages.contains { ($0["title"] as? String)?.hasPrefix("Oordelen") == true }, "Dutch")
            #expect(paths.last == "/dashboard/login", "signed out")
            #expect(fixture.runtime.parts.hashIndex.matches(.md5, GeneratedWeb.md5(7)).isEmpty)

            // The second analyst confirms; then the same file at another URL is decided by the rules.
            let two = try browse(
                chromium, port: port,
                signInSteps(fixture.tokens["second-analyst"]!) + [
                    ["go": "/dashboard/verdicts"], ["click": "form[id^=confirm-] button"], ["go": "/dashboard/cases/\(first)"], ["go": "/dashboard/lists"],
                    ["go": "/dashboard/rules"], ["go": "/dashboard/notices"], ["go": "/dashboard/holds"], ["go": "/dashboard"],
                ])
            expectNothingShown(two, port: port)
            #expect(two.pages.contains { ($0["done"] as? String) == "Confirmed: its hashes match from now on." }, "\(two.pages.map { $0["error"] ?? "" })")
            let caseText = two.pages.first { ($0["path"] as? String) == "/dashboard/cases/\(first)" }?["text"] as? String ?? ""
            #expect(caseText.contains("hxxp://198[.]51[.]100[.]7/a.jpg"), "defanged")
            #expect(caseText.contains("assessed (A1)"), "the observed hash now matches the hotline's own list")
            let second = try await report("http://198.51.100.8/b.jpg", seed: 7, fixture: fixture, client: client)
            #expect(lastDecision(fixture, caseID: second)?.verdict.rule == "known-material-at-local-hoster")

            // A form without its CSRF token does nothing; an expired session goes back to sign-in.
            let forged = try browse(
                chromium, port: port,
                signInSteps(fixture.tokens["analyst"]!) + [
                    ["go": "/dashboard/holds"], ["remove": "#add-hold input[name=csrf]"], ["fill": "#add-hold input[name=value]", "value": "example.com"],
                    ["fill": "#add-hold input[name=reason]", "value": "forged"], ["click": "#add-hold button"],
                ])
            #expect(forged.pages.last?["error"] as? String == "The form had expired or did not come from this site; nothing was done.")
            #expect(try fixture.store.holds(limit: 10).isEmpty)
            let session = try #require(try await MonitorServerTests().signIn(client, token: fixture.tokens["analyst"]!).session)
            (fixture.runtime.time as! ManualTimeSource).advance(by: 31 * 60)
            let expired = try browse(chromium, port: port, [["cookie": session], ["go": "/dashboard/queue"]])
            #expect(expired.pages.last?["path"] as? String == "/dashboard/login")
        }
    }
}

/// The workbench's pages over the router: filters, paging, headers, languages, lookups,
/// and a second instance that follows the first one's confirmed verdicts.
@Suite struct WorkbenchPageTests {
    @Test func theQueueFiltersByHosterAndThePagesAreStrictAndBilingual() async throws {
        let fixture = try ServerFixture(fetchIntake: true)
        defer { fixture.remove() }
        let app = Application(router: fixture.server.router())
        try await app.test(.router) { client in
            let tests = WorkbenchServerTests()
            _ = try await tests.report("http://198.51.100.7/a.jpg", seed: 1, fixture: fixture, client: client)
            _ = try await tests.report("http://203.0.113.9/b.jpg", seed: 2, fixture: fixture, client: client)
            let session = try #require(try await MonitorServerTests().signIn(client, token: fixture.tokens["analyst"]!).session)
            var cookie = HTTPFields()
            cookie[.cookie] = "hg_session=\(session)"
            let all = try await client.execute(uri: "/dashboard/queue", method: .get, headers: cookie)
            #expect(all.status == .ok)
            #expect(all.headers[.contentSecurityPolicy] == "default-src 'none'; style-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
            #expect(all.text.components(separatedBy: "class=\"open\"").count - 1 == 2)
            #expect(all.text.contains("hxxp://203[.]0[.]113[.]9/b.jpg"))
            #expect(!all.text.contains("http://203.0.113.9"), "never a clickable URL")
            let filtered = try await client.execute(uri: "/dashboard/queue?hoster=Hoster%20B", method: .get, headers: cookie)
            #expect(filtered.text.components(separatedBy: "class=\"open\"").count - 1 == 1)
            #expect(filtered.text.contains("hxxp://203[.]0[.]113[.]9/b.jpg") && !filtered.text.contains("198[.]51[.]100[.]7"))
            let dutch = try await client.execute(uri: "/dashboard/queue?lang=nl", method: .get, headers: cookie)
            #expect(dutch.text.contains("<html lang=\"nl\">") && dutch.text.contains("Wachtrij voor analisten"))
            #expect(dutch.headers[.setCookie]?.hasPrefix("hg_lang=nl; Path=/dashboard; HttpOnly; Secure; SameSite=Strict") == true)
            let css = try await client.execute(uri: "/dashboard/static/workbench.css", method: .get)
            #expect(css.headers[.contentType] == "text/css; charset=utf-8")
            let lookup = try await client.execute(uri: "/dashboard/lists?algorithm=md5&value=0123456789ABCDEF0123456789abcdef", method: .get, headers: cookie)
            #expect(lookup.text.contains("police (A1)"), "the fixture's police list holds it")
            // Without a session: sign in first; a post without the form's token does nothing.
            let anonymous = try await client.execute(uri: "/dashboard/cases/x", method: .get)
            #expect(anonymous.status == .seeOther && anonymous.headers[.location] == "/dashboard/login")
            var form = cookie
            form[.contentType] = "application/x-www-form-urlencoded"
            let forged = try await client.execute(
                uri: "/dashboard/holds", method: .post, headers: form, body: body("scope=domain&value=example.com&until=7d&reason=x"))
            #expect(forged.status == .forbidden)
            #expect(try fixture.store.holds(limit: 1).isEmpty)
        }
    }

    @Test func aSecondInstanceMatchesWhatTheFirstConfirmed() throws {
        let fixture = try ServerFixture()
        defer { fixture.remove() }
        let other = try fixture.runtime.assembly.runtime(store: fixture.store)
        #expect(other.reloadHashesIfChanged() == nil, "nothing changed")
        _ = try fixture.store.importEntries([HashListEntry(algorithm: .sha1, value: String(repeating: "3", count: 40), classification: .B1)], into: "police")
        #expect(other.parts.hashIndex.matches(.sha1, String(repeating: "3", count: 40)).isEmpty)
        #expect(other.reloadHashesIfChanged() != nil)
        #expect(other.parts.hashIndex.matches(.sha1, String(repeating: "3", count: 40)).map(\.list) == ["police"])
    }
}
