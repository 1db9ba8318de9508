import Foundation
import HotlineCore
import HotlineNet
#if canImport(Glibc)
import Glibc
#endif

/// Where the test servers' scripts are and how to run them.
enum TestScripts {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The `python3` on PATH (where `make test-deps` installed the packages), else the system's.
    static var python: String {
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            let candidate = "\(directory)/python3"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return "/usr/bin/python3"
    }

    static func path(_ name: String) -> String {
        root.appendingPathComponent("Tests/HotlineNetTests/Servers/\(name)").path
    }

    /// A free-looking loopback port.
    static func port() -> UInt16 { UInt16.random(in: 20_000...50_000) }

    /// Waits until something accepts TCP connections on `port`.
    static func waitForPort(_ port: UInt16, what: String) throws {
        for _ in 0..<100 {
            let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = port.bigEndian
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            close(socket)
            if connected == 0 { return }
            usleep(100_000)
        }
        throw LoopbackProcessError(message: "the \(what) did not start on port \(port)")
    }

    static func stop(_ pid: pid_t) {
        kill(pid, SIGKILL)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
    }
}

/// A real SMTP server on loopback (aiosmtpd, `Servers/smtp_server.py`) that writes every
/// message it accepts to a directory, for the life of a test.
public final class TestSMTPServer {
    private let pid: pid_t
    /// The port.
    public let port: UInt16
    /// Where accepted messages are written, one `.eml` file each.
    public let maildir: String

    /// Whether python3 with aiosmtpd is there. Under CI (`CI` set) always true, so that a
    /// missing install fails the run instead of skipping the tests.
    public static var available: Bool {
        if ProcessInfo.processInfo.environment["CI"] != nil { return true }
        let check = Process()
        check.executableURL = URL(fileURLWithPath: TestScripts.python)
        check.arguments = ["-c", "import aiosmtpd"]
        check.standardOutput = FileHandle.nullDevice
        check.standardError = FileHandle.nullDevice
        guard (try? check.run()) != nil else { return false }
        check.waitUntilExit()
        return check.terminationStatus == 0
    }

    /// Starts the server. `options` are the script's (`--auth U:P`, `--tls CERT KEY`,
    /// `--fail-first N`, `--refuse RCPT`, `--delay S`).
    public init(options: [String] = [], maildir: String? = nil) throws {
        port = TestScripts.port()
        self.maildir = maildir ?? FileManager.default.temporaryDirectory.appendingPathComponent("hotline-smtp-\(UUID().uuidString)").path
        pid = try LoopbackProcess.spawn(TestScripts.python, [TestScripts.path("smtp_server.py"), String(port), self.maildir] + options)
        do {
            try TestScripts.waitForPort(port, what: "SMTP test server")
        } catch {
            TestScripts.stop(pid)
            throw error
        }
    }

    /// The messages received so far, oldest first, as text.
    public func messages() -> [String] {
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: maildir)) ?? []).filter { $0.hasSuffix(".eml") }.sorted()
        return files.compactMap { try? String(contentsOfFile: (maildir as NSString).appendingPathComponent($0), encoding: .utf8) }
    }

    deinit { TestScripts.stop(pid) }
}

/// A loopback hoster (`Servers/hoster_server.py`): content under `/content/NAME`, a signed
/// webhook at `/webhook` that removes a URL after the Nth notice naming it, `/state`.
public final class TestHosterServer {
    private let pid: pid_t
    /// The port.
    public let port: UInt16

    /// Starts it.
    public init(secret: String, removeAfter: Int = 2, failWebhook: Int = 0) throws {
        port = TestScripts.port()
        pid = try LoopbackProcess.spawn(TestScripts.python, [TestScripts.path("hoster_server.py"), String(port), "--secret", secret, "--remove-after", String(removeAfter), "--fail-webhook", String(failWebhook)])
        do {
            try TestScripts.waitForPort(port, what: "hoster test server")
        } catch {
            TestScripts.stop(pid)
            throw error
        }
    }

    /// `http://127.0.0.1:PORT` + `path`.
    public func url(_ path: String) -> String { "http://127.0.0.1:\(port)\(path)" }

    /// What the server has seen.
    public func state() throws -> JSONObject {
        let response = try HTTPClient(timeout: 5).get(url("/state"), accept: "application/json")
        guard case .object(let object) = try JSONValue.parse(response.body) else { return JSONObject() }
        return object
    }

    deinit { TestScripts.stop(pid) }
}
