import Foundation
import HotlineCore
import HotlineNet

#if canImport(Glibc)
    import Glibc
#endif

/// The loopback RDAP server (`Tests/HotlineNetTests/Servers/rdap_server.py`) serving the RIR
/// fixtures, for the life of a test. Base URLs: `/rdap/`, `/flaky/`, `/slow/`, `/big/`.
public final class TestRDAPServer {
    private let pid: pid_t
    /// The loopback port.
    public let port: UInt16

    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Whether python3 is there to run it.
    public static var available: Bool {
        FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") || FileManager.default.isExecutableFile(atPath: "/usr/local/bin/python3")
    }

    /// Starts the server and waits until it answers.
    public init() throws {
        let python = FileManager.default.isExecutableFile(atPath: "/usr/local/bin/python3") ? "/usr/local/bin/python3" : "/usr/bin/python3"
        let script = TestRDAPServer.root.appendingPathComponent("Tests/HotlineNetTests/Servers/rdap_server.py").path
        let fixtures = TestRDAPServer.root.appendingPathComponent("Tests/HotlineHostingTests/Fixtures/rdap").path
        (pid, port) = try LoopbackProcess.startOnFreePort(
            "the RDAP test server", { try LoopbackProcess.spawn(python, [script, String($0), fixtures]) },
            answers: { port in
                let client = HTTPClient(timeout: 0.5)
                for _ in 0..<50 {
                    if (try? client.get("http://127.0.0.1:\(port)/health", accept: "application/json"))?.status == 200 { return true }
                    usleep(100_000)
                }
                return false
            })
    }

    /// Sets how `/rdap/` answers from now on: `normal`, `500`, `429`, `429-long` or `malformed`.
    public func control(_ mode: String) throws {
        let response = try HTTPClient(timeout: 2).get("http://127.0.0.1:\(port)/control/\(mode)", accept: "application/json")
        guard response.status == 200 else { throw LoopbackProcessError(message: "the RDAP test server refused mode \(mode)") }
    }

    /// A base URL for one of the server's modes (`rdap`, `flaky`, `slow`, `big`).
    public func base(_ mode: String = "rdap") -> String { "http://127.0.0.1:\(port)/\(mode)/" }

    deinit {
        kill(pid, SIGKILL)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
    }
}
