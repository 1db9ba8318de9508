/// The one check every e-mail address from outside (RDAP, the directory, facts, the config,
/// the API) passes before it reaches SMTP or a header: a plain RFC 5321 mailbox,
/// `local@domain.tld`, ASCII only, no quoted local parts, comments, display names or domain
/// literals. What it refuses can carry no CR, LF, NUL, `<`, `>`, comma or space, so it can
/// inject neither an SMTP command nor a header line.
public enum EmailAddress {
    /// Longest address accepted (RFC 5321's path limit less the brackets).
    public static let maximumLength = 254

    /// Whether `text` is a plain mailbox.
    public static func isValid(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count >= 6, bytes.count <= maximumLength, let at = bytes.firstIndex(of: UInt8(ascii: "@")), bytes.lastIndex(of: UInt8(ascii: "@")) == at
        else { return false }
        return isLocalPart(bytes[..<at]) && isDomain(bytes[(at + 1)...])
    }

    /// Whether `text` is a host name as the domain of an address or a Message-ID needs it.
    public static func isDomainName(_ text: String) -> Bool { isDomain(ArraySlice(text.utf8)) }

    /// `text` lowercased when it is a plain mailbox, else nil.
    public static func normalized(_ text: String) -> String? { isValid(text) ? text.lowercased() : nil }

    /// The plain mailboxes written in free text (RDAP remarks), in one pass over it: runs of
    /// the characters addresses are made of, each holding one `@`, checked like any address.
    public static func scan(_ text: String, limit: Int = 16) -> [String] {
        var found: [String] = []
        var run: [UInt8] = []
        func flush() {
            while let last = run.last, last == UInt8(ascii: ".") || last == UInt8(ascii: "-") { run.removeLast() }
            while let first = run.first, first == UInt8(ascii: ".") { run.removeFirst() }
            if run.count <= maximumLength, run.contains(UInt8(ascii: "@")) {
                let candidate = String(decoding: run, as: UTF8.self)
                if isValid(candidate), !found.contains(where: { $0.lowercased() == candidate.lowercased() }) { found.append(candidate) }
            }
            run.removeAll(keepingCapacity: true)
        }
        for byte in text.utf8 {
            if found.count >= limit { break }
            if isAtext(byte) || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "@") {
                // A run too long to be an address stops growing; it is refused at its end.
                if run.count <= maximumLength { run.append(byte) }
            } else {
                flush()
            }
        }
        flush()
        return Array(found.prefix(limit))
    }

    static func isAtext(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): return true
        default: return Array("!#$%&'*+-/=?^_`{|}~".utf8).contains(byte)
        }
    }

    static func isLocalPart(_ bytes: ArraySlice<UInt8>) -> Bool {
        guard !bytes.isEmpty, bytes.count <= 64, bytes.first != UInt8(ascii: "."), bytes.last != UInt8(ascii: ".") else { return false }
        var previous: UInt8 = 0
        for byte in bytes {
            if byte == UInt8(ascii: ".") {
                if previous == byte { return false }
            } else if !isAtext(byte) {
                return false
            }
            previous = byte
        }
        return true
    }

    static func isDomain(_ bytes: ArraySlice<UInt8>) -> Bool {
        guard !bytes.isEmpty, bytes.count <= 253 else { return false }
        let labels = bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard labels.count >= 2 else { return false }
        for label in labels {
            guard !label.isEmpty, label.count <= 63, label.first != UInt8(ascii: "-"), label.last != UInt8(ascii: "-") else { return false }
            for byte in label {
                switch byte {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"):
                    continue
                default: return false
                }
            }
        }
        // A top-level label is never all digits (that would be an address literal in disguise).
        return !labels.last!.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
    }
}
