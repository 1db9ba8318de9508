import Foundation
import HotlineCore

/// The IP table formats `hotline ipdb import` reads.
public enum IPTableFormat: String, Sendable, CaseIterable {
    /// iptoasn.com TSV: range start, range end, ASN, country, AS description (v4, v6 or combined).
    case iptoasn
    /// RIR delegated-extended statistics: `registry|cc|type|start|value|date|status|…`.
    case delegated
}

/// A line that could not be used.
public struct IPTableLineError: Hashable, Sendable, CustomStringConvertible {
    /// 1-based line.
    public var line: Int
    /// Why.
    public var message: String
    /// `line N: MESSAGE`.
    public var description: String { "line \(line): \(message)" }
}

/// What a parse found.
public struct IPTableParseResult: Sendable {
    /// Ranges to import.
    public var ranges: [IPRange] = []
    /// Lines refused.
    public var errors: [IPTableLineError] = []
    /// Lines left out on purpose, by reason (headers, summaries, unrouted, unassigned).
    public var skipped: [String: Int] = [:]
}

/// Parses IP-to-network tables.
public enum IPTableParser {
    /// The format of `bytes`, judged from the first lines that are not comments.
    public static func detect(_ bytes: [UInt8]) -> IPTableFormat? {
        for line in String(decoding: bytes.prefix(65_536), as: UTF8.self).split(separator: "\n").prefix(50) {
            if line.hasPrefix("#") || line.trimmingCharacters(in: .whitespaces).isEmpty { continue }
            if line.split(separator: "\t", omittingEmptySubsequences: false).count >= 4 { return .iptoasn }
            if line.split(separator: "|", omittingEmptySubsequences: false).count >= 6 { return .delegated }
        }
        return nil
    }

    /// Parses `bytes` as `format`; `source` is recorded with every range.
    public static func parse(_ bytes: [UInt8], format: IPTableFormat, source: String) -> IPTableParseResult {
        var result = IPTableParseResult()
        var lineNumber = 0
        var start = 0
        while start < bytes.count {
            let end = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.count
            lineNumber += 1
            var line = String(decoding: bytes[start..<end], as: UTF8.self)
            start = end + 1
            if line.hasSuffix("\r") { line.removeLast() }
            if line.isEmpty || line.hasPrefix("#") { continue }
            switch format {
            case .iptoasn: parseIPToASN(line, lineNumber, source, &result)
            case .delegated: parseDelegated(line, lineNumber, source, &result)
            }
        }
        return result
    }

    static func country(_ text: Substring) -> String? {
        let upper = text.uppercased()
        guard upper.count == 2, upper.allSatisfy({ $0.isASCII && $0.isLetter }), upper != "ZZ" else { return nil }
        return upper
    }

    static func parseIPToASN(_ line: String, _ number: Int, _ source: String, _ result: inout IPTableParseResult) {
        let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
        guard fields.count >= 4 else {
            result.errors.append(IPTableLineError(line: number, message: "expected 5 tab-separated fields, got \(fields.count)"))
            return
        }
        guard let first = IPAddress(String(fields[0])), let last = IPAddress(String(fields[1])), first.isV4 == last.isV4, !(last < first) else {
            result.errors.append(
                IPTableLineError(line: number, message: "invalid range \(JSONValue.string(String(fields[0]) + " - " + String(fields[1])).serialized)"))
            return
        }
        guard let asn = Int(fields[2]), asn >= 0, asn <= 4_294_967_295 else {
            result.errors.append(IPTableLineError(line: number, message: "invalid AS number \(JSONValue.string(String(fields[2])).serialized)"))
            return
        }
        if asn == 0 {
            result.skipped["not routed", default: 0] += 1
            return
        }
        let description = fields.count > 4 ? String(fields[4]).trimmingCharacters(in: .whitespaces) : ""
        result.ranges.append(
            IPRange(
                start: first, end: last,
                info: IPRangeInfo(asn: asn, country: country(fields[3]), description: description.isEmpty ? nil : description, source: source)))
    }

    static func parseDelegated(_ line: String, _ number: Int, _ source: String, _ result: inout IPTableParseResult) {
        let fields = line.split(separator: "|", omittingEmptySubsequences: false)
        // The version line (`2|ripencc|…` or `2.3|…`) and the summary lines (`…|*|ipv4|*|count|summary`).
        if let first = fields.first, first.allSatisfy({ $0.isNumber || $0 == "." }) {
            result.skipped["header", default: 0] += 1
            return
        }
        guard fields.count >= 7 else {
            if fields.count >= 6 && fields[5] == "summary" {
                result.skipped["summary", default: 0] += 1
                return
            }
            result.errors.append(IPTableLineError(line: number, message: "expected registry|cc|type|start|value|date|status, got \(fields.count) fields"))
            return
        }
        if fields[1] == "*" || fields.last == "summary" {
            result.skipped["summary", default: 0] += 1
            return
        }
        let type = fields[2]
        guard type == "ipv4" || type == "ipv6" else {
            result.skipped[String(type), default: 0] += 1
            return
        }
        guard let cc = country(fields[1]) else {
            result.skipped["no country (\(fields[6]))", default: 0] += 1
            return
        }
        guard let first = IPAddress(String(fields[3])), let value = UInt64(fields[4]), value > 0 else {
            result.errors.append(IPTableLineError(line: number, message: "invalid \(type) entry \(JSONValue.string(fields[3] + "|" + fields[4]).serialized)"))
            return
        }
        var last = first
        if type == "ipv4" {
            // IPv4 values count addresses and need not be a power of two.
            guard first.isV4, let v4 = first.v4Value, UInt64(v4) + value - 1 <= UInt64(UInt32.max) else {
                result.errors.append(
                    IPTableLineError(line: number, message: "ipv4 range \(JSONValue.string(fields[3] + "|" + fields[4]).serialized) is invalid"))
                return
            }
            last = IPAddress(v4: UInt32(UInt64(v4) + value - 1))
        } else {
            guard !first.isV4, value <= 128 else {
                result.errors.append(
                    IPTableLineError(line: number, message: "ipv6 prefix \(JSONValue.string(fields[3] + "/" + fields[4]).serialized) is invalid"))
                return
            }
            let bits = Int(value)
            last.high = bits >= 64 ? first.high : first.high | (bits == 0 ? UInt64.max : UInt64.max >> UInt64(bits))
            last.low = bits >= 128 ? first.low : first.low | (bits <= 64 ? UInt64.max : UInt64.max >> UInt64(bits - 64))
        }
        result.ranges.append(IPRange(start: first, end: last, info: IPRangeInfo(country: cc, source: source)))
    }
}
