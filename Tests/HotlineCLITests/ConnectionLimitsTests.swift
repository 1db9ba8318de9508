import Foundation
import HotlineNet
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Issue 17.6 against `hotline serve`: idle and half-sent connections are closed, and one peer
/// cannot hold more than its share of connections.
@Suite(.serialized) struct ConnectionLimitsTests {
    /// A raw TCP connection to the loopback server, reads bounded by `SO_RCVTIMEO`.
    final class Socket {
        let descriptor: Int32

        init(port: Int) throws {
            descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = UInt16(port).bigEndian
            address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard connected == 0 else { throw CocoaError(.fileReadUnknown) }
        }

        func send(_ text: String) { _ = text.withCString { Glibc.send(descriptor, $0, strlen($0), Int32(MSG_NOSIGNAL)) } }

        /// `closed` when the server closed it within `seconds`, `open` when nothing came.
        func state(within seconds: Double) -> String {
            var timeout = timeval(tv_sec: Int(seconds), tv_usec: Int((seconds - seconds.rounded(.down)) * 1_000_000))
            setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let count = recv(descriptor, &buffer, buffer.count, 0)
                if count == 0 { return "closed" }
                if count < 0 { return errno == EAGAIN || errno == EWOULDBLOCK ? "open" : "closed" }
                // An answer (such as a 408) before the close is read past.
            }
        }

        deinit { close(descriptor) }
    }

    @Test func idleAndHalfSentConnectionsAreClosedAndOnePeerGetsItsShareOnly() throws {
        let directory = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("rules"), withIntermediateDirectories: true)
        try ServeCLITests.rules.write(to: directory.appendingPathComponent("rules/rules.yaml"), atomically: true, encoding: .utf8)
        try "version: 1\ncontacts: []\n".write(to: directory.appendingPathComponent("contacts.yaml"), atomically: true, encoding: .utf8)
        let config = directory.appendingPathComponent("hotline.yaml").path
        try CLI.gatewayConfig("smtp: { host: 127.0.0.1, port: 1, security: none }\napi: { idle_timeout: 5s, connections_per_peer: 4 }").write(
            toFile: config, atomically: true, encoding: .utf8)
        let running = try ServeCLITests().start(gateway: directory, config: config)
        defer { _ = running.stop() }
        // Four are this peer's share; two more are closed before a byte is read (which two
        // depends on the order the event loops set them up in). The server counts a closed
        // connection (the readiness probe's, or an attempt's below) once its event loop sees
        // the close, which on a loaded machine can come after the next connect: then a third
        // is refused, and the six are tried again, a little later.
        var sockets: [Socket] = []
        var first: [String] = []
        for attempt in 0..<5 {
            sockets = try (0..<6).map { _ in try Socket(port: running.port) }
            first = sockets.map { $0.state(within: 0.3) }
            if first.filter({ $0 == "closed" }).count == 2 { break }
            sockets = []
            Thread.sleep(forTimeInterval: 0.5 * Double(attempt + 1))
        }
        #expect(first.filter { $0 == "closed" }.count == 2, "\(first)")
        let held = zip(sockets, first).filter { $0.1 == "open" }.map(\.0)
        #expect(held.count == 4)
        #expect(held.map { $0.state(within: 0.2) } == ["open", "open", "open", "open"], "the four are still open")
        // Idle ones, and one whose request head never ends, are closed after the idle timeout.
        held.first?.send("POST /v1/reports HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n")
        #expect(held.map { $0.state(within: 10) } == ["closed", "closed", "closed", "closed"])
        // Their places are given back.
        let answer = try HTTPClient(timeout: 5).get(running.url("/healthz"), accept: "application/json")
        #expect(answer.status == 200)
    }
}
