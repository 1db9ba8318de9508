import Foundation

/// Why a message could not be read.
public struct MailError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What is wrong.
    public var message: String
    /// Creates an error.
    public init(_ message: String) { self.message = message }
    /// The message.
    public var description: String { message }
}

/// One leaf part of a message, its transfer encoding undone.
public struct MailPart: Sendable {
    /// `type/subtype`, lowercased (`text/plain` when not given).
    public var contentType: String
    /// Content-Type and Content-Disposition parameters, names lowercased.
    public var parameters: [String: String]
    /// The part's own headers.
    public var headers: [(name: String, value: String)]
    /// The decoded body.
    public var body: [UInt8]

    /// The body as text (UTF-8, or Latin-1 when it is not UTF-8).
    public var text: String {
        String(validating: body, as: UTF8.self) ?? String(body.map { Character(Unicode.Scalar($0)) })
    }

    /// The first header with this name.
    public func header(_ name: String) -> String? {
        headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }
}

/// An e-mail message (RFC 5322 with MIME), read with limits: the headers people and rules
/// care about, and every leaf part decoded.
public struct MailMessage: Sendable {
    /// Top-level headers, unfolded.
    public var headers: [(name: String, value: String)]
    /// The top-level content type, lowercased.
    public var contentType: String
    /// Its parameters.
    public var parameters: [String: String]
    /// Leaf parts in order (a single-part message has one).
    public var parts: [MailPart]

    /// Most bytes read.
    public static let maximumSize = 32 << 20
    /// Deepest multipart nesting.
    public static let maximumDepth = 10
    /// Most parts.
    public static let maximumParts = 200

    /// The first header with this name.
    public func header(_ name: String) -> String? {
        headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }

    /// `Message-ID` without angle brackets.
    public var messageID: String? { header("Message-ID").flatMap { Self.messageIDs($0).first } }
    /// `In-Reply-To` and `References`, without brackets.
    public var referencedIDs: [String] { Self.messageIDs(header("In-Reply-To") ?? "") + Self.messageIDs(header("References") ?? "") }
    /// The subject, encoded words decoded.
    public var subject: String { Self.decodeWords(header("Subject") ?? "") }
    /// The sender's address (`From`), lowercased.
    public var from: String? { header("From").flatMap(Self.address) }

    /// The message IDs in a header value.
    public static func messageIDs(_ value: String) -> [String] {
        var ids: [String] = []
        var rest = Substring(value)
        while let open = rest.firstIndex(of: "<"), let close = rest[open...].firstIndex(of: ">") {
            ids.append(String(rest[rest.index(after: open)..<close]))
            rest = rest[rest.index(after: close)...]
        }
        return ids
    }

    /// The address in `Name <user@host>` or `user@host`, lowercased.
    public static func address(_ value: String) -> String? {
        if let ids = messageIDs(value).last, ids.contains("@") { return ids.lowercased() }
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        return trimmed.contains("@") && !trimmed.contains(" ") ? trimmed.lowercased() : nil
    }

    /// Parses `bytes`.
    public static func parse(_ bytes: [UInt8]) throws(MailError) -> MailMessage {
        guard bytes.count <= maximumSize else { throw MailError("message larger than \(maximumSize) bytes") }
        let (headers, body) = splitHeaders(bytes[...])
        guard !headers.isEmpty else { throw MailError("no headers") }
        let (type, parameters) = contentType(headers)
        var parts: [MailPart] = []
        try collect(type: type, parameters: parameters, headers: headers, body: body, depth: 0, into: &parts)
        return MailMessage(headers: headers, contentType: type, parameters: parameters, parts: parts)
    }

    static func collect(
        type: String, parameters: [String: String], headers: [(name: String, value: String)], body: ArraySlice<UInt8>, depth: Int, into parts: inout [MailPart]
    ) throws(MailError) {
        guard parts.count < maximumParts else { throw MailError("more than \(maximumParts) parts") }
        if type.hasPrefix("multipart/") {
            guard depth < maximumDepth else { throw MailError("multipart nested deeper than \(maximumDepth)") }
            guard let boundary = parameters["boundary"], !boundary.isEmpty else { throw MailError("\(type) without a boundary") }
            for section in split(body, boundary: boundary) {
                let (partHeaders, partBody) = splitHeaders(section)
                let (partType, partParameters) = contentType(partHeaders)
                try collect(type: partType, parameters: partParameters, headers: partHeaders, body: partBody, depth: depth + 1, into: &parts)
            }
            return
        }
        var merged = parameters
        if let disposition = headers.first(where: { $0.name.lowercased() == "content-disposition" })?.value {
            for (key, value) in Self.parameters(disposition) where merged[key] == nil { merged[key] = value }
        }
        let encoding = headers.first { $0.name.lowercased() == "content-transfer-encoding" }?.value.lowercased().trimmingCharacters(in: .whitespaces) ?? "7bit"
        parts.append(MailPart(contentType: type, parameters: merged, headers: headers, body: decode(body, encoding: encoding)))
    }

    /// Headers (unfolded) and the body after the first empty line.
    public static func splitHeaders(_ bytes: ArraySlice<UInt8>) -> ([(name: String, value: String)], ArraySlice<UInt8>) {
        var index = bytes.startIndex
        var lines: [String] = []
        var lineStart = index
        while index < bytes.endIndex {
            if bytes[index] == 0x0A {
                var end = index
                if end > lineStart && bytes[end - 1] == 0x0D { end -= 1 }
                if end == lineStart {
                    index += 1
                    return (unfold(lines), bytes[index...])
                }
                lines.append(String(decoding: bytes[lineStart..<end], as: UTF8.self))
                lineStart = index + 1
            }
            index += 1
        }
        if lineStart < bytes.endIndex { lines.append(String(decoding: bytes[lineStart...], as: UTF8.self)) }
        return (unfold(lines), bytes[bytes.endIndex...])
    }

    static func unfold(_ lines: [String]) -> [(name: String, value: String)] {
        var headers: [(name: String, value: String)] = []
        for line in lines {
            if let first = line.first, first == " " || first == "\t", !headers.isEmpty {
                headers[headers.count - 1].value += " " + line.trimmingCharacters(in: .whitespaces)
            } else if let colon = line.firstIndex(of: ":") {
                headers.append(
                    (
                        String(line[..<colon]).trimmingCharacters(in: .whitespaces),
                        String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
                    ))
            }
        }
        return headers
    }

    static func contentType(_ headers: [(name: String, value: String)]) -> (String, [String: String]) {
        guard let value = headers.first(where: { $0.name.lowercased() == "content-type" })?.value else { return ("text/plain", [:]) }
        let type = value.split(separator: ";", maxSplits: 1).first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? "text/plain"
        return (type.isEmpty ? "text/plain" : type, parameters(value))
    }

    /// `; name="value"` parameters of a header value, names lowercased.
    static func parameters(_ value: String) -> [String: String] {
        var result: [String: String] = [:]
        for piece in value.split(separator: ";").dropFirst() {
            guard let equals = piece.firstIndex(of: "=") else { continue }
            let name = piece[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            var text = piece[piece.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            if text.hasPrefix("\""), text.hasSuffix("\""), text.count >= 2 { text = String(text.dropFirst().dropLast()) }
            result[name] = text
        }
        return result
    }

    /// The sections between `--boundary` lines, up to `--boundary--`.
    static func split(_ body: ArraySlice<UInt8>, boundary: String) -> [ArraySlice<UInt8>] {
        let marker = Array("--\(boundary)".utf8)
        var sections: [ArraySlice<UInt8>] = []
        var start: Int?
        var index = body.startIndex
        var lineStart = index
        while index <= body.endIndex {
            if index == body.endIndex || body[index] == 0x0A {
                var end = index
                if end > lineStart && body[end - 1] == 0x0D { end -= 1 }
                let line = body[lineStart..<end]
                if line.starts(with: marker) {
                    if let open = start {
                        // The section ends before the line break that precedes the boundary.
                        var close = lineStart
                        if close > open && body[close - 1] == 0x0A { close -= 1 }
                        if close > open && body[close - 1] == 0x0D { close -= 1 }
                        sections.append(body[open..<max(open, close)])
                    }
                    if line.dropFirst(marker.count).starts(with: [0x2D, 0x2D]) { return sections }
                    start = min(index + 1, body.endIndex)
                }
                lineStart = index + 1
            }
            index += 1
        }
        if let open = start, open < body.endIndex { sections.append(body[open...]) }
        return sections
    }

    static func decode(_ body: ArraySlice<UInt8>, encoding: String) -> [UInt8] {
        switch encoding {
        case "base64":
            let text = String(decoding: body.filter { !($0 == 0x0D || $0 == 0x0A || $0 == 0x20 || $0 == 0x09) }, as: UTF8.self)
            return Data(base64Encoded: text, options: .ignoreUnknownCharacters).map { [UInt8]($0) } ?? []
        case "quoted-printable":
            var output: [UInt8] = []
            output.reserveCapacity(body.count)
            var index = body.startIndex
            while index < body.endIndex {
                let byte = body[index]
                if byte == UInt8(ascii: "="), index + 1 < body.endIndex {
                    if body[index + 1] == 0x0A {
                        index += 2
                        continue
                    }
                    if body[index + 1] == 0x0D, index + 2 < body.endIndex, body[index + 2] == 0x0A {
                        index += 3
                        continue
                    }
                    if index + 2 < body.endIndex, let value = UInt8(String(decoding: body[index + 1...index + 2], as: UTF8.self), radix: 16) {
                        output.append(value)
                        index += 3
                        continue
                    }
                }
                output.append(byte)
                index += 1
            }
            return output
        default:
            return Array(body)
        }
    }

    /// Decodes RFC 2047 encoded words (`=?UTF-8?B?…?=`, `=?ISO-8859-1?Q?…?=`).
    public static func decodeWords(_ value: String) -> String {
        guard value.contains("=?") else { return value }
        var output = ""
        var rest = Substring(value)
        while let start = rest.range(of: "=?") {
            output += rest[..<start.lowerBound]
            let after = rest[start.upperBound...]
            let pieces = after.split(separator: "?", maxSplits: 3, omittingEmptySubsequences: false)
            guard pieces.count == 4, pieces[3].hasPrefix("=") else {
                output += "=?"
                rest = after
                continue
            }
            let charset = pieces[0].lowercased()
            let mode = pieces[1].uppercased()
            let text = String(pieces[2])
            var bytes: [UInt8] = []
            if mode == "B" {
                bytes = Data(base64Encoded: text).map { [UInt8]($0) } ?? []
            } else {
                bytes = decode(ArraySlice(Array(text.replacingOccurrences(of: "_", with: " ").utf8)), encoding: "quoted-printable")
            }
            output += charset == "utf-8" ? String(decoding: bytes, as: UTF8.self) : String(bytes.map { Character(Unicode.Scalar($0)) })
            rest = pieces[3].dropFirst()
            // Whitespace between two encoded words is not part of the text.
            if rest.hasPrefix(" =?") || rest.hasPrefix("\t=?") { rest = rest.dropFirst() }
        }
        return output + rest
    }
}
