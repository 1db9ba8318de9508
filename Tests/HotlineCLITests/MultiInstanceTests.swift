import Foundation
import HotlineCore
import HotlineNet
import HotlineTesting
import Testing

/// Several `hotline serve` instances on one PostgreSQL database, as a national hotline runs
/// them for capacity and failover: a burst of reports spread over the instances, one instance
/// killed with SIGKILL during the burst and another while it delivers, and afterwards every
/// report decided once, every dispatch item in exactly one notice, every notice delivered.
@Suite(.serialized, .enabled(if: (TestPostgres.available || TestPostgres.required) && TestSMTPServer.available))
struct MultiInstanceTests {
    static let passwordVariable = "HOTLINE_TEST_STORAGE_PASSWORD"

    struct Cluster {
        let directory: URL
        let url: String
        let server: TestPostgres
        let config: String
        let reporter: String

        init(smtpPort: UInt16, hosters: Int, md5s: [String]) throws {
            server = try #require(TestPostgres.shared, "PostgreSQL did not start")
            url = try server.createDatabase()
            setenv(MultiInstanceTests.passwordVariable, server.password, 1)
            directory = try CLI.temporaryDirectory()
            let contacts =
                "version: 1\ncontacts:\n"
                + (1...hosters).map {
                    "  - { id: hoster-\($0), name: Hoster \($0), domains: [h\($0).example.test], country: NL, abuse: [abuse@h\($0).example.test] }"
                }.joined(separator: "\n") + "\n"
            try contacts.write(to: directory.appendingPathComponent("contacts.yaml"), atomically: true, encoding: .utf8)
            try FileManager.default.createDirectory(at: directory.appendingPathComponent("rules"), withIntermediateDirectories: true)
            for file in ["nl-hotline.yaml", "nl-lifecycle.yaml"] {
                try FileManager.default.copyItem(at: CLI.root.appendingPathComponent("Rules/\(file)"), to: directory.appendingPathComponent("rules/\(file)"))
            }
            config = directory.appendingPathComponent("hotline.yaml").path
            try CLI.gatewayConfig(
                """
                storage: { url: "\(url)", password_env: \(MultiInstanceTests.passwordVariable) }
                dns: off
                rdap: off
                smtp: { host: 127.0.0.1, port: \(smtpPort), security: none, timeout: 5s }
                dispatch: { batch_window: 2s, lease: 5s, retry: { initial: 1s, maximum: 5s, attempts: 10 } }
                api: { report_rate: 100000 }
                # A partner feed whose hashes count as evidence (the hosts do not resolve here).
                fetch: { intake: { enabled: false, trusted: [org:partner-feed] } }
                """
            ).write(toFile: config, atomically: true, encoding: .utf8)
            try (["md5,classification"] + md5s.map { "\($0),A1" }).joined(separator: "\n").write(
                to: directory.appendingPathComponent("list.csv"), atomically: true, encoding: .utf8)
            let imported = try CLI.run(["hashes", "import", "--config", config, "--format", "csv", "--list", "police", "list.csv"], in: directory)
            #expect(imported.status == 0, "\(imported.stderr)")
            let token = try CLI.run(["tokens", "create", "--config", config, "--role", "reporter", "--org", "partner-feed"], in: directory)
            #expect(token.status == 0, "\(token.stderr)")
            reporter = try #require(token.lines.last)
        }

        func start(log: String) throws -> ServeCLITests.Running {
            let port = Int.random(in: 20_000...32_000)
            let pid = try LoopbackProcess.spawn(
                CLI.executable.path, ["serve", "--config", config, "--port", String(port), "--work-interval", "1", "--offline"],
                stderrPath: directory.appendingPathComponent(log).path)
            return try ServeCLITests().waitUntilServing(pid: pid, port: port)
        }

        func count(_ sql: String) throws -> Int { Int(try server.psql(url, sql)) ?? -1 }
    }

    @Test func threeInstancesABurstAndAKilledInstanceDecideEveryReportOnceAndSendEveryNoticeOnce() throws {
        // A slow mail server, so deliveries are still going on when the second kill comes.
        let smtp = try TestSMTPServer(options: ["--delay", "0.3"])
        let hosters = 12
        let reports = 240
        let md5s = (0..<reports).map { _ in (0..<32).map { _ in String("0123456789abcdef".randomElement()!) }.joined() }
        let cluster = try Cluster(smtpPort: smtp.port, hosters: hosters, md5s: md5s)
        defer { try? FileManager.default.removeItem(at: cluster.directory) }
        var instances = try (0..<3).map { try cluster.start(log: "serve-\($0).log") }
        defer { for instance in instances { _ = instance.stop() } }

        // Four clients, each sending its share to the instances in turn; a refused or cut
        // request goes to the next instance with the same id.
        let acknowledged = Locked(0)
        let alive = LockedInstances(instances)
        let group = DispatchGroup()
        for client in 0..<4 {
            DispatchQueue.global().async(group: group) {
                var index = client
                var turn = client
                while index < reports {
                    let target = alive.pick(turn)
                    turn += 1
                    let body = #"{"id":"m\#(index)","url":"https://h\#(index % hosters + 1).example.test/\#(index).jpg","hashes":{"md5":"\#(md5s[index])"}}"#
                    if let response = try? HTTPClient(timeout: 10).post(
                        target.url("/v1/reports"), headers: ["Authorization: Bearer \(cluster.reporter)", "Content-Type: application/json"],
                        body: Array(body.utf8)),
                        response.status == 201 || response.status == 200
                    {
                        acknowledged.mutate { $0 += 1 }
                        index += 4
                    } else {
                        usleep(20_000)
                    }
                }
            }
        }
        for _ in 0..<200 where acknowledged.value < reports / 3 { usleep(25_000) }
        #expect(instances[1].killHard(), "the second instance died by SIGKILL")
        alive.remove(instances[1].pid)
        group.wait()
        #expect(acknowledged.value == reports)
        // Killed while the instances deliver: its claimed messages wait out the lease.
        for _ in 0..<200 where smtp.messages().isEmpty { usleep(50_000) }
        #expect(!smtp.messages().isEmpty)
        #expect(instances[0].killHard(), "the first instance died by SIGKILL")
        instances.append(try cluster.start(log: "serve-3.log"))

        // The survivors batch and deliver everything, including what the dead ones left.
        var outstanding = -1
        for _ in 0..<120 {
            outstanding = try cluster.count(
                "SELECT (SELECT COUNT(*) FROM dispatch_items WHERE status = 'waiting') + (SELECT COUNT(*) FROM outbox WHERE status = 'pending')")
            if outstanding == 0 { break }
            usleep(500_000)
        }
        #expect(outstanding == 0, "every item batched and every message delivered")
        #expect(try cluster.count("SELECT COUNT(*) FROM reports") == reports)
        #expect(try cluster.count("SELECT COUNT(DISTINCT client_id) FROM reports") == reports)
        #expect(try cluster.count("SELECT COUNT(*) FROM decisions WHERE trigger = 'intake'") == reports, "every report decided once")
        #expect(try cluster.count("SELECT COUNT(*) FROM dispatch_items") == reports)
        #expect(try cluster.count("SELECT COUNT(*) FROM notice_items") == reports, "every item in exactly one notice")
        #expect(try cluster.count("SELECT COUNT(*) FROM (SELECT item_id FROM notice_items GROUP BY item_id HAVING COUNT(*) > 1) x") == 0)
        let notices = try cluster.count("SELECT COUNT(*) FROM notices")
        #expect(try cluster.count("SELECT COUNT(*) FROM outbox WHERE status = 'delivered'") == notices)
        // One recipient's items are batched into few notices even though three instances took
        // its reports: at most one per batch window the burst spanned, not one per instance.
        #expect(notices < reports / 2, "\(notices) notices for \(reports) URLs to \(hosters) hosters")
        let ids = smtp.messages().map { message in message.components(separatedBy: "\r\n").first { $0.hasPrefix("Message-ID: ") } ?? "" }
        #expect(Set(ids).count == notices, "every notice arrived")
        #expect(ids.count <= notices + 2, "at most a message in flight at each kill arrived twice, under its own Message-ID")

        // A rule change reaches every running instance (each watches its rule files).
        let survivors = [instances[2], instances[3]]
        func rulesVersion(_ instance: ServeCLITests.Running, _ id: String) throws -> String? {
            let response = try HTTPClient(timeout: 10).post(
                instance.url("/v1/reports"), headers: ["Authorization: Bearer \(cluster.reporter)", "Content-Type: application/json"],
                body: Array(#"{"id":"\#(id)","url":"https://new.example.test/\#(id)"}"#.utf8))
            guard case .object(let object) = try JSONValue.parse(response.body), case .string(let version)? = object["rules_version"] else { return nil }
            return version
        }
        let before = try rulesVersion(survivors[0], "before")
        let rules = cluster.directory.appendingPathComponent("rules/nl-hotline.yaml")
        try String(contentsOf: rules, encoding: .utf8).replacingOccurrences(of: "name: tag-crawler-reports", with: "name: tag-crawler-reports-v2").write(
            to: rules, atomically: true, encoding: .utf8)
        var after: [String?] = []
        for (number, instance) in survivors.enumerated() {
            var version = before
            for attempt in 0..<30 where version == before {
                usleep(300_000)
                version = try rulesVersion(instance, "reload-\(number)-\(attempt)")
            }
            after.append(version)
        }
        #expect(
            before != nil && after.allSatisfy { $0 != before } && Set(after).count == 1,
            "every instance took up the same new rules: \(String(describing: before)) → \(after)")
        instances = survivors
    }
}

/// The instances still alive, for clients picking one in turn.
final class LockedInstances: @unchecked Sendable {
    private let lock = NSLock()
    private var instances: [ServeCLITests.Running]

    init(_ instances: [ServeCLITests.Running]) { self.instances = instances }

    func pick(_ turn: Int) -> ServeCLITests.Running {
        lock.lock()
        defer { lock.unlock() }
        return instances[turn % instances.count]
    }

    func remove(_ pid: pid_t) {
        lock.lock()
        instances.removeAll { $0.pid == pid }
        lock.unlock()
    }
}
