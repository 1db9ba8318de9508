import Foundation
import HotlineConfig
import HotlineCore
import HotlineNet

#if canImport(Glibc)
    import Glibc
#endif

/// A dnsmasq from Debian's packages on 127.0.0.1 with test zones, for the life of a test:
/// `host.example.test` (198.51.100.7, 2001:db8::7, TTL 300), `www.example.test` and
/// `deep.example.test` (CNAMEs to it), `many.example.test` (100 A records),
/// `loop.example.test` (127.0.0.1, for fetches from the loopback hoster), answers for the
/// numeric host forms a fetcher must never treat as names (`2130706433`, `0x7f000001` →
/// 127.0.0.2), and NXDOMAIN for anything else under `example.test`.
public final class TestDNSServer {
    private let pid: pid_t
    /// The loopback port it listens on.
    public let port: UInt16

    /// Whether dnsmasq is installed.
    public static var available: Bool { FileManager.default.isExecutableFile(atPath: "/usr/sbin/dnsmasq") }
    /// Whether the tests must run (in CI).
    public static var required: Bool { ProcessInfo.processInfo.environment["CI"] != nil }

    /// Starts dnsmasq with the test zones and waits until it answers (on another port when it
    /// exits at once, ``LoopbackProcess/startOnFreePort(_:_:answers:)``).
    public init() throws {
        (pid, port) = try LoopbackProcess.startOnFreePort(
            "dnsmasq", { try LoopbackProcess.spawn("/usr/sbin/dnsmasq", Self.arguments(port: $0)) }, answers: Self.answers(port:))
    }

    private static func arguments(port: UInt16) -> [String] {
        var arguments = [
            "--keep-in-foreground", "--conf-file=/dev/null", "--port=\(port)", "--listen-address=127.0.0.1", "--bind-interfaces",
            "--no-resolv", "--no-hosts", "--pid-file=", "--user=root", "--local=/example.test/",
            "--host-record=host.example.test,198.51.100.7,2001:db8::7,300",
            "--cname=www.example.test,host.example.test",
            "--cname=deep.example.test,www.example.test",
            "--host-record=loop.example.test,127.0.0.1,300",
            "--address=/2130706433/127.0.0.2", "--address=/0x7f000001/127.0.0.2",
        ]
        // Enough addresses that the answer exceeds the 1232-byte UDP limit and comes over TCP.
        for index in 1...100 { arguments.append("--host-record=many.example.test,198.51.100.\(index)") }
        return arguments
    }

    /// Whether something on `port` answers for the test zone within 5 s.
    private static func answers(port: UInt16) -> Bool {
        let probe = DNSClient(servers: [Nameserver(address: IPAddress("127.0.0.1")!, port: port)], timeout: 0.2, attempts: 1)
        for _ in 0..<50 {
            if (try? probe.query("host.example.test", .a)) != nil { return true }
            usleep(100_000)
        }
        return false
    }

    /// The server, for a client.
    public var server: Nameserver { Nameserver(address: IPAddress("127.0.0.1")!, port: port) }

    deinit {
        kill(pid, SIGKILL)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
    }
}
