import Foundation
import HotlineConfig
import HotlineCore
import HotlineTesting
import Testing

@testable import HotlineNet

#if canImport(Glibc)
    import Glibc
#endif

@Suite(.serialized) struct DNSClientTests {
    @Test(.enabled(if: TestDNSServer.available || TestDNSServer.required, "dnsmasq is not installed (make test installs it)"))
    func resolvesThroughARealServer() throws {
        try #require(TestDNSServer.available, "CI must have dnsmasq")
        let dns = try TestDNSServer()
        let time = ManualTimeSource()
        let client = DNSClient(servers: [dns.server], timeout: 1, time: time)

        let direct = try #require(client.addresses(for: "host.example.test"))
        #expect(direct.addresses == [IPAddress("198.51.100.7")!, IPAddress("2001:db8::7")!])
        #expect(direct.source == "dns:127.0.0.1:\(dns.port)")

        let chained = try #require(client.addresses(for: "deep.example.test"))
        #expect(chained.addresses == [IPAddress("198.51.100.7")!, IPAddress("2001:db8::7")!])
        #expect(chained.detail == "198.51.100.7, 2001:db8::7 via CNAME deep.example.test → www.example.test → host.example.test")

        let missing = try #require(client.addresses(for: "nothing.example.test"))
        #expect(missing.addresses.isEmpty)
        #expect(missing.detail == "no addresses (NXDOMAIN)")

        // 100 A records do not fit in 1232 bytes: the answer is truncated and asked again over TCP.
        let (udp, _) = try client.query("many.example.test", .a)
        #expect(udp.answers.count == 100)
        let many = try #require(client.addresses(for: "many.example.test"))
        #expect(many.addresses.count == 100)

        // Cached for the record's TTL (300 s), then asked again.
        let before = client.queriesSent
        _ = client.addresses(for: "host.example.test")
        #expect(client.queriesSent == before)
        time.advance(by: 301)
        _ = client.addresses(for: "host.example.test")
        #expect(client.queriesSent > before)
    }

    @Test func aServerThatDoesNotAnswerTimesOutAndIsCachedBriefly() throws {
        // A bound UDP socket that never replies.
        let descriptor = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        address.sin_port = 0
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) } }
        let port = UInt16(bigEndian: address.sin_port)
        let time = ManualTimeSource()
        let client = DNSClient(servers: [Nameserver(address: IPAddress("127.0.0.1")!, port: port)], timeout: 0.2, attempts: 1, time: time)
        let answer = try #require(client.addresses(for: "slow.example.test"))
        #expect(answer.addresses.isEmpty)
        #expect(answer.detail == "no answer: timeout after 0.2 s from 127.0.0.1:\(port)")
        let sent = client.queriesSent
        _ = client.addresses(for: "slow.example.test")
        #expect(client.queriesSent == sent)
        time.advance(by: 31)
        _ = client.addresses(for: "slow.example.test")
        #expect(client.queriesSent > sent)
    }

    @Test func parsesDefensively() {
        #expect(throws: DNSError(message: "response shorter than a DNS header")) { try DNSMessage.parse([0, 1, 2]) }
        // A name whose compression pointer points at itself.
        var looping: [UInt8] = [0x12, 0x34, 0x81, 0x80, 0, 1, 0, 0, 0, 0, 0, 0]
        looping += [0xC0, 12, 0, 1, 0, 1]
        #expect(throws: DNSError(message: "compression pointer points forward")) { try DNSMessage.parse(looping) }
        var tooMany: [UInt8] = [0x12, 0x34, 0x81, 0x80, 0, 0, 0x10, 0x00, 0, 0, 0, 0]
        tooMany += [UInt8](repeating: 0, count: 20)
        #expect(throws: DNSError(message: "response claims 4096 records, more than the 256 read")) { try DNSMessage.parse(tooMany) }
        #expect(DNSClient.systemServers(resolvConf: "/nonexistent").map(\.description) == ["127.0.0.1"])
    }
}
