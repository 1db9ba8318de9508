import Foundation
import HotlineCore
import HotlineNet
import HotlineTesting
import Testing

/// kill -9 at random moments, again and again, during ingest and during delivery; afterwards
/// every report is stored and decided once, and every notice delivered, a repeat only under
/// its own Message-ID.
@Suite(.serialized, .enabled(if: TestSMTPServer.available)) struct KillLoopTests {
    /// Every path in `arguments` is absolute: the child inherits the test's directory.
    func runKilled(_ arguments: [String], afterMilliseconds: Int) throws -> Int32 {
        let pid = try LoopbackProcess.spawn(CLI.executable.path, arguments)
        usleep(useconds_t(afterMilliseconds * 1000))
        kill(pid, SIGKILL)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        return status
    }

    @Test func ingestKilledRepeatedlyStoresAndDecidesEveryReportOnce() throws {
        let directory = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = directory.appendingPathComponent("data").path
        let input = directory.appendingPathComponent("reports.jsonl")
        try (0..<3000).map { #"{"id":"k\#($0)","url":"https://kill\#($0 % 50).example.test/\#($0).jpg","source":{"name":"loop"}}"# }.joined(separator: "\n")
            .write(to: input, atomically: true, encoding: .utf8)
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<8 {
            _ = try runKilled(
                ["ingest", "--config", CLI.root.appendingPathComponent("Config/hotline.yaml").path, "--data-dir", data, input.path],
                afterMilliseconds: Int.random(in: 50...400, using: &generator))
        }
        // The shipped config fetches before deciding: this run waits for every decision.
        let final = try CLI.run(["ingest", "--wait", "--data-dir", data, input.path])
        #expect(final.status == 0)
        let database = data + "/hotline.sqlite"
        #expect(try FaultCLITests.sqlite(database, "select count(*) from reports") == "3000")
        #expect(try FaultCLITests.sqlite(database, "select count(distinct client_id) from reports") == "3000")
        #expect(try FaultCLITests.sqlite(database, "select count(*) from decisions where trigger = 'intake'") == "3000")
    }

    @Test func deliveryKilledRepeatedlyDeliversEveryNoticeWithRepeatsOnlyUnderTheSameMessageID() throws {
        let smtp = try TestSMTPServer(options: ["--delay", "0.02"])
        let hoster = try TestHosterServer(secret: "unused")
        let hosts = (1...30).map { "d\($0).example.test" }
        let contacts =
            "version: 1\ncontacts:\n"
            + hosts.enumerated().map { index, host in
                "  - { id: hoster-\(index + 1), name: Hoster \(index + 1), domains: [\(host)], country: NL, abuse: [abuse@\(host)] }"
            }.joined(separator: "\n") + "\n"
        let md5s = try (1...30).map { try ContentDigestSetHelper.md5(hoster.url("/content/d\($0)")) }
        let gateway = try Gateway(smtpPort: smtp.port, contacts: contacts, knownMD5s: md5s)
        defer { gateway.remove() }
        _ = try gateway.run(
            ["ingest", "--wait", "--trust-hashes", "--at", Gateway.at(0), "-"],
            stdin: zip(hosts, md5s).map { #"{"url": "https://\#($0.0)/d.jpg", "hashes": {"md5": "\#($0.1)"}}"# }.joined(separator: "\n") + "\n")
        var generator = SystemRandomNumberGenerator()
        var kills = 0
        for _ in 0..<6 {
            let status = try runKilled(
                ["work", "--offline", "--config", gateway.config, "--data-dir", gateway.data, "--at", Gateway.at(1.1)],
                afterMilliseconds: Int.random(in: 100...500, using: &generator))
            if status == SIGKILL { kills += 1 }
        }
        let final = try gateway.run(["work", "--offline", "--at", Gateway.at(1.2)])
        #expect(final.status == 0)
        let ids = smtp.messages().map { message in message.components(separatedBy: "\r\n").first { $0.hasPrefix("Message-ID: ") } ?? "" }
        #expect(Set(ids).count == 30, "every notice delivered")
        #expect(ids.count <= 30 + kills, "at most the message in flight at each kill repeated")
        #expect(gateway.objects(try gateway.run(["notices", "list"])).allSatisfy { $0["status"] as? String == "sent" })
    }
}

/// MD5 of what a URL serves.
enum ContentDigestSetHelper {
    static func md5(_ url: String) throws -> String {
        HotlineNet.ContentDigestSet(try HotlineNet.HTTPClient(timeout: 3).get(url, accept: "*/*").body).md5
    }
}
