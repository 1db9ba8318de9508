import Foundation
import HotlineCore
import HotlineYAML

/// `hashes.external_matcher`: a licensed or remote matcher the gateway asks about fetched
/// media its own lists do not know.
///
/// ```yaml
/// hashes:
///   external_matcher:
///     name: photodna          # hash.list of its matches
///     api: photodna           # photodna (Match API, inline base64) or arachnid (Arachnid Shield, raw bytes)
///     url: https://api.example/photodna/v1.0/Match
///     key_env: PHOTODNA_KEY   # or key_file; arachnid: user plus key as the password
///     timeout: 5s
///     breaker: { failures: 5, cooldown: 1m }
/// ```
public struct ExternalMatcherSettings: Hashable, Sendable {
    /// The wire format it speaks.
    public typealias API = ExternalMatcherAPI

    /// The name its matches are listed under.
    public var name: String
    /// Its wire format.
    public var api: API
    /// Where to send queries.
    public var url: String
    /// The user name (Arachnid Shield).
    public var user: String?
    /// The subscription key or password.
    public var key: Secret
    /// Whole-request timeout.
    public var timeout: TimeSpan
    /// Failures in a row that open the breaker.
    public var failures: Int
    /// How long the breaker stays open.
    public var cooldown: TimeSpan

    /// Creates settings.
    public init(
        name: String, api: API, url: String, user: String? = nil, key: Secret, timeout: TimeSpan = TimeSpan(seconds: 5), failures: Int = 5,
        cooldown: TimeSpan = TimeSpan(seconds: 60)
    ) {
        self.name = name
        self.api = api
        self.url = url
        self.user = user
        self.key = key
        self.timeout = timeout
        self.failures = failures
        self.cooldown = cooldown
    }

    /// Reads the section, collecting problems into `reader`.
    static func parse(_ node: YAMLNode, resolve: (String) -> String, reader: inout YAMLReader) -> ExternalMatcherSettings? {
        guard
            let fields = reader.mapping(
                node, allowed: ["name", "api", "url", "user", "key_env", "key_file", "timeout", "breaker"], required: ["api", "url"],
                what: "hashes.external_matcher")
        else { return nil }
        var api: API?
        if let node = fields["api"], let text = reader.string(node, key: "api") {
            api = API(rawValue: text)
            if api == nil { reader.error(.invalidValue, "\"api\" must be photodna or arachnid, got \(YAMLReader.show(node))", at: node.location) }
        }
        var url: String?
        if let node = fields["url"], let text = reader.string(node, key: "url") {
            // The key goes with every request: https only, except to loopback (tests, a local proxy).
            if text.hasPrefix("https://") || LoopbackHost.isLoopbackURL(text) {
                url = text
            } else {
                reader.error(.invalidValue, "\"url\" must be https (or http to loopback), got \(YAMLReader.show(node))", at: node.location)
            }
        }
        let key = reader.secret(fields, section: "hashes.external_matcher", resolve: resolve, variableKey: "key_env", fileKey: "key_file")
        if key == nil { reader.error(.invalidValue, "hashes.external_matcher needs key_env or key_file", at: node.location) }
        var settings = ExternalMatcherSettings(
            name: fields["name"].flatMap { reader.string($0, key: "name") } ?? api?.rawValue ?? "external", api: api ?? .photodna, url: url ?? "",
            user: fields["user"].flatMap { reader.string($0, key: "user") }, key: key ?? .value(""))
        if let span = fields["timeout"].flatMap({ reader.duration($0, key: "timeout") }) { settings.timeout = span }
        if let node = fields["breaker"], let breaker = reader.mapping(node, allowed: ["failures", "cooldown"], what: "breaker") {
            if let count = breaker["failures"].flatMap({ reader.integer($0, key: "failures", range: 1...1000) }) { settings.failures = count }
            if let span = breaker["cooldown"].flatMap({ reader.duration($0, key: "cooldown") }) { settings.cooldown = span }
        }
        if settings.api == .arachnid && settings.user == nil, let node = fields["api"] {
            reader.error(.invalidValue, "api arachnid needs \"user\" (HTTP Basic)", at: node.location)
        }
        guard api != nil, url != nil, key != nil else { return nil }
        return settings
    }
}
