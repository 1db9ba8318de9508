import Foundation
import HotlineConfig
import HotlineCore
import HotlineHosting

#if canImport(Glibc)
    import Glibc
#endif

/// A stub resolver: asks the configured nameservers for A and AAAA records, follows CNAME
/// chains, falls back to TCP when an answer is truncated, and caches answers for their TTL.
public final class DNSClient: AddressResolving, @unchecked Sendable {
    /// The nameservers, tried in order.
    public let servers: [Nameserver]
    /// How long to wait for one answer.
    public let timeout: TimeInterval
    /// Rounds over the servers before giving up.
    public let attempts: Int
    /// Longest an answer is cached, whatever its TTL.
    public let maximumCacheTime: TimeInterval = 3600
    private let time: any TimeSource
    private let lock = NSLock()
    private let cache = ExpiringCache<String, AddressAnswer>()
    private var sent = 0

    /// Creates a client for `servers` (default: the system's `/etc/resolv.conf`).
    public init(servers: [Nameserver]? = nil, timeout: TimeInterval = 2, attempts: Int = 2, time: any TimeSource = SystemTimeSource()) {
        self.servers = servers ?? DNSClient.systemServers()
        self.timeout = timeout
        self.attempts = attempts
        self.time = time
    }

    /// The `nameserver` lines of a resolv.conf; 127.0.0.1 when there are none.
    public static func systemServers(resolvConf: String = "/etc/resolv.conf") -> [Nameserver] {
        let text = (try? String(contentsOfFile: resolvConf, encoding: .utf8)) ?? ""
        let servers = text.split(separator: "\n").compactMap { line -> Nameserver? in
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard fields.count >= 2, fields[0] == "nameserver" else { return nil }
            let host = fields[1].split(separator: "%").first.map(String.init) ?? ""
            return IPAddress(host).map { Nameserver(address: $0) }
        }
        return servers.isEmpty ? [Nameserver(address: IPAddress("127.0.0.1")!)] : servers
    }

    /// Queries sent so far (for tests of the cache).
    public var queriesSent: Int {
        lock.lock()
        defer { lock.unlock() }
        return sent
    }

    /// The host's A and AAAA addresses, from the cache while fresh.
    public func addresses(for host: String) -> AddressAnswer? {
        cache.value(for: host, at: time.now()) {
            let (answer, ttl) = resolve(host)
            return (answer, min(maximumCacheTime, ttl))
        }
    }

    func resolve(_ host: String) -> (AddressAnswer, TimeInterval) {
        var addresses: [IPAddress] = []
        var chain: [String] = []
        var ttl = maximumCacheTime
        var source = "dns"
        var failure: String?
        var nonexistent = false
        for type in [DNSRecordType.a, .aaaa] {
            var name = host
            for _ in 0..<8 {
                let response: DNSResponse
                do {
                    let (answer, server) = try query(name, type)
                    response = answer
                    source = "dns:\(server)"
                } catch {
                    failure = error.message
                    break
                }
                if response.rcode == 3 {
                    nonexistent = true
                    ttl = min(ttl, TimeInterval(response.negativeTTL ?? 60))
                    break
                }
                guard response.rcode == 0 else {
                    failure =
                        "server answered \(["NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED"].indices.contains(Int(response.rcode)) ? ["NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED"][Int(response.rcode)] : "rcode \(response.rcode)")"
                    break
                }
                // Follow the CNAME chain inside the answer.
                var followed = 0
                while followed < 8,
                    let alias = response.answers.first(where: { $0.name == name && { if case .cname = $0.value { return true } else { return false } }($0) }),
                    case .cname(let target) = alias.value
                {
                    if !chain.contains(target) { chain.append(target) }
                    ttl = min(ttl, TimeInterval(alias.ttl))
                    name = target
                    followed += 1
                }
                let found = response.answers.filter { $0.name == name }.compactMap { record -> (IPAddress, UInt32)? in
                    if case .address(let address) = record.value { return (address, record.ttl) } else { return nil }
                }
                for (address, recordTTL) in found where !addresses.contains(address) {
                    addresses.append(address)
                    ttl = min(ttl, TimeInterval(recordTTL))
                }
                // A chain that ends outside this answer is asked for again by its last name.
                if !found.isEmpty || followed == 0 { break }
            }
        }
        let via = chain.isEmpty ? "" : " via CNAME " + ([host] + chain).joined(separator: " → ")
        if !addresses.isEmpty {
            return (AddressAnswer(addresses: addresses, source: source, detail: addresses.map(\.description).joined(separator: ", ") + via), max(30, ttl))
        }
        if let failure, !nonexistent {
            // Failures are cached briefly: a struggling server is not asked again for every report.
            return (AddressAnswer(addresses: [], source: source, detail: "no answer: \(failure)"), 30)
        }
        return (
            AddressAnswer(addresses: [], source: source, detail: nonexistent ? "no addresses (NXDOMAIN)\(via)" : "no addresses\(via)"), max(30, min(ttl, 300))
        )
    }

    /// One question to the servers in turn, over UDP and, when truncated, TCP.
    public func query(_ name: String, _ type: DNSRecordType) throws(DNSError) -> (DNSResponse, Nameserver) {
        var lastError = DNSError(message: "no nameserver configured")
        for _ in 0..<max(1, attempts) {
            for server in servers {
                let id = UInt16.random(in: 0...UInt16.max)
                let packet = try DNSMessage.query(id: id, name: name, type: type)
                do throws(DNSError) {
                    lock.lock()
                    sent += 1
                    lock.unlock()
                    var response = try DNSMessage.parse(try exchange(packet, with: server, tcp: false, id: id))
                    if response.truncated {
                        response = try DNSMessage.parse(try exchange(packet, with: server, tcp: true, id: id))
                    }
                    guard response.id == id else { throw DNSError(message: "answer for another query") }
                    return (response, server)
                } catch {
                    lastError = DNSError(message: "\(error.message) from \(server)")
                }
            }
        }
        throw lastError
    }

    private func socketAddress(_ server: Nameserver) -> (storage: sockaddr_storage, length: socklen_t) {
        var storage = sockaddr_storage()
        if let v4 = server.address.v4Value {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = server.port.bigEndian
            address.sin_addr.s_addr = v4.bigEndian
            withUnsafeBytes(of: address) { raw in withUnsafeMutableBytes(of: &storage) { $0.copyBytes(from: raw) } }
            return (storage, socklen_t(MemoryLayout<sockaddr_in>.size))
        }
        var address = sockaddr_in6()
        address.sin6_family = sa_family_t(AF_INET6)
        address.sin6_port = server.port.bigEndian
        withUnsafeMutableBytes(of: &address.sin6_addr) { bytes in
            for index in 0..<8 { bytes[index] = UInt8(truncatingIfNeeded: server.address.high >> UInt64(56 - index * 8)) }
            for index in 0..<8 { bytes[8 + index] = UInt8(truncatingIfNeeded: server.address.low >> UInt64(56 - index * 8)) }
        }
        withUnsafeBytes(of: address) { raw in withUnsafeMutableBytes(of: &storage) { $0.copyBytes(from: raw) } }
        return (storage, socklen_t(MemoryLayout<sockaddr_in6>.size))
    }

    private func exchange(_ packet: [UInt8], with server: Nameserver, tcp: Bool, id: UInt16) throws(DNSError) -> [UInt8] {
        let family = server.address.isV4 ? AF_INET : AF_INET6
        let descriptor = socket(family, Int32(tcp ? SOCK_STREAM.rawValue : SOCK_DGRAM.rawValue), 0)
        guard descriptor >= 0 else { throw DNSError(message: "cannot open a socket") }
        defer { close(descriptor) }
        var wait = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - floor(timeout)) * 1_000_000))
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &wait, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &wait, socklen_t(MemoryLayout<timeval>.size))
        var (storage, length) = socketAddress(server)
        // Connected sockets only receive from the server itself.
        let connected = withUnsafePointer(to: &storage) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, length) } }
        guard connected == 0 else {
            throw DNSError(message: errno == EINPROGRESS || errno == EAGAIN ? "timeout connecting" : "cannot connect (\(String(cString: strerror(errno))))")
        }
        func receiveError() -> DNSError {
            errno == EAGAIN || errno == EWOULDBLOCK
                ? DNSError(message: "timeout after \(timeout) s") : DNSError(message: "receive failed (\(String(cString: strerror(errno))))")
        }
        if tcp {
            let framed = [UInt8(packet.count >> 8), UInt8(packet.count & 0xFF)] + packet
            guard framed.withUnsafeBytes({ send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) == framed.count else {
                throw DNSError(message: "send failed")
            }
            func read(_ count: Int) throws(DNSError) -> [UInt8] {
                var buffer = [UInt8](repeating: 0, count: count)
                var have = 0
                while have < count {
                    let got = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress! + have, count - have, 0) }
                    if got == 0 { throw DNSError(message: "connection closed") }
                    if got < 0 { throw receiveError() }
                    have += got
                }
                return buffer
            }
            let header = try read(2)
            let size = Int(header[0]) << 8 | Int(header[1])
            guard size >= 12 else { throw DNSError(message: "short TCP answer") }
            return try read(size)
        }
        guard packet.withUnsafeBytes({ send(descriptor, $0.baseAddress, $0.count, 0) }) == packet.count else { throw DNSError(message: "send failed") }
        var buffer = [UInt8](repeating: 0, count: 65_535)
        while true {
            let got = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if got < 0 { throw receiveError() }
            // Stray datagrams with another id are ignored, as a spoofing defence.
            if got >= 2, UInt16(buffer[0]) << 8 | UInt16(buffer[1]) == id { return Array(buffer.prefix(got)) }
        }
    }
}
