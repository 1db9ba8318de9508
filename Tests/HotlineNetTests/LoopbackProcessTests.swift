import Foundation
import HotlineTesting
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Test servers pick random ports from one range; one that finds its port taken must not be
/// mistaken for started because another test's server answers there.
@Suite struct LoopbackProcessTests {
    @Test func aServerThatExitsAtOnceIsTriedOnAnotherPortAndOneThatRunsIsKept() throws {
        var ports: [UInt16] = []
        // Every probe is answered (another server's answer), but the child exits at once.
        #expect(throws: LoopbackProcessError.self) {
            _ = try LoopbackProcess.startOnFreePort(
                "a server that cannot bind",
                { port in
                    ports.append(port)
                    return try LoopbackProcess.spawn("/bin/sh", ["-c", "exit 1"])
                }, answers: { _ in true })
        }
        #expect(ports.count == 3)
        let started = try LoopbackProcess.startOnFreePort("a server", { _ in try LoopbackProcess.spawn("/bin/sleep", ["30"]) }, answers: { _ in true })
        var status: Int32 = 0
        #expect(waitpid(started.pid, &status, WNOHANG) == 0, "still running")
        kill(started.pid, SIGKILL)
        waitpid(started.pid, &status, 0)
    }
}
