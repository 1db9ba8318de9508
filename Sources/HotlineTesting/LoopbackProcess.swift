import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Why a test server did not start.
public struct LoopbackProcessError: Error, CustomStringConvertible {
    /// What went wrong.
    public var message: String
    /// The message.
    public var description: String { message }
}

/// Starting servers that tests talk to on loopback.
public enum LoopbackProcess {
    /// Started with posix_spawn rather than Foundation's Process: the server lives through
    /// other tests, so it must not inherit their pipes (their reads would never end), must
    /// not inherit a blocked signal mask, and is reaped here rather than by Foundation's
    /// shared child monitor.
    /// Standard error goes to `stderrPath` when given (appended), else to /dev/null.
    public static func spawn(_ path: String, _ arguments: [String], stderrPath: String? = nil) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, stderrPath ?? "/dev/null", O_WRONLY | O_CREAT | O_APPEND, 0o600)
        // Close every other descriptor the test process has open right now.
        let open = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd"))?.compactMap(Int32.init) ?? []
        for descriptor in open where descriptor > 2 { posix_spawn_file_actions_addclose(&actions, descriptor) }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK))
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var child: pid_t = 0
        let status = posix_spawn(&child, path, &actions, &attributes, argv, environ)
        guard status == 0 else { throw LoopbackProcessError(message: "cannot start \(path): \(String(cString: strerror(status)))") }
        return child
    }

    /// Starts a server on a random loopback port (`start` spawns it for a port) and waits until
    /// `answers` says it does; again on another port, three in all, when the child exits at
    /// once. Servers of other tests pick from the same range, and one that cannot bind its
    /// port exits while another test's server on that port may answer the probe, and then stop
    /// with its own test.
    public static func startOnFreePort(
        _ what: String, _ start: (UInt16) throws -> pid_t, answers: (UInt16) -> Bool
    ) throws -> (pid: pid_t, port: UInt16) {
        for _ in 0..<3 {
            let port = UInt16.random(in: 20_000...32_000)
            let pid = try start(port)
            if answers(port) {
                // A child that could not bind exits at once; a moment later it is gone.
                usleep(50_000)
                var status: Int32 = 0
                if waitpid(pid, &status, WNOHANG) == 0 { return (pid, port) }
                continue  // it exited, and is reaped
            }
            kill(pid, SIGKILL)
            var status: Int32 = 0
            waitpid(pid, &status, 0)
        }
        throw LoopbackProcessError(message: "\(what) did not start on three ports")
    }
}
