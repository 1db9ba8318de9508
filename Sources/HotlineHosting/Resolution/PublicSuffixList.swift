import HotlineCore

/// The Public Suffix List: which part of a host name is registrable (`example.co.uk` in
/// `www.example.co.uk`), which is the part a registrar is responsible for.
public struct PublicSuffixList: Sendable {
    private var rules: Set<String> = []
    private var wildcards: Set<String> = []
    private var exceptions: Set<String> = []

    /// Parses the list's text format (comments `//`, wildcard `*.`, exception `!`).
    public init(text: String) {
        for raw in text.split(whereSeparator: \.isNewline) {
            let line = raw.split(whereSeparator: { $0 == " " || $0 == "\t" }).first.map(String.init) ?? ""
            if line.isEmpty || line.hasPrefix("//") { continue }
            // Rules are written in Unicode; hosts here are canonical A-labels.
            let body = line.hasPrefix("!") ? line.dropFirst() : line.hasPrefix("*.") ? line.dropFirst(2) : Substring(line)
            let rule = (try? URLCanonicalizer.canonicalHost(body)) ?? body.lowercased()
            if line.hasPrefix("!") { exceptions.insert(rule) } else if line.hasPrefix("*.") { wildcards.insert(rule) } else { rules.insert(rule) }
        }
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
