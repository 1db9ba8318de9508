import Foundation
import HotlineCore
import HotlineNet
import HotlineTesting
import Testing

/// `hotline serve` as an operator runs it, driven over real HTTP on a loopback port.
@Suite(.serialized) struct ServeCLITests {
    struct Running {
        let pid: pid_t
        let port: Int
        func url(_ path: String) -> String { "http://127.0.0.1:\(port)\(path)" }

        /// Sends SIGTERM and waits; returns the exit status.
        func stop(_ signalNumber: Int32 = SIGTERM) -> Int32 {
            kill(pid, signalNumber)
            var status: Int32 = 0
            waitpid(pid, &status, 0)
            return (status >> 8) & 0xff
        }

        /// Sends SIGKILL and waits; returns whether the signal ended it (rather than an exit of its own).
        func killHard() -> Bool {
            kill(pid, SIGKILL)
            var status: Int32 = 0
            waitpid(pid, &status, 0)
            return status & 0x7f == SIGKILL
        }
    }

    /// Starts `hotline serve` on a random port; when the process exits before it serves (the
    /// port was taken by another test's server in the meantime), on another port.
    func start(gateway directory: URL, config: String, options: [String] = [], log: String? = nil) throws -> Running {
        var lastError: any Error = ServeDidNotStart(port: 0, exited: false)
        for _ in 0..<3 {
            let port = Int.random(in: 20_000...32_000)
            let pid = try LoopbackProcess.spawn(
                CLI.executable.path,
                ["serve", "--config", config, "--data-dir", directory.appendingPathComponent("data").path, "--port", String(port), "--work-interval", "1"]
                    + options, stderrPath: log)
            do { return try waitUntilServing(pid: pid, port: port) } catch let error as ServeDidNotStart where error.exited { lastError = error }
        }
        throw lastError
    }

    /// Waits up to about 30 s for `/healthz` (a start takes a fraction of a second, but CI runs
    /// many tests beside it on two cores); throws at once when the process exits first.
    func waitUntilServing(pid: pid_t, port: Int) throws -> Running {
        let client = HTTPClient(timeout: 1)
        for _ in 0..<300 {
            if (try? client.get("http://127.0.0.1:\(port)/healthz", accept: "application/json"))?.status == 200 { return Running(pid: pid, port: port) }
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid { throw ServeDidNotStart(port: port, exited: true) }
            usleep(100_000)
        }
        kill(pid, SIGKILL)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        throw ServeDidNotStart(port: port, exited: false)
    }

    /// `hotline serve` exited before it served, or did not answer `/healthz` in time.
    struct ServeDidNotStart: Error, CustomStringConvertible {
        var port: Int
        var exited: Bool
        var description: String { exited ? "hotline serve exited before serving on port \(port)" : "hotline serve did not answer /healthz on port \(port)" }
    }

    func setup(rules: String, extra: String = "") throws -> (URL, String, reporter: String, admin: String) {
        let directory = try CLI.temporaryDirectory()
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("rules"), withIntermediateDirectories: true)
        try rules.write(to: directory.appendingPathComponent("rules/rules.yaml"), atomically: true, encoding: .utf8)
        try "version: 1\ncontacts: []\n".write(to: directory.appendingPathComponent("contacts.yaml"), atomically: true, encoding: .utf8)
        let config = directory.appendingPathComponent("hotline.yaml").path
        try CLI.gatewayConfig("smtp: { host: 127.0.0.1, port: 1, security: none }\n" + extra).write(toFile: config, atomically: true, encoding: .utf8)
        let data = directory.appendingPathComponent("data").path
        let reporter = try CLI.run(["tokens", "create", "--role", "reporter", "--data-dir", data])
        let admin = try CLI.run(["tokens", "create", "--role", "admin", "--data-dir", data])
        #expect(reporter.status == 0 && admin.status == 0)
        #expect(reporter.lines.last?.hasPrefix("hg_") == true)
        return (directory, config, reporter.lines.last!, admin.lines.last!)
    }

    static let rules =
        "version: 1\nrules:\n  - name: first\n    when: report.host exists\n    then: [{ close: first }]\ndefault: [{ escalate: { reason: none } }]\n"

    func post(_ running: Running, token: String, _ json: String) throws -> HTTPResponse {
        try HTTPClient(timeout: 10).post(
            running.url("/v1/reports"), headers: ["Authorization: Bearer \(token)", "Content-Type: application/json"], body: Array(json.utf8))
    }

    /// Issue 18.14: `hotline serve` answers as /openapi.json says: schemathesis (PyPI)
    /// generates requests from the document and checks every response against its schema,
    /// status codes, content types and the answers to missing or wrong tokens. The dashboard's
    /// forms are left out: they need the CSRF token of the page they come from.
    @Test func theAPIAnswersAsItsOpenAPIDocumentSays() throws {
        let rules =
            "version: 1\nrules:\n  - name: never\n    when: report.host == \"never.example\"\n    then: [{ close: x }]\ndefault: [{ escalate: { reason: none } }]\n"
        // Every route is tried with wrong tokens: more than the 10 a minute one address may guess.
        let (directory, config, reporter, admin) = try setup(rules: rules, extra: "api: { failed_token_rate: 10000 }")
        defer { try? FileManager.default.removeItem(at: directory) }
        let running = try start(gateway: directory, config: config)
        defer { _ = running.stop() }
        // Something to read: reports, escalated cases in the queue.
        for index in 0..<3 { #expect(try post(running, token: reporter, #"{"url":"https://files.example.test/\#(index).jpg"}"#).status < 300) }
        try """
        [checks.positive_data_acceptance]
        # 422: schema-valid but not possible here (no such template, nobody to notify).
        expected-statuses = ["2xx", "3xx", "401", "403", "404", "409", "422", "429", "5xx"]
        """.write(to: directory.appendingPathComponent("schemathesis.toml"), atomically: true, encoding: .utf8)
        let (status, text) = try CLI.python(
            [
                "-m", "schemathesis.cli", "run", running.url("/openapi.json"), "-H", "Authorization: Bearer \(admin)", "--checks", "all", "--mode", "positive",
                "--max-examples", "25", "--seed", "20261202", "--exclude-path-regex", "^/dashboard", "--request-timeout", "10", "--no-color",
            ], in: directory)
        #expect(status == 0, "\(text)")
        #expect(text.contains(" passed"), "\(text)")
    }

    @Test func concurrentReportsAreAllStoredAndSIGTERMFinishesWhatIsInFlight() throws {
        let (directory, config, reporter, _) = try setup(rules: Self.rules)
        defer { try? FileManager.default.removeItem(at: directory) }
        let running = try start(gateway: directory, config: config)
        let accepted = Locked(0)
        let queue = DispatchQueue(label: "load", attributes: .concurrent)
        let group = DispatchGroup()
        for worker in 0..<8 {
            queue.async(group: group) {
                for index in 0..<50 {
                    if let response = try? post(
                        running, token: reporter,
                        #"{"id":"w\#(worker)-\#(index)","url":"https://load.example.test/\#(worker)/\#(index).jpg","source":{"name":"test"}}"#),
                        response.status == 201
                    {
                        accepted.mutate { $0 += 1 }
                    }
                }
            }
        }
        // Stop while the load is still running (once some reports were answered, however slow
        // the machine): requests in flight finish, later ones are refused.
        for _ in 0..<200 where accepted.value < 20 { usleep(50_000) }
        let status = running.stop()
        group.wait()
        #expect(status == 0)
        let stored = try storedReports(directory)
        #expect(accepted.value > 0)
        #expect(stored >= accepted.value, "every acknowledged report is stored")
    }

    @Test func rulesReloadOnFileChangeRefusesBrokenFilesAndServesTheAPIDescription() throws {
        let (directory, config, reporter, admin) = try setup(rules: Self.rules)
        defer { try? FileManager.default.removeItem(at: directory) }
        let log = directory.appendingPathComponent("serve.log").path
        let running = try start(gateway: directory, config: config, options: ["--log-format", "json"], log: log)
        defer { _ = running.stop() }
        func rule(_ url: String) throws -> String? {
            guard case .object(let object) = try JSONValue.parse(try post(running, token: reporter, #"{"url":"\#(url)"}"#).body),
                case .string(let rule)? = object["rule"]
            else { return nil }
            return rule
        }
        #expect(try rule("https://a.example.test/1") == "first")
        // A broken file: refused; the running rules stay.
        try Self.rules.replacingOccurrences(of: "report.host exists", with: "report.hots exists").write(
            to: directory.appendingPathComponent("rules/rules.yaml"), atomically: true, encoding: .utf8)
        kill(running.pid, SIGHUP)
        usleep(3_500_000)
        #expect(try rule("https://a.example.test/2") == "first")
        // The refusal is logged as one JSON record, its diagnostics (several lines of text) inside it.
        // Every line is a record, the "listening" line too (issue 18.11).
        let text = try String(contentsOfFile: log, encoding: .utf8)
        let records = text.split(separator: "\n").map { try? JSONValue.parse(String($0)).objectValue }
        #expect(records.count >= 2 && records.allSatisfy { $0 != nil }, "every line of the log is one JSON record: \(text)")
        #expect(records.contains { $0?["msg"] == .string("listening") && $0?["address"] == .string("http://127.0.0.1:\(running.port)") })
        // One access record per request: method, path, status, duration, the token's id, never the token.
        let access = try #require(records.compactMap { $0 }.first { $0["msg"] == .string("request") && $0["path"] == .string("/v1/reports") }, "\(text)")
        #expect(access["method"] == .string("POST"))
        #expect(access["status"].map { if case .string(let code) = $0 { code.hasPrefix("20") } else { false } } == true, "\(access)")
        #expect(access["duration_ms"] != nil)
        #expect(access["token"].map { if case .string(let id) = $0 { id != "-" && !id.hasPrefix("hg_") } else { false } } == true, "\(access)")
        #expect(!text.contains(reporter), "the token itself is never logged")
        let refusal = try #require(records.compactMap { $0 }.first { $0["msg"] == .string("rules reload refused; the running rules stay") })
        #expect(refusal["diagnostics"].map { if case .string(let text) = $0 { text.contains("unknown field \"report.hots\"") } else { false } } == true)
        // A good change is picked up without a signal.
        try Self.rules.replacingOccurrences(of: "name: first", with: "name: second").write(
            to: directory.appendingPathComponent("rules/rules.yaml"), atomically: true, encoding: .utf8)
        var decided: String?
        for _ in 0..<30 {
            usleep(300_000)
            decided = try rule("https://a.example.test/3-\(UUID().uuidString)")
            if decided == "second" { break }
        }
        #expect(decided == "second")
        let refused = try HTTPClient(timeout: 5).post(running.url("/v1/admin/rules/reload"), headers: ["Authorization: Bearer \(reporter)"], body: [])
        #expect(refused.status == 403)
        let reloaded = try HTTPClient(timeout: 5).post(running.url("/v1/admin/rules/reload"), headers: ["Authorization: Bearer \(admin)"], body: [])
        #expect(reloaded.status == 200)

        let description = try HTTPClient(timeout: 5).get(running.url("/openapi.json"), accept: "application/json")
        let file = directory.appendingPathComponent("openapi.json").path
        try Data(description.body).write(to: URL(fileURLWithPath: file))
        let validator = Process()
        validator.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        validator.arguments = [
            "python3", "-c", "import json,sys; from openapi_spec_validator import validate; validate(json.load(open(sys.argv[1]))); print('valid')", file,
        ]
        let pipe = Pipe()
        validator.standardOutput = pipe
        validator.standardError = pipe
        try validator.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        validator.waitUntilExit()
        #expect(validator.terminationStatus == 0, "\(output)")
    }

    @Test func killedRepeatedlyUnderLoadItLosesNoAcknowledgedReportAndDecidesEachOnce() throws {
        let (directory, config, reporter, _) = try setup(rules: Self.rules)
        defer { try? FileManager.default.removeItem(at: directory) }
        let workers = 4
        let perWorker = 60
        // Each client sends its reports in order and moves on only when one is acknowledged; a
        // refused or cut connection is retried with the same id, as a client following the API does.
        let next = (0..<workers).map { _ in Locked(0) }
        let acknowledged = Locked(0)
        var generator = SystemRandomNumberGenerator()
        var kills = 0
        func load(_ running: Running, until done: @escaping @Sendable () -> Bool) -> DispatchGroup {
            let group = DispatchGroup()
            for worker in 0..<workers {
                DispatchQueue.global().async(group: group) {
                    while !done() && next[worker].value < perWorker {
                        let index = next[worker].value
                        let response = try? post(
                            running, token: reporter, #"{"id":"k\#(worker)-\#(index)","url":"https://kill.example.test/\#(worker)/\#(index).jpg"}"#)
                        if let response, response.status == 201 || response.status == 200 {
                            next[worker].mutate { $0 += 1 }
                            acknowledged.mutate { $0 += 1 }
                        } else {
                            usleep(20_000)
                        }
                    }
                }
            }
            return group
        }
        for _ in 0..<6 {
            let running = try start(gateway: directory, config: config)
            let stopped = Locked(false)
            let group = load(running) { stopped.value }
            usleep(useconds_t(Int.random(in: 200_000...900_000, using: &generator)))
            if running.killHard() { kills += 1 }
            stopped.set(true)
            group.wait()
        }
        let running = try start(gateway: directory, config: config)
        load(running) { false }.wait()
        #expect(running.stop() == 0)
        #expect(kills > 0)
        #expect(acknowledged.value == workers * perWorker)
        let database = directory.appendingPathComponent("data/hotline.sqlite").path
        #expect(try FaultCLITests.sqlite(database, "select count(*) from reports") == "\(workers * perWorker)", "every report stored once")
        #expect(try FaultCLITests.sqlite(database, "select count(distinct client_id) from reports") == "\(workers * perWorker)")
        #expect(try FaultCLITests.sqlite(database, "select count(*) from decisions where trigger = 'intake'") == "\(workers * perWorker)", "each decided once")
        #expect(try FaultCLITests.sqlite(database, "pragma integrity_check") == "ok")
    }

    /// Whether this machine lets the test mount a small tmpfs in its own mount namespace (root).
    static var canMountTmpfs: Bool {
        guard getuid() == 0, FileManager.default.isExecutableFile(atPath: "/usr/bin/unshare") else { return false }
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: "/usr/bin/unshare")
        probe.arguments = ["-m", "sh", "-c", "mount -t tmpfs -o size=1m tmpfs /mnt"]
        guard (try? probe.run()) != nil else { return false }
        probe.waitUntilExit()
        return probe.terminationStatus == 0
    }

    @Test(.enabled(if: canMountTmpfs, "needs root to mount a small tmpfs in a mount namespace"))
    func aFullDiskRefusesReportsWith507AndTheGatewayRecoversWhenSpaceIsFreed() throws {
        let (directory, config, reporter, _) = try setup(rules: Self.rules)
        defer { try? FileManager.default.removeItem(at: directory) }
        // The gateway runs on an 8 MiB tmpfs of its own, seen from here through /proc/PID/root.
        let small = directory.appendingPathComponent("small").path
        try FileManager.default.createDirectory(atPath: small, withIntermediateDirectories: true)
        let port = Int.random(in: 20_000...32_000)
        let script =
            "mount -t tmpfs -o size=8m tmpfs '\(small)' && cp -a '\(directory.path)/data/.' '\(small)/' && exec '\(CLI.executable.path)' serve --config '\(config)' --data-dir '\(small)' --port \(port) --work-interval 1"
        let running = try waitUntilServing(pid: try LoopbackProcess.spawn("/usr/bin/unshare", ["-m", "sh", "-c", script]), port: port)
        defer { _ = running.stop() }
        let inside = "/proc/\(running.pid)/root\(small)"
        var accepted: [String] = []
        func send(_ id: String) throws -> HTTPResponse {
            let response = try post(
                running, token: reporter, #"{"id":"\#(id)","url":"https://full.example.test/\#(id).jpg","comment":"\#(String(repeating: "x", count: 2000))"}"#)
            if response.status == 201 { accepted.append(id) }
            return response
        }
        for index in 0..<20 { #expect(try send("before-\(index)").status == 201) }

        // Fill the disk to the last block.
        let filler = open(inside + "/filler", O_WRONLY | O_CREAT, 0o600)
        #expect(filler >= 0)
        let chunk = [UInt8](repeating: 0, count: 65_536)
        while write(filler, chunk, chunk.count) > 0 {}
        var byte: UInt8 = 0
        while write(filler, &byte, 1) > 0 {}
        close(filler)

        var refused: (id: String, response: HTTPResponse)?
        for index in 0..<500 where refused == nil {
            let response = try send("during-\(index)")
            #expect(response.status == 201 || response.status == 507, "\(response.status): \(String(decoding: response.body, as: UTF8.self))")
            if response.status == 507 { refused = ("during-\(index)", response) }
        }
        let (id, response) = try #require(refused, "the disk filled up")
        #expect(
            String(decoding: response.body, as: UTF8.self)
                == #"{"type":"about:blank","title":"Insufficient Storage","status":507,"detail":"the gateway's storage is full: nothing from this request was stored; send it again later"}"#
        )
        #expect(response.retryAfter == "60")
        #expect(try HTTPClient(timeout: 2).get(running.url("/healthz"), accept: "application/json").status == 200, "still serving")

        // Space freed: the refused report is accepted when sent again, and so is what follows.
        try FileManager.default.removeItem(atPath: inside + "/filler")
        #expect(try send(id).status == 201, "the refused report was not stored, so it is new")
        for index in 0..<20 { #expect(try send("after-\(index)").status == 201) }
        // Read inside the gateway's mount namespace: SQLite resolves /proc/PID/root to this one's "/".
        let database = small + "/hotline.sqlite"
        let inNamespace = ["nsenter", "-t", String(running.pid), "-m"]
        #expect(
            try FaultCLITests.sqlite(database, "select count(*) from reports", via: inNamespace) == "\(accepted.count)", "stored exactly what was acknowledged")
        #expect(try FaultCLITests.sqlite(database, "select count(*) from decisions where trigger = 'intake'", via: inNamespace) == "\(accepted.count)")
        #expect(try FaultCLITests.sqlite(database, "pragma integrity_check", via: inNamespace) == "ok")
    }

    func storedReports(_ directory: URL) throws -> Int {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "python3", "-c", "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('select count(*) from reports').fetchone()[0])",
            directory.appendingPathComponent("data/hotline.sqlite").path,
        ]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
    }
}
