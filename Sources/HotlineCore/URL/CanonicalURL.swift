/// A reported URL in canonical form, with the original kept beside it.
///
/// Two reports of the same material usually spell the URL differently (`HTTP://Example.COM:80/a/./b#x`
/// and `http://example.com/a/b`); cases group reports by the canonical form. The rules are in
/// `docs/url-canonicalization.md` and ``URLCanonicalizer``.
public struct CanonicalURL: Hashable, Sendable, CustomStringConvertible {
    /// The canonical text.
    public var canonical: String
    /// The URL exactly as reported.
    public var original: String
    /// `http` or `https`.
    public var scheme: String
    /// The host: lowercased, IDN labels as A-labels, IPv6 in brackets.
    public var host: String
    /// The port when it is not the scheme's default.
    public var port: Int?
    /// The path, never empty.
    public var path: String
    /// The query without `?`, if any.
    public var query: String?

    /// The canonical text.
    public var description: String { canonical }

    /// The last label of a domain host (`com` for `www.example.com`), `nil` for IP hosts.
    public var topLevelDomain: String? {
        if host.hasPrefix("[") || host.allSatisfy({ $0.isNumber || $0 == "." }) { return nil }
        return host.split(separator: ".").last.map(String.init)
    }
}

/// Why a URL was refused.
public struct URLError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What is wrong with the URL.
    public var message: String
    /// Creates an error.
    public init(_ message: String) { self.message = message }
    /// The message.
    public var description: String { message }
}
