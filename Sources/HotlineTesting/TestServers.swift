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
    static func port() -> UInt16 { UInt16.random(in: 20_000...32_000) }

    /// Starts a script server on a random port, again on another port when it exits at once
    /// (a port another test's server took).
    static func start(_ what: String, ipv6: Bool = false, _ arguments: (UInt16) -> [String]) throws -> (pid: pid_t, port: UInt16) {
        var lastError: (any Error)?
        for _ in 0..<3 {
            let port = port()
            let pid = try LoopbackProcess.spawn(python, arguments(port))
            do {
                try waitForPort(port, what: what, pid: pid, ipv6: ipv6)
                return (pid, port)
            } catch {
                stop(pid)
                lastError = error
            }
        }
        throw lastError!
    }

    /// Waits until something accepts TCP connections on `port`; gives up early when `pid`
    /// exited (the port was taken, or the script failed). Generous: a loaded 2-core machine
    /// running the whole suite can take seconds to start a Python server.
    static func waitForPort(_ port: UInt16, what: String, pid: pid_t? = nil, ipv6: Bool = false) throws {
        for _ in 0..<300 {
            let socket = Glibc.socket(ipv6 ? AF_INET6 : AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            let connected: Int32
            if ipv6 {
                var address = sockaddr_in6()
                address.sin6_family = sa_family_t(AF_INET6)
                address.sin6_port = port.bigEndian
                address.sin6_addr = in6addr_loopback
                connected = withUnsafePointer(to: &address) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
                }
            } else {
                var address = sockaddr_in()
                address.sin_family = sa_family_t(AF_INET)
                address.sin_port = port.bigEndian
                address.sin_addr.s_addr = inet_addr("127.0.0.1")
                connected = withUnsafePointer(to: &address) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
                }
            }
            close(socket)
            if connected == 0 { return }
            // Exited (a zombie until reaped by `stop`), without reaping it here.
            if let pid, let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), stat.contains(") Z ") {
                throw LoopbackProcessError(message: "the \(what) exited before listening on port \(port)")
            }
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
        let maildir = maildir ?? FileManager.default.temporaryDirectory.appendingPathComponent("hotline-smtp-\(UUID().uuidString)").path
        self.maildir = maildir
        (pid, port) = try TestScripts.start("SMTP test server") { [TestScripts.path("smtp_server.py"), String($0), maildir] + options }
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

    /// The address it listens on.
    public let address: String

    /// Whether Python can run it (with Pillow for the generated images).
    public static var available: Bool { true }

    /// Whether this machine has IPv6 loopback.
    public static var ipv6Available: Bool {
        let socket = Glibc.socket(AF_INET6, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socket) }
        var address = sockaddr_in6()
        address.sin6_family = sa_family_t(AF_INET6)
        address.sin6_addr = in6addr_loopback
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(socket, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
        } == 0
    }

    /// Starts it, on 127.0.0.1 or (`address: "::1"`) on IPv6 loopback.
    public init(secret: String, removeAfter: Int = 2, failWebhook: Int = 0, address: String = "127.0.0.1") throws {
        self.address = address
        (pid, port) = try TestScripts.start("hoster test server", ipv6: address.contains(":")) {
            [
                TestScripts.path("hoster_server.py"), String($0), "--secret", secret, "--remove-after", String(removeAfter), "--fail-webhook",
                String(failWebhook), "--bind", address,
            ]
        }
    }

    /// `http://ADDRESS:PORT` + `path`.
    public func url(_ path: String) -> String { "http://\(address.contains(":") ? "[\(address)]" : address):\(port)\(path)" }

    /// What the server has seen.
    public func state() throws -> JSONObject {
        let response = try HTTPClient(timeout: 5).get(url("/state"), accept: "application/json")
        guard case .object(let object) = try JSONValue.parse(response.body) else { return JSONObject() }
        return object
    }

    deinit { TestScripts.stop(pid) }
}

/// A real IMAP server on loopback: Dovecot from Debian's packages with its own config,
/// users and maildirs in a temporary directory, for the life of a test.
public final class TestIMAPServer {
    private let pid: pid_t
    /// The port.
    public let port: UInt16
    /// The directory holding config and mail.
    public let directory: String

    /// Whether Dovecot is installed (always true under CI, so a missing install fails).
    public static var available: Bool {
        ProcessInfo.processInfo.environment["CI"] != nil || FileManager.default.isExecutableFile(atPath: "/usr/sbin/dovecot")
    }

    /// Starts Dovecot with these users (name → password).
    public init(users: [String: String]) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hotline-imap-\(UUID().uuidString)").path
        self.directory = directory
        let manager = FileManager.default
        try manager.createDirectory(atPath: directory + "/mail", withIntermediateDirectories: true)
        try manager.createDirectory(atPath: directory + "/run", withIntermediateDirectories: true)
        // Dovecot's mail processes run as its own user, which must own the maildirs.
        chown(directory + "/mail", TestIMAPServer.uid("dovecot"), TestIMAPServer.gid("dovecot"))
        try users.map { "\($0.key):{PLAIN}\($0.value)" }.joined(separator: "\n").write(toFile: directory + "/users", atomically: true, encoding: .utf8)
        // Again on another port when Dovecot exits at once (its port was taken).
        var started: (pid: pid_t, port: UInt16)?
        var lastError: (any Error)?
        for _ in 0..<3 where started == nil {
            let port = TestScripts.port()
            try Self.configuration(directory: directory, port: port).write(toFile: directory + "/dovecot.conf", atomically: true, encoding: .utf8)
            let pid = try LoopbackProcess.spawn("/usr/sbin/dovecot", ["-F", "-c", directory + "/dovecot.conf"])
            do {
                try TestScripts.waitForPort(port, what: "IMAP test server (Dovecot)", pid: pid)
                started = (pid, port)
            } catch {
                TestScripts.stop(pid)
                lastError = error
            }
        }
        guard let started else { throw lastError! }
        (pid, port) = started
    }

    static func configuration(directory: String, port: UInt16) -> String {
        """
        protocols = imap
        listen = 127.0.0.1
        base_dir = \(directory)/run
        state_dir = \(directory)/run/state
        instance_name = hotline-test-\(port)
        default_internal_user = dovecot
        default_internal_group = dovecot
        default_login_user = dovenull
        first_valid_uid = 1
        ssl = no
        disable_plaintext_auth = no
        auth_mechanisms = plain login
        mail_location = maildir:\(directory)/mail/%u
        log_path = \(directory)/dovecot.log
        passdb {
          driver = passwd-file
          args = scheme=PLAIN username_format=%u \(directory)/users
        }
        userdb {
          driver = static
          args = uid=dovecot gid=dovecot home=\(directory)/mail/%u
        }
        service imap-login {
          inet_listener imap {
            address = 127.0.0.1
            port = \(port)
          }
          inet_listener imaps {
            port = 0
          }
        }
        """
    }

    static func uid(_ name: String) -> uid_t { getpwnam(name)?.pointee.pw_uid ?? 0 }
    static func gid(_ name: String) -> gid_t { getpwnam(name)?.pointee.pw_gid ?? 0 }

    deinit {
        // SIGTERM lets the master stop its login and mail processes.
        kill(pid, SIGTERM)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        try? FileManager.default.removeItem(atPath: directory)
    }
}

/// A loopback stand-in for PhotoDNA's and Arachnid Shield's match APIs
/// (`matcher_server.py`): answers by marker bytes in the file.
public final class TestMatcherServer {
    private let pid: pid_t
    /// The port.
    public let port: UInt16
    /// The key it accepts.
    public let key: String

    /// Starts it with a fresh key.
    public init() throws {
        let key = "key-\(UUID().uuidString)"
        self.key = key
        (pid, port) = try TestScripts.start("matcher test server") { [TestScripts.path("matcher_server.py"), String($0), key] }
    }

    /// `http://127.0.0.1:PORT` + `path`.
    public func url(_ path: String) -> String { "http://127.0.0.1:\(port)\(path)" }

    /// Requests it received.
    public func requests() throws -> Int {
        let response = try HTTPClient(timeout: 5).get(url("/state"), accept: "application/json")
        guard case .object(let object) = try JSONValue.parse(response.body), case .number(let count)? = object["requests"] else { return -1 }
        return Int(count)
    }

    deinit { TestScripts.stop(pid) }
}
