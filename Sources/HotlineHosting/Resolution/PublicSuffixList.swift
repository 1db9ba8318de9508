import HotlineCore

/// The Public Suffix List: which part of a host name is registrable (`example.co.uk` in
/// `www.example.co.uk`), which is the part a registrar is responsible for.
public struct PublicSuffixList: Sendable {
    private(set) var rules: Set<String> = []
    private(set) var wildcards: Set<String> = []
    private(set) var exceptions: Set<String> = []

    /// Parses the list's text format (comments `//`, wildcard `*.`, exception `!`).
    ///
    /// By bytes, and a rule already in canonical form (lowercase ASCII letters, digits,
    /// hyphens, non-empty labels, not ending in a number) is kept as written: splitting the
    /// 10,000-line list into `Character`s and canonicalizing every rule was 40 ms of every
    /// command's start.
    public init(text: String) {
        var text = text
        text.withUTF8 { bytes in
            for line in bytes.split(whereSeparator: { $0 == 0x0A || $0 == 0x0D || $0 == 0x0B || $0 == 0x0C }) {
                if line.contains(where: { $0 >= 0x80 }) {
                    // Unicode: its own line separators too, then canonical A-labels.
                    for raw in String(decoding: line, as: UTF8.self).split(whereSeparator: \.isNewline) { add(raw) }
                    continue
                }
                guard let first = line.split(whereSeparator: { $0 == 0x20 || $0 == 0x09 }).first, !(first.starts(with: [0x2F, 0x2F])) else { continue }
                let kind = first.first == 0x21 ? 1 : first.starts(with: [0x2A, 0x2E]) ? 2 : 0
                let body = first.dropFirst(kind)
                guard Self.isCanonical(body) else {
                    add(Substring(String(decoding: first, as: UTF8.self)))
                    continue
                }
                insert(String(decoding: body, as: UTF8.self), kind: kind)
            }
        }
    }

    /// One line, read as text.
    private mutating func add(_ raw: Substring) {
        let line = raw.split(whereSeparator: { $0 == " " || $0 == "\t" }).first.map(String.init) ?? ""
        if line.isEmpty || line.hasPrefix("//") { return }
        // Rules are written in Unicode; hosts here are canonical A-labels.
        let kind = line.hasPrefix("!") ? 1 : line.hasPrefix("*.") ? 2 : 0
        let body = line.dropFirst(kind)
        insert((try? URLCanonicalizer.canonicalHost(body)) ?? body.lowercased(), kind: kind)
    }

    private mutating func insert(_ rule: String, kind: Int) {
        switch kind {
        case 1: exceptions.insert(rule)
        case 2: wildcards.insert(rule)
        default: rules.insert(rule)
        }
    }

    /// What ``URLCanonicalizer/canonicalHost(_:)`` returns unchanged: lowercase ASCII labels
    /// of letters, digits and hyphens, none empty, the last not all digits (which would read
    /// as an IPv4 address).
    static func isCanonical(_ name: some Collection<UInt8>) -> Bool {
        var labelLength = 0
        var lastLabelNumeric = true
        for byte in name {
            switch byte {
            case 0x2E:
                guard labelLength > 0 else { return false }
                labelLength = 0
                lastLabelNumeric = true
                continue
            case 0x30...0x39: break
            case 0x61...0x7A, 0x2D: lastLabelNumeric = false
            default: return false
            }
            labelLength += 1
        }
        return labelLength > 0 && !lastLabelNumeric
    }

    /// The registrable domain of a canonical host, or `nil` for IP addresses and public suffixes themselves.
    public func registrableDomain(_ host: String) -> String? {
        if host.hasPrefix("[") || host.allSatisfy({ $0.isNumber || $0 == "." }) { return nil }
        let labels = host.split(separator: ".").map(String.init)
        guard labels.count >= 2 else { return nil }
        // The longest matching rule decides the public suffix's length; exceptions win.
        var suffixLength = 1
        for start in 0..<labels.count {
            let candidate = labels[start...].joined(separator: ".")
            let length = labels.count - start
            if exceptions.contains(candidate) {
                suffixLength = length - 1
                break
            }
            if rules.contains(candidate) { suffixLength = max(suffixLength, length) }
            if start > 0 && wildcards.contains(candidate) { suffixLength = max(suffixLength, length + 1) }
        }
        guard labels.count > suffixLength else { return nil }
        return labels[(labels.count - suffixLength - 1)...].joined(separator: ".")
    }

    /// Rules read.
    public var count: Int { rules.count + wildcards.count + exceptions.count }
}
