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
    }

    func start(gateway directory: URL, config: String) throws -> Running {
        let port = Int.random(in: 20_000...50_000)
        let pid = try LoopbackProcess.spawn(CLI.executable.path, ["serve", "--config", config, "--data-dir", directory.appendingPathComponent("data").path, "--port", String(port), "--work-interval", "1"])
        let client = HTTPClient(timeout: 1)
        for _ in 0..<100 {
            if (try? client.get("http://127.0.0.1:\(port)/healthz", accept: "application/json"))?.status == 200 { return Running(pid: pid, port: port) }
            usleep(100_000)
        }
        kill(pid, SIGKILL)
        throw CocoaError(.fileReadUnknown)
    }

    func setup(rules: String) throws -> (URL, String, reporter: String, admin: String) {
        let directory = try CLI.temporaryDirectory()
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("rules"), withIntermediateDirectories: true)
        try rules.write(to: directory.appendingPathComponent("rules/rules.yaml"), atomically: true, encoding: .utf8)
        try "version: 1\ncontacts: []\n".write(to: directory.appendingPathComponent("contacts.yaml"), atomically: true, encoding: .utf8)
        let config = directory.appendingPathComponent("hotline.yaml").path
        try """
            version: 1
            hotline: { name: Test Hotline, country: NL, email: notices@hotline.test, domain: hotline.test }
            rules: rules
            contacts: contacts.yaml
            templates: \(CLI.root.appendingPathComponent("Config/templates").path)
            smtp: { host: 127.0.0.1, port: 1, security: none }
            """.write(toFile: config, atomically: true, encoding: .utf8)
        let data = directory.appendingPathComponent("data").path
        let reporter = try CLI.run(["tokens", "create", "--role", "reporter", "--data-dir", data])
        let admin = try CLI.run(["tokens", "create", "--role", "admin", "--data-dir", data])
        #expect(reporter.status == 0 && admin.status == 0)
        #expect(reporter.lines.last?.hasPrefix("hg_") == true)
        return (directory, config, reporter.lines.last!, admin.lines.last!)
    }

    static let rules = "version: 1\nrules:\n  - name: first\n    when: report.host exists\n    then: [{ close: first }]\ndefault: [{ escalate: { reason: none } }]\n"

    func post(_ running: Running, token: String, _ json: String) throws -> HTTPResponse {
        try HTTPClient(timeout: 10).post(running.url("/v1/reports"), headers: ["Authorization: Bearer \(token)", "Content-Type: application/json"], body: Array(json.utf8))
    }

    @Test func concurrentReportsAreAllStoredAndSIGTERMFinishesWhatIsInFlight() throws {
        let (directory, config, reporter, _) = try setup(rules: Self.rules)
        defer { try? FileManager.default.removeItem(at: directory) }
        let running = try start(gateway: directory, config: config)
        let accepted = Counter()
        let queue = DispatchQueue(label: "load", attributes: .concurrent)
        let group = DispatchGroup()
        for worker in 0..<8 {
            queue.async(group: group) {
                for index in 0..<50 {
                    if let response = try? post(running, token: reporter, #"{"id":"w\#(worker)-\#(index)","url":"https://load.example.test/\#(worker)/\#(index).jpg","source":{"name":"test"}}"#), response.status == 201 {
                        accepted.add()
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
        let running = try start(gateway: directory, config: config)
        defer { _ = running.stop() }
        func rule(_ url: String) throws -> String? {
            guard case .object(let object) = try JSONValue.parse(try post(running, token: reporter, #"{"url":"\#(url)"}"#).body), case .string(let rule)? = object["rule"] else { return nil }
            return rule
        }
        #expect(try rule("https://a.example.test/1") == "first")
        // A broken file: refused; the running rules stay.
        try Self.rules.replacingOccurrences(of: "report.host exists", with: "report.hots exists").write(to: directory.appendingPathComponent("rules/rules.yaml"), atomically: true, encoding: .utf8)
        kill(running.pid, SIGHUP)
        usleep(3_500_000)
        #expect(try rule("https://a.example.test/2") == "first")
        // A good change is picked up without a signal.
        try Self.rules.replacingOccurrences(of: "name: first", with: "name: second").write(to: directory.appendingPathComponent("rules/rules.yaml"), atomically: true, encoding: .utf8)
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
        validator.arguments = ["python3", "-c", "import json,sys; from openapi_spec_validator import validate; validate(json.load(open(sys.argv[1]))); print('valid')", file]
        let pipe = Pipe()
        validator.standardOutput = pipe
        validator.standardError = pipe
        try validator.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        validator.waitUntilExit()
        #expect(validator.terminationStatus == 0, "\(output)")
    }

    func storedReports(_ directory: URL) throws -> Int {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('select count(*) from reports').fetchone()[0])", directory.appendingPathComponent("data/hotline.sqlite").path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
    }
}

/// A thread-safe counter.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func add() { lock.lock(); count += 1; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return count }
}
