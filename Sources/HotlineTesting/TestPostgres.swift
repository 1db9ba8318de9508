import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A private PostgreSQL server (Debian's `postgresql` binaries) on a loopback port, started
/// once per test process in a temporary directory and stopped when the process exits. Each
/// test gets a database of its own. As root, the server runs as the `postgres` user, which
/// PostgreSQL requires.
public final class TestPostgres: @unchecked Sendable {
    /// The loopback port.
    public let port: Int
    /// The role tests log in as.
    public let user = "hotline"
    /// Its password (scram-sha-256, so the gateway's password handling is exercised).
    public let password = "test-password-\(UUID().uuidString.prefix(8))"
    let directory: String
    let binaries: String
    private let lock = NSLock()
    private var databases = 0

    /// The server binaries, when installed.
    public static var binaryDirectory: String? {
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []).sorted {
            $0.compare($1, options: .numeric) == .orderedDescending
        }
        return versions.map { "/usr/lib/postgresql/\($0)/bin" }.first { FileManager.default.isExecutableFile(atPath: $0 + "/postgres") }
    }

    /// Whether the server can be started here.
    public static var available: Bool { binaryDirectory != nil }

    /// CI installs PostgreSQL (`make test-deps`): there a missing server is a failure, not a skip.
    public static var required: Bool { ProcessInfo.processInfo.environment["CI"] != nil }

    /// The shared server, started on first use; nil when PostgreSQL is not installed.
    public static let shared: TestPostgres? = {
        guard binaryDirectory != nil else { return nil }
        do {
            return try TestPostgres(durable: false)
        } catch {
            FileHandle.standardError.write(Data("TestPostgres: \(error)\n".utf8))
            return nil
        }
    }()

    /// A server of its own (benchmarks); `durable` keeps PostgreSQL's fsync and synchronous
    /// commit on, as production runs it, and `settings` (`name=value`, the benchmark's own)
    /// are passed to the server as `-c` options. Stopped when the process exits.
    public static func start(durable: Bool, settings: [String] = []) throws -> TestPostgres {
        guard binaryDirectory != nil else { throw LoopbackProcessError(message: "PostgreSQL is not installed (make test-deps installs it)") }
        return try TestPostgres(durable: durable, settings: settings)
    }

    private init(durable: Bool = false, settings: [String] = []) throws {
        // Each goes into one shell-free argument of pg_ctl's `-o`; a space would split it.
        precondition(settings.allSatisfy { $0.contains("=") && !$0.contains(" ") }, "a server setting is name=value")
        binaries = Self.binaryDirectory!
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("hotline-pg-\(UUID().uuidString)").path
        port = Int.random(in: 20_000...32_000)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let passwordFile = directory + "/pw"
        try password.write(toFile: passwordFile, atomically: true, encoding: .utf8)
        if getuid() == 0 {
            try Self.run("/bin/chown", ["-R", "postgres:postgres", directory])
        }
        try runAsOwner(
            binaries + "/initdb",
            ["-D", directory + "/data", "-U", user, "--auth=scram-sha-256", "--pwfile=\(passwordFile)", "-E", "UTF8", "--no-sync", "--no-instructions"])
        // fsync off: the tests kill gateways, not the database server, and this keeps them fast.
        // Started like the other loopback servers: the server outlives this call and must not
        // hold any pipe of a test running beside it.
        try runAsOwner(
            detached: true, binaries + "/pg_ctl",
            [
                "start", "-w", "-D", directory + "/data", "-l", directory + "/server.log",
                "-o",
                "-h 127.0.0.1 -p \(port) -k \(directory) -c max_connections=200"
                    + (durable ? "" : " -c fsync=off -c synchronous_commit=off -c full_page_writes=off")
                    + settings.map { " -c " + $0 }.joined(),
            ])
        TestPostgres.runningLock.lock()
        if TestPostgres.running.isEmpty {
            atexit {
                for (binaries, directory) in TestPostgres.running {
                    let arguments = [binaries + "/pg_ctl", "stop", "-m", "immediate", "-D", directory + "/data"]
                    _ = try? TestPostgres.run(
                        getuid() == 0 ? "/usr/sbin/runuser" : arguments[0], getuid() == 0 ? ["-u", "postgres", "--"] + arguments : Array(arguments.dropFirst()))
                    try? FileManager.default.removeItem(atPath: directory)
                }
            }
        }
        TestPostgres.running.append((binaries, directory))
        TestPostgres.runningLock.unlock()
    }

    nonisolated(unsafe) static var running: [(String, String)] = []
    static let runningLock = NSLock()

    /// A new empty database; returns its storage URL (`postgres://USER@127.0.0.1:PORT/NAME`).
    public func createDatabase() throws -> String {
        lock.lock()
        databases += 1
        let name = "t\(getpid())_\(databases)"
        lock.unlock()
        try Self.run(
            "/usr/bin/env",
            ["PGPASSWORD=\(password)", "psql", "-q", "-h", "127.0.0.1", "-p", String(port), "-U", user, "-d", "postgres", "-c", "CREATE DATABASE \(name)"])
        return "postgres://\(user)@127.0.0.1:\(port)/\(name)"
    }

    /// `pg_dump` of the database at `url` to `file` (custom format), as docs/operations.md
    /// tells an operator to back up.
    public func dump(_ url: String, to file: String) throws {
        let database = String(url.split(separator: "/").last ?? "")
        try Self.run(
            "/usr/bin/env",
            [
                "PGPASSWORD=\(password)", (Self.binaryDirectory ?? "") + "/pg_dump", "-Fc", "-h", "127.0.0.1", "-p", String(port), "-U", user, "-f", file,
                database,
            ])
    }

    /// `pg_restore` of a dump into the (new, empty) database at `url`.
    public func restore(_ file: String, into url: String) throws {
        let database = String(url.split(separator: "/").last ?? "")
        try Self.run(
            "/usr/bin/env",
            [
                "PGPASSWORD=\(password)", (Self.binaryDirectory ?? "") + "/pg_restore", "--exit-on-error", "--no-owner", "-h", "127.0.0.1", "-p", String(port),
                "-U", user, "-d", database, file,
            ])
    }

    /// Runs SQL in `database` with psql; returns what it printed (unaligned, tuples only).
    public func psql(_ url: String, _ sql: String) throws -> String {
        let database = String(url.split(separator: "/").last ?? "")
        return try Self.run(
            "/usr/bin/env", ["PGPASSWORD=\(password)", "psql", "-qAt", "-h", "127.0.0.1", "-p", String(port), "-U", user, "-d", database, "-c", sql])
    }

    private func runAsOwner(detached: Bool = false, _ path: String, _ arguments: [String]) throws {
        let (command, full) = getuid() == 0 ? ("/usr/sbin/runuser", ["-u", "postgres", "--", path] + arguments) : (path, arguments)
        guard detached else {
            try Self.run(command, full)
            return
        }
        let pid = try LoopbackProcess.spawn(command, full, stderrPath: directory + "/start.log")
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        guard status == 0 else {
            let log = (try? String(contentsOfFile: directory + "/server.log", encoding: .utf8)) ?? ""
            throw LoopbackProcessError(message: "\(path) \(arguments.joined(separator: " ")) failed (\(status)): \(log)")
        }
    }

    @discardableResult
    static func run(_ path: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: "/tmp")
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw LoopbackProcessError(message: "\(path) \(arguments.joined(separator: " ")) exited with \(process.terminationStatus): \(text)")
        }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
