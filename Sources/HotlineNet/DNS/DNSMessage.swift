import HotlineCore

/// DNS record types the resolver asks for.
public enum DNSRecordType: UInt16, Sendable {
    /// IPv4 address.
    case a = 1
    /// Canonical name.
    case cname = 5
    /// IPv6 address.
    case aaaa = 28
}

/// One answer record the resolver understands.
public struct DNSRecord: Hashable, Sendable {
    /// Owner name, lowercase, without the trailing dot.
    public var name: String
    /// Time to live, seconds.
    public var ttl: UInt32
    /// The data.
    public var value: Value

    /// Record data.
    public enum Value: Hashable, Sendable {
        /// An A or AAAA record.
        case address(IPAddress)
        /// A CNAME's target, lowercase.
        case cname(String)
    }
}

/// A parsed DNS response.
public struct DNSResponse: Sendable {
    /// The query id.
    public var id: UInt16
    /// Response code: 0 no error, 2 server failure, 3 name does not exist, …
    public var rcode: UInt8
    /// Whether the answer was truncated (ask again over TCP).
    public var truncated: Bool
    /// Answer records of known types.
    public var answers: [DNSRecord]
    /// The smallest TTL in the authority section's SOA, for caching a negative answer.
    public var negativeTTL: UInt32?
}

/// Why a DNS exchange failed.
public struct DNSError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong.
    public var message: String
    /// Creates an error.
    public init(message: String) { self.message = message }
    /// The message.
    public var description: String { message }
}

/// DNS wire format (RFC 1035), just what the resolver needs, defensively: every length is
/// checked, compression pointers may not loop, record counts are bounded.
public enum DNSMessage {
    /// Most records read from one response.
    public static let maximumRecords = 256

    /// A query for `name` and `type` with recursion desired and an EDNS0 buffer of 1232 bytes.
    public static func query(id: UInt16, name: String, type: DNSRecordType) throws(DNSError) -> [UInt8] {
        var bytes: [UInt8] = [UInt8(id >> 8), UInt8(id & 0xFF), 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 1]
        for label in name.split(separator: ".") {
            let utf8 = Array(label.utf8)
            guard !utf8.isEmpty, utf8.count <= 63 else { throw DNSError(message: "invalid name \(name)") }
            bytes.append(UInt8(utf8.count))
            bytes.append(contentsOf: utf8)
        }
        guard bytes.count <= 12 + 255 else { throw DNSError(message: "name too long: \(name)") }
        bytes.append(0)
        bytes += [UInt8(type.rawValue >> 8), UInt8(type.rawValue & 0xFF), 0, 1]
        // OPT pseudo-record: root name, type 41, UDP payload 1232, no flags.
        bytes += [0, 0, 41, 0x04, 0xD0, 0, 0, 0, 0, 0, 0]
        return bytes
    }

    /// Parses a response.
    public static func parse(_ bytes: [UInt8]) throws(DNSError) -> DNSResponse {
        guard bytes.count >= 12 else { throw DNSError(message: "response shorter than a DNS header") }
        func u16(_ at: Int) -> UInt16 { UInt16(bytes[at]) << 8 | UInt16(bytes[at + 1]) }
        let id = u16(0)
        let flags = u16(2)
        guard flags & 0x8000 != 0 else { throw DNSError(message: "not a response") }
        let counts = (question: Int(u16(4)), answer: Int(u16(6)), authority: Int(u16(8)))
        guard counts.answer + counts.authority <= maximumRecords, counts.question <= 4 else {
            throw DNSError(message: "response claims \(counts.answer + counts.authority) records, more than the \(maximumRecords) read")
        }
        var offset = 12
        for _ in 0..<counts.question {
            _ = try name(bytes, &offset)
            offset += 4
        }
        var answers: [DNSRecord] = []
        var negativeTTL: UInt32?
        for index in 0..<(counts.answer + counts.authority) {
            let owner = try name(bytes, &offset)
            guard offset + 10 <= bytes.count else { throw DNSError(message: "record header runs past the end") }
            let type = u16(offset)
            let ttl = UInt32(u16(offset + 4)) << 16 | UInt32(u16(offset + 6))
            let length = Int(u16(offset + 8))
            offset += 10
            guard offset + length <= bytes.count else { throw DNSError(message: "record data runs past the end") }
            let dataStart = offset
            offset += length
            if index >= counts.answer {
                if type == 6 { negativeTTL = min(negativeTTL ?? ttl, ttl) }
                continue
            }
            switch type {
            case DNSRecordType.a.rawValue where length == 4:
                let value =
                    UInt32(bytes[dataStart]) << 24 | UInt32(bytes[dataStart + 1]) << 16 | UInt32(bytes[dataStart + 2]) << 8 | UInt32(bytes[dataStart + 3])
                answers.append(DNSRecord(name: owner, ttl: ttl, value: .address(IPAddress(v4: value))))
            case DNSRecordType.aaaa.rawValue where length == 16:
                var high: UInt64 = 0
                var low: UInt64 = 0
                for index in 0..<8 { high = high << 8 | UInt64(bytes[dataStart + index]) }
                for index in 8..<16 { low = low << 8 | UInt64(bytes[dataStart + index]) }
                answers.append(DNSRecord(name: owner, ttl: ttl, value: .address(IPAddress(high: high, low: low))))
            case DNSRecordType.cname.rawValue:
                var at = dataStart
                answers.append(DNSRecord(name: owner, ttl: ttl, value: .cname(try name(bytes, &at))))
            default:
                continue
            }
        }
        return DNSResponse(id: id, rcode: UInt8(flags & 0x0F), truncated: flags & 0x0200 != 0, answers: answers, negativeTTL: negativeTTL)
    }

    /// A possibly compressed name at `offset`; advances past it.
    static func name(_ bytes: [UInt8], _ offset: inout Int) throws(DNSError) -> String {
        var labels: [String] = []
        var position = offset
        var jumped = false
        var jumps = 0
        var total = 0
        while true {
            guard position < bytes.count else { throw DNSError(message: "name runs past the end") }
            let length = Int(bytes[position])
            if length & 0xC0 == 0xC0 {
                guard position + 1 < bytes.count else { throw DNSError(message: "name runs past the end") }
                jumps += 1
                guard jumps <= 16 else { throw DNSError(message: "compression pointers loop") }
                let target = (length & 0x3F) << 8 | Int(bytes[position + 1])
                if !jumped { offset = position + 2 }
                jumped = true
                guard target < position else { throw DNSError(message: "compression pointer points forward") }
                position = target
                continue
            }
            guard length & 0xC0 == 0 else { throw DNSError(message: "unsupported label type") }
            if length == 0 {
                if !jumped { offset = position + 1 }
                return labels.joined(separator: ".").lowercased()
            }
            guard position + 1 + length <= bytes.count else { throw DNSError(message: "label runs past the end") }
            total += length + 1
            guard total <= 255 else { throw DNSError(message: "name longer than 255 bytes") }
            labels.append(String(decoding: bytes[(position + 1)...(position + length)], as: UTF8.self))
            position += 1 + length
        }
    }
}
