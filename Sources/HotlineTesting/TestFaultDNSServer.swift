import Foundation
import HotlineConfig
import HotlineCore
import HotlineNet

#if canImport(Glibc)
    import Glibc
#endif

/// A loopback DNS server (`Tests/HotlineNetTests/Servers/dns_server.py`) that answers every A
/// query with one address, or SERVFAIL, or nothing, as the test switches it.
public final class TestFaultDNSServer {
    private let pid: pid_t
    /// The loopback UDP port.
    public let port: UInt16
    private let modeFile: URL

    /// Starts the server answering `address`, and waits until it answers.
    public init(address: String) throws {
        let modeFile = FileManager.default.temporaryDirectory.appendingPathComponent("dns-mode-\(UUID().uuidString)")
        try "ok".write(to: modeFile, atomically: true, encoding: .utf8)
        self.modeFile = modeFile
        let python = FileManager.default.isExecutableFile(atPath: "/usr/local/bin/python3") ? "/usr/local/bin/python3" : "/usr/bin/python3"
        let script = TestRDAPServer.root.appendingPathComponent("Tests/HotlineNetTests/Servers/dns_server.py").path
        (pid, port) = try LoopbackProcess.startOnFreePort(
            "the DNS test server", { try LoopbackProcess.spawn(python, [script, String($0), address, modeFile.path]) },
            answers: { port in
                for _ in 0..<50 {
                    // A new client each time: a client keeps its failures for a while.
                    let probe = DNSClient(servers: [Nameserver(address: IPAddress("127.0.0.1")!, port: port)], timeout: 0.2, attempts: 1)
                    if probe.addresses(for: "probe.example.test")?.addresses.isEmpty == false { return true }
                    usleep(100_000)
                }
                return false
            })
    }

    /// How many queries it has received so far (probes included).
    public var queries: Int {
        (try? String(contentsOfFile: modeFile.path + ".count", encoding: .utf8)).flatMap { Int($0) } ?? 0
    }

    /// Sets how it answers from now on: `ok`, `servfail` or `timeout`.
    public func set(_ mode: String) throws {
        try mode.write(to: modeFile, atomically: true, encoding: .utf8)
    }

    deinit {
        kill(pid, SIGKILL)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        try? FileManager.default.removeItem(at: modeFile)
        try? FileManager.default.removeItem(atPath: modeFile.path + ".count")
    }
}
