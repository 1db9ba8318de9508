/// The hash values sent with a URL in X-ARF (`hash_values`), lowercase hex.
public typealias HashValues = [String: String]

/// One reported URL as it travels from a decision to a notice and back into the rules: the
/// report, case and decision it belongs to, the URL and its host, and the content hashes sent
/// with it. Dispatch items and notice items embed it as it is.
public struct ReportedURL: Hashable, Sendable, Codable {
    /// The report.
    public var reportID: String
    /// Its case.
    public var caseID: String
    /// The decision (or lifecycle event) that asked for it.
    public var decisionID: String
    /// The canonical URL.
    public var url: String
    /// Its host.
    public var host: String
    /// The content's hash values, for X-ARF.
    public var hashes: HashValues

    /// Creates one.
    public init(reportID: String, caseID: String, decisionID: String, url: String, host: String, hashes: HashValues) {
        self.reportID = reportID
        self.caseID = caseID
        self.decisionID = decisionID
        self.url = url
        self.host = host
        self.hashes = hashes
    }

    /// The same URL under another decision.
    public func decided(by decisionID: String) -> ReportedURL {
        var copy = self
        copy.decisionID = decisionID
        return copy
    }
}
