import Foundation
import HotlineCore
import HotlineNet
import HotlineTesting
import Testing

/// The gateway's own evidence end to end: the shipped rules, the loopback hoster serving
/// generated pages and images, a known-hash list of what it serves.
@Suite(.serialized, .enabled(if: TestHosterServer.available)) struct EvidenceCLITests {
    struct Site {
        let hoster: TestHosterServer
        let directory: URL
        var data: String { directory.appendingPathComponent("data").path }
        var config: String { directory.appendingPathComponent("hotline.yaml").path }

        init(lease: String = "2m", listed: [String], extra: String = "") throws {
            hoster = try TestHosterServer(secret: "unused")
            directory = try CLI.temporaryDirectory()
            let root = CLI.root.path
            try """
            version: 1
            hotline: { name: Test Hotline, country: NL, email: notices@hotline.test, domain: hotline.test }
            rules: \(root)/Rules
            contacts: contacts.yaml
            templates: \(root)/Config/templates
            smtp: { host: 127.0.0.1, port: 1, security: none }
            fetch: { allow: [127.0.0.0/8], timeout: 3s, intake: { enabled: true, lease: \(lease) } }
            \(extra)
            """.write(toFile: config, atomically: true, encoding: .utf8)
            try """
            version: 1
            contacts:
              - { id: loopback-hosting, name: Loopback Hosting B.V., prefixes: ["127.0.0.0/8"], country: NL, abuse: [abuse@loopback-hosting.test], ntd_member: true }
            """.write(to: directory.appendingPathComponent("contacts.yaml"), atomically: true, encoding: .utf8)
            let md5s = try listed.map { ContentDigestSet(try HTTPClient(timeout: 5).get(hoster.url($0), accept: "*/*").body).md5 }
            try (["md5,classification"] + md5s.map { "\($0),A1" }).joined(separator: "\n").write(
                to: directory.appendingPathComponent("list.csv"), atomically: true, encoding: .utf8)
            let imported = try run(["hashes", "import", "--format", "csv", "--list", "police", "list.csv"])
            #expect(imported.status == 0, "\(imported.stderr)")
        }

        func run(_ arguments: [String], stdin: String? = nil, environment: [String: String] = [:]) throws -> CLI.Result {
            try CLI.run(arguments + ["--config", config, "--data-dir", data], stdin: stdin, in: directory, environment: environment)
        }

        func decisions(_ result: CLI.Result) -> [[String: Any]] {
            result.finalLines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        }

        func facts(of reportID: String) throws -> [String: Any] {
            let text = try FaultCLITests.sqlite(data + "/hotline.sqlite", "select facts from decisions where report_id = '\(reportID)'")
            return try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        }

        func remove() { try? FileManager.default.removeItem(at: directory) }
    }

    @Test func aURLOnlyReportOfAPageHoldingAListedImageIsNotifiedAndAnUnlistedOneGoesToAnAnalyst() throws {
        let site = try Site(listed: ["/image/listed.jpg"])
        defer { site.remove() }
        let reports =
            [
                #"{"url": "\#(site.hoster.url("/page/p1?images=listed,other"))"}"#,
                #"{"url": "\#(site.hoster.url("/page/p2?images=unlisted"))"}"#,
                #"{"url": "\#(site.hoster.url("/image/listed.jpg"))", "source": {"type": "crawler"}}"#,
            ].joined(separator: "\n") + "\n"
        let ingest = try site.run(["ingest", "--wait", "-"], stdin: reports)
        #expect(ingest.status == 0, "\(ingest.stderr)")
        #expect(ingest.lines.prefix(3).allSatisfy { $0.contains(#""outcome":"pending""#) }, "\(ingest.stdout)")
        let decided = site.decisions(ingest)
        #expect(decided.map { $0["rule"] as? String } == ["known-material-at-local-hoster", "default", "known-material-at-local-hoster"], "\(ingest.stdout)")
        let facts = try site.facts(of: try #require(decided[0]["report_id"] as? String))
        #expect(facts["hash.match"] as? String == "known")
        #expect(facts["hash.source"] as? String == "observed")
        #expect(facts["fetch.status"] as? String == "ok")
        #expect(facts["fetch.media_type"] as? String == "text/html")
        #expect(facts["fetch.media_found"] as? Int == 3)
        #expect(facts["fetch.media_hashed"] as? Int == 3)
        #expect(facts["report.has_hashes"] as? Bool == false)
        let unlisted = try site.facts(of: try #require(decided[1]["report_id"] as? String))
        #expect(unlisted["hash.match"] as? String == "none")
        #expect(
            ingest.stderr.contains("ingest: 3 lines: 3 new reports, 0 already known by client id, 0 rejected; outcomes: escalate 1, notify 2"),
            "\(ingest.stderr)")
    }

    @Test func aListedHashReportedBesideAnInnocentPageSendsNoNotice() throws {
        let site = try Site(listed: ["/image/listed.jpg"])
        defer { site.remove() }
        let listed = ContentDigestSet(try HTTPClient(timeout: 5).get(site.hoster.url("/image/listed.jpg"), accept: "*/*").body).md5
        // As an attacker would: an innocent page and a listed MD5 beside it.
        let ingest = try site.run(
            ["ingest", "--wait", "-"], stdin: #"{"url": "\#(site.hoster.url("/page/innocent?images=kittens"))", "hashes": {"md5": "\#(listed)"}}"# + "\n")
        let decided = try #require(site.decisions(ingest).first)
        #expect(decided["rule"] as? String == "reported-hash-not-observed", "\(ingest.stdout)")
        #expect(try FaultCLITests.sqlite(site.data + "/hotline.sqlite", "select count(*) from dispatch_items") == "0")
    }

    @Test func nothingFetchedIsWrittenAnywhere() throws {
        let site = try Site(listed: [])
        defer { site.remove() }
        let began = Date()
        // The page and its image carry a text that appears nowhere but in what the hoster
        // serves: not in the URL, not in the test's own input.
        let name = "m\(UUID().uuidString.prefix(8))"
        let secret = Array(try SHA256Hex.of("marker-" + name).utf8)
        let ingest = try site.run(["ingest", "--wait", "-"], stdin: #"{"url": "\#(site.hoster.url("/marker/\(name)"))"}"# + "\n")
        #expect(ingest.status == 0, "\(ingest.stderr)")
        let work = try site.run(["work"])
        // The page and the image in it were fetched and hashed, so the marker passed through.
        let reportID = try #require(site.decisions(ingest).first?["report_id"] as? String, "\(ingest.stdout)")
        let facts = try site.facts(of: reportID)
        #expect(facts["fetch.status"] as? String == "ok", "\(facts)")
        #expect(facts["fetch.media_hashed"] as? Int == 1, "\(facts)")
        let served = try HTTPClient(timeout: 5).get(site.hoster.url("/marker/\(name)"), accept: "*/*").body
        #expect(served.firstRange(of: secret) != nil, "the hoster serves the marker")
        #expect(try HTTPClient(timeout: 5).get(site.hoster.url("/marker/\(name).jpg"), accept: "*/*").body.firstRange(of: secret) != nil)
        // Not in the database and its journal, not in the output or the logs, not in any
        // temporary file written since.
        for output in [ingest.stdout, ingest.stderr, work.stdout, work.stderr] { #expect(Array(output.utf8).firstRange(of: secret) == nil) }
        var searched = 0
        for root in [site.directory.path, NSTemporaryDirectory(), "/tmp", "/var/tmp"] {
            guard let files = FileManager.default.enumerator(atPath: root) else { continue }
            for case let file as String in files {
                let path = (root as NSString).appendingPathComponent(file)
                guard let attributes = try? FileManager.default.attributesOfItem(atPath: path), attributes[.type] as? FileAttributeType == .typeRegular,
                    let modified = attributes[.modificationDate] as? Date, modified >= began.addingTimeInterval(-1),
                    (attributes[.size] as? Int ?? 0) < 256 << 20,
                    let bytes = FileManager.default.contents(atPath: path)
                else { continue }
                searched += 1
                #expect(Array(bytes).firstRange(of: secret) == nil, "\(path) holds fetched content")
            }
        }
        #expect(searched > 0)
        #expect(FileManager.default.fileExists(atPath: site.data + "/hotline.sqlite"))
    }

    @Test func proxyVariablesInTheEnvironmentChangeNothing() throws {
        let site = try Site(listed: ["/image/listed.jpg"])
        defer { site.remove() }
        let proxy = try TestHosterServer(secret: "unused")
        let environment = ["http_proxy": proxy.url("/"), "HTTP_PROXY": proxy.url("/"), "https_proxy": proxy.url("/"), "ALL_PROXY": proxy.url("/")]
        let ingest = try site.run(["ingest", "--wait", "-"], stdin: #"{"url": "\#(site.hoster.url("/image/listed.jpg"))"}"# + "\n", environment: environment)
        #expect(site.decisions(ingest).first?["rule"] as? String == "known-material-at-local-hoster", "\(ingest.stdout)\(ingest.stderr)")
        #expect(try proxy.state()["fetches"] == .number(0), "nothing went through the proxy")
    }

    @Test func aFetchServiceKilledMidFetchResumesAndDecidesEachReportOnce() throws {
        let site = try Site(lease: "5s", listed: [])
        defer { site.remove() }
        let reports = (0..<4).map { #"{"id": "k\#($0)", "url": "\#(site.hoster.url("/slow/k\($0).jpg"))"}"# }.joined(separator: "\n") + "\n"
        let ingest = try site.run(["ingest", "-"], stdin: reports)
        #expect(ingest.lines.count == 4 && ingest.lines.allSatisfy { $0.contains(#""outcome":"pending""#) }, "\(ingest.stdout)")
        // Killed while its fetches (4 s each) are in flight, twice.
        for _ in 0..<2 {
            let pid = try LoopbackProcess.spawn(CLI.executable.path, ["work", "--config", site.config, "--data-dir", site.data])
            usleep(1_500_000)
            kill(pid, SIGKILL)
            var status: Int32 = 0
            waitpid(pid, &status, 0)
        }
        #expect(try FaultCLITests.sqlite(site.data + "/hotline.sqlite", "select count(*) from decisions") == "0")
        // The claims lapse; the next run takes them up.
        sleep(6)
        let resumed = try site.run(["work"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let database = site.data + "/hotline.sqlite"
        #expect(try FaultCLITests.sqlite(database, "select count(*) from decisions") == "4")
        #expect(try FaultCLITests.sqlite(database, "select count(distinct report_id) from decisions") == "4")
        #expect(try FaultCLITests.sqlite(database, "select count(*) from evidence_tasks where status = 'pending'") == "0")
        #expect(try Int(FaultCLITests.sqlite(database, "select min(attempts) from evidence_tasks")) ?? 0 >= 2, "each was claimed again after the kill")
    }

    @Test func theAPIAnswersPendingAtOnceAndTheFetchServiceDecidesSoonAfter() throws {
        let site = try Site(listed: ["/image/listed.jpg"])
        defer { site.remove() }
        let token = try #require(try site.run(["tokens", "create", "--role", "reporter"]).lines.last)
        let running = try ServeCLITests().start(gateway: site.directory, config: site.config)
        defer { _ = running.stop() }
        let response = try ServeCLITests().post(running, token: token, #"{"url": "\#(site.hoster.url("/image/listed.jpg"))"}"#)
        #expect(response.status == 202, "\(String(decoding: response.body, as: UTF8.self))")
        guard case .object(let answer) = try JSONValue.parse(response.body), case .string(let id)? = answer["report_id"] else {
            Issue.record("no report id")
            return
        }
        #expect(answer["outcome"] == .string("pending"))
        var status = ""
        for _ in 0..<100 where status != "notify" {
            usleep(100_000)
            let shown = try HTTPClient(timeout: 5).request(
                HTTPRequest(method: "GET", url: running.url("/v1/reports/\(id)"), headers: ["Authorization: Bearer \(token)", "Accept: application/json"]))
            if case .object(let object) = try JSONValue.parse(shown.body), case .string(let value)? = object["status"] { status = value }
        }
        #expect(status == "notify")
    }
}

extension EvidenceCLITests {
    @Test func intakeNeverWaitsOnDNSThatDoesNotAnswer() throws {
        let dns = try TestFaultDNSServer(address: "127.0.0.1")
        try dns.set("timeout")
        let site = try Site(listed: ["/image/listed.jpg"], extra: "dns: [\"127.0.0.1:\(dns.port)\"]")
        defer { site.remove() }
        let asked = dns.queries
        // A batch of 64 hosts whose DNS never answers is acknowledged without asking DNS.
        let batch = (0..<64).map { #"{"url": "http://h\#($0).silent.example.test/a.jpg"}"# }.joined(separator: "\n") + "\n"
        let ingest = try site.run(["ingest", "-"], stdin: batch)
        #expect(ingest.status == 0, "\(ingest.stderr)")
        #expect(site.decisions(ingest).filter { $0["outcome"] as? String == "pending" }.count == 64, "\(ingest.stdout)")
        #expect(dns.queries == asked, "intake asked DNS")
        // While the fetch service waits on DNS for that batch, another reporter's report is
        // acknowledged at once.
        let token = try #require(try site.run(["tokens", "create", "--role", "reporter"]).lines.last)
        let running = try ServeCLITests().start(gateway: site.directory, config: site.config)
        defer { _ = running.stop() }
        for _ in 0..<200 where dns.queries == asked { usleep(50_000) }
        #expect(dns.queries > asked, "the fetch service is at work on the batch")
        let response = try ServeCLITests().post(running, token: token, #"{"url": "\#(site.hoster.url("/image/listed.jpg"))"}"#)
        #expect(response.status == 202, "\(String(decoding: response.body, as: UTF8.self))")
        #expect(
            try FaultCLITests.sqlite(site.data + "/hotline.sqlite", "select count(*) from decisions") == "0", "acknowledged while the batch still waits on DNS")
        // Stopping finishes the fetches in flight and gives the other claims back at once.
        #expect(running.stop() == 0)
        let given = try FaultCLITests.sqlite(
            site.data + "/hotline.sqlite", "select count(*) from evidence_tasks where status = 'pending' and lease_until is null")
        #expect((Int(given) ?? 0) > 0, "no claim was given back")
    }
}

/// SHA-256 as hex, for markers.
enum SHA256Hex {
    static func of(_ text: String) throws -> String { ContentDigestSet(Array(text.utf8)).sha256 }
}
