import Foundation

/// Turns a reported URL into its canonical form.
///
/// - scheme and host lowercased; only `http` and `https` are accepted;
/// - IDN host labels NFC-normalized, lowercased and written as A-labels (`xn--…`, RFC 3492);
///   a trailing dot on the host is removed;
/// - the default port (80, 443) removed;
/// - the fragment removed (it never reaches the server);
/// - dot segments resolved (RFC 3986 section 5.2.4), an empty path becomes `/`;
/// - percent-encoding normalized: escapes of unreserved characters decoded, other escapes
///   written with uppercase hex, characters that may not appear raw (space, non-ASCII, …)
///   percent-encoded as UTF-8; an empty query (`?` alone) removed;
/// - user information, query parameter order and path case are kept: they can change
///   what the server returns.
public enum URLCanonicalizer {
    /// URLs longer than this are refused; browsers and servers stop long before.
    public static let maximumLength = 8192

    /// Canonicalizes `text`, or says why it cannot be.
    public static func canonicalize(_ text: String) throws(URLError) -> CanonicalURL {
        let original = text
        let trimmed = text.first?.isWhitespace == true || text.last?.isWhitespace == true ? text.trimmingCharacters(in: .whitespaces) : text
        if trimmed.isEmpty { throw URLError("is empty") }
        if trimmed.utf8.count > maximumLength { throw URLError("is longer than \(maximumLength) bytes") }
        if trimmed.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
            throw URLError("contains a control character")
        }
        guard let schemeEnd = trimmed.firstIndex(of: ":") else { throw URLError("has no scheme (expected http:// or https://)") }
        let scheme = trimmed[..<schemeEnd].lowercased()
        guard scheme == "http" || scheme == "https" else {
            if scheme.isEmpty || !scheme.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "+-.".contains($0)) }) {
                throw URLError("has no scheme (expected http:// or https://)")
            }
            throw URLError("has scheme \"\(scheme)\"; only http and https are accepted")
        }
        var rest = trimmed[trimmed.index(after: schemeEnd)...]
        // Browsers accept backslashes and any number of slashes after http:; so do reporters.
        let slashes = rest.prefix(while: { $0 == "/" || $0 == "\\" })
        guard slashes.count >= 1 else { throw URLError("has no \"//\" and host after the scheme") }
        rest = rest.dropFirst(slashes.count)

        // Drop the fragment first: a '#' ends the URL wherever it is.
        if let hash = rest.firstIndex(of: "#") { rest = rest[..<hash] }
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "\\" }) ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        var pathAndQuery = String(rest[authorityEnd...])

        var userinfo: Substring?
        var hostPort = authority
        if let at = authority.lastIndex(of: "@") {
            userinfo = authority[..<at]
            hostPort = authority[authority.index(after: at)...]
        }
        var hostText: Substring = hostPort
        var portText: Substring?
        if hostPort.hasPrefix("[") {
            guard let close = hostPort.firstIndex(of: "]") else { throw URLError("has an IPv6 host without ']'") }
            hostText = hostPort[...close]
            let after = hostPort[hostPort.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw URLError("has unexpected text after the IPv6 host") }
                portText = after.dropFirst()
            }
        } else if let colon = hostPort.lastIndex(of: ":") {
            hostText = hostPort[..<colon]
            portText = hostPort[hostPort.index(after: colon)...]
        }
        let host = try canonicalHost(hostText)
        var port: Int?
        if let portText, !portText.isEmpty {
            guard portText.allSatisfy(\.isASCII), portText.allSatisfy(\.isNumber), portText.count <= 5, let value = Int(portText), value <= 65535 else {
                throw URLError("has an invalid port \"\(portText)\"")
            }
            let isDefault = (scheme == "http" && value == 80) || (scheme == "https" && value == 443)
            port = isDefault ? nil : value
        }

        if pathAndQuery.contains("\\") { pathAndQuery = pathAndQuery.replacingOccurrences(of: "\\", with: "/") }
        var rawPath = Substring(pathAndQuery)
        var rawQuery: Substring?
        if let question = pathAndQuery.firstIndex(of: "?") {
            rawPath = pathAndQuery[..<question]
            rawQuery = pathAndQuery[pathAndQuery.index(after: question)...]
        }
        let path = removeDotSegments(normalizePercentEncoding(rawPath, allowed: pathCharacters))
        var query: String? = rawQuery.map { normalizePercentEncoding($0, allowed: queryCharacters) }
        if query?.isEmpty == true { query = nil }

        var canonical = scheme + "://"
        if let userinfo { canonical += normalizePercentEncoding(userinfo, allowed: userinfoCharacters) + "@" }
        canonical += host
        if let port { canonical += ":\(port)" }
        canonical += path.isEmpty ? "/" : path
        if let query { canonical += "?" + query }
        return CanonicalURL(
            canonical: canonical, original: original, scheme: scheme, host: host, port: port,
            path: path.isEmpty ? "/" : path, query: query)
    }

    /// A host in canonical form (lowercase, A-labels, no trailing dot), or why it is not a host.
    public static func canonicalHost(_ text: Substring) throws(URLError) -> String {
        if text.isEmpty { throw URLError("has no host") }
        if text.hasPrefix("[") {
            let inner = text.dropFirst().dropLast()
            guard let address = IPAddress(String(inner)), !address.isV4 else {
                throw URLError("has an invalid IPv6 host \"\(text)\"")
            }
            return "[\(address)]"
        }
        var host = String(text)
        if host.contains("%") {
            throw URLError("has a percent-encoded host \"\(host)\"")
        }
        if host.hasSuffix(".") { host.removeLast() }
        if host.utf8.allSatisfy({ $0 < 0x80 }) {
            // The common case: ASCII needs neither Unicode normalization nor case mapping.
            host = String(decoding: host.utf8.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }, as: UTF8.self)
        } else {
            host = host.precomposedStringWithCanonicalMapping.lowercased()
            // IDNA full-stop equivalents separate labels too (none is ASCII, so an ASCII
            // host, nearly every one, skips this walk over its characters).
            host = String(host.map { "\u{3002}\u{FF0E}\u{FF61}".contains($0) ? "." : $0 })
        }
        // A host whose last label is a number is an IPv4 address in one of the forms browsers
        // and libcurl accept (2130706433, 0x7f000001, 0177.0.0.1, 127.1): read it as the
        // address it is, so the address policy judges the address and not a name.
        if let address = try ipv4Host(host) { return address.description }
        if host.utf8.count > 253 && host.allSatisfy(\.isASCII) { throw URLError("has a host longer than 253 characters") }
        var labels: [String] = []
        for label in host.split(separator: ".", omittingEmptySubsequences: false) {
            if label.isEmpty { throw URLError("has an empty label in host \"\(text)\"") }
            if label.utf8.allSatisfy({ $0 < 0x80 }) {
                guard label.utf8.allSatisfy({ hostLabelCharacters[Int($0)] }) else {
                    throw URLError("has an invalid character in host \"\(text)\"")
                }
                labels.append(String(label))
            } else {
                guard
                    label.unicodeScalars.allSatisfy({
                        $0.properties.isAlphabetic || $0.properties.numericType != nil || $0 == "-" || $0.properties.generalCategory == .nonspacingMark
                            || $0.properties.generalCategory == .spacingMark
                    })
                else {
                    throw URLError("has an invalid character in host \"\(text)\"")
                }
                guard let encoded = Punycode.encode(String(label)) else { throw URLError("has an IDN label that cannot be encoded") }
                labels.append("xn--" + encoded)
            }
            // Every label is ASCII by now (IDN labels are Punycode), so bytes are characters.
            if labels.last!.utf8.count > 63 { throw URLError("has a host label longer than 63 characters") }
        }
        let result = labels.joined(separator: ".")
        if result.utf8.count > 253 { throw URLError("has a host longer than 253 characters") }
        return result
    }

    /// The IPv4 address a host names when its last label is a number, as the WHATWG URL
    /// standard reads it (decimal, `0x` hex or `0`-prefixed octal parts; the last part fills
    /// the remaining bytes); `nil` for a host name; an error for a number that is no address.
    static func ipv4Host(_ host: String) throws(URLError) -> IPAddress? {
        var parts = host.split(separator: ".", omittingEmptySubsequences: false)
        if parts.count > 1, parts.last?.isEmpty == true { parts.removeLast() }
        guard let last = parts.last, !last.isEmpty, last.utf8.allSatisfy({ $0 < 0x80 }) else { return nil }
        func number(_ part: Substring) -> UInt64? {
            var text = part
            var radix = 10
            if text.hasPrefix("0x") || text.hasPrefix("0X") {
                text = text.dropFirst(2)
                radix = 16
                if text.isEmpty { return 0 }
            } else if text.count > 1, text.hasPrefix("0") {
                text = text.dropFirst()
                radix = 8
            }
            guard !text.isEmpty, text.count <= 32 else { return text.isEmpty ? nil : UInt64.max }
            return UInt64(text, radix: radix)
        }
        guard last.utf8.allSatisfy({ (48...57).contains($0) }) || number(last) != nil else { return nil }
        guard parts.count <= 4 else { throw URLError("has a host that ends in a number but is not an IPv4 address: \"\(host)\"") }
        var numbers: [UInt64] = []
        for part in parts {
            guard let value = number(part) else { throw URLError("has a host that ends in a number but is not an IPv4 address: \"\(host)\"") }
            numbers.append(value)
        }
        for value in numbers.dropLast() where value > 255 {
            throw URLError("has an IPv4 host with a part over 255: \"\(host)\"")
        }
        let remaining = UInt64(5 - numbers.count) * 8
        guard numbers.last! < (UInt64(1) << remaining) else { throw URLError("has an IPv4 host out of range: \"\(host)\"") }
        var value = numbers.last!
        for (index, part) in numbers.dropLast().enumerated() { value += part << UInt64(8 * (3 - index)) }
        return IPAddress(v4: UInt32(value))
    }

    /// Character classes as 256-entry tables: looked up once per byte of every URL.
    private static func table(_ characters: String...) -> [Bool] {
        var table = [Bool](repeating: false, count: 256)
        for byte in characters.joined().utf8 { table[Int(byte)] = true }
        return table
    }

    private static let unreservedText = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"
    private static let unreserved = table(unreservedText)
    private static let pathCharacters = table(unreservedText, "!$&'()*+,;=", ":@/")
    private static let queryCharacters = table(unreservedText, "!$&'()*+,;=", ":@/?")
    private static let userinfoCharacters = table(unreservedText, "!$&'()*+,;=", ":")
    private static let hostLabelCharacters = table("abcdefghijklmnopqrstuvwxyz0123456789-_")

    private static let hexDigits = Array("0123456789ABCDEF".utf8)

    /// Decodes escapes of unreserved characters, uppercases the hex of the others, and escapes
    /// bytes that may not appear raw. A '%' not followed by two hex digits is itself escaped.
    static func normalizePercentEncoding(_ text: Substring, allowed: [Bool]) -> String {
        let bytes = Array(text.utf8)
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = 0
        func escape(_ byte: UInt8) {
            output.append(UInt8(ascii: "%"))
            output.append(hexDigits[Int(byte >> 4)])
            output.append(hexDigits[Int(byte & 0xF)])
        }
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "%") {
                if index + 2 < bytes.count, let high = HexDigit.value(bytes[index + 1]), let low = HexDigit.value(bytes[index + 2]) {
                    let decoded = high << 4 | low
                    if unreserved[Int(decoded)] { output.append(decoded) } else { escape(decoded) }
                    index += 3
                    continue
                }
                escape(byte)
            } else if allowed[Int(byte)] {
                output.append(byte)
            } else {
                escape(byte)
            }
            index += 1
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// RFC 3986 section 5.2.4.
    static func removeDotSegments(_ path: String) -> String {
        // A dot segment starts the path or follows a slash; a path with a dot in neither place
        // (most: "/item/name.jpg") comes back as it is, without the walk below.
        var previous = UInt8(ascii: "/")
        var dotSegment = false
        for byte in path.utf8 {
            if byte == UInt8(ascii: ".") && previous == UInt8(ascii: "/") {
                dotSegment = true
                break
            }
            previous = byte
        }
        if !dotSegment { return path }
        var input = Substring(path)
        var outputString = ""
        while !input.isEmpty {
            if input.hasPrefix("../") {
                input = input.dropFirst(3)
            } else if input.hasPrefix("./") {
                input = input.dropFirst(2)
            } else if input.hasPrefix("/./") {
                input = input.dropFirst(2)
            } else if input == "/." {
                input = "/"
            } else if input.hasPrefix("/../") {
                input = input.dropFirst(3)
                if let slash = outputString.lastIndex(of: "/") { outputString = String(outputString[..<slash]) } else { outputString = "" }
            } else if input == "/.." {
                input = "/"
                if let slash = outputString.lastIndex(of: "/") { outputString = String(outputString[..<slash]) } else { outputString = "" }
            } else if input == "." || input == ".." {
                input = ""
            } else {
                let start = input.startIndex
                let searchFrom = input.hasPrefix("/") ? input.index(after: start) : start
                let end = input[searchFrom...].firstIndex(of: "/") ?? input.endIndex
                outputString += input[start..<end]
                input = input[end...]
            }
        }
        return outputString
    }
}
