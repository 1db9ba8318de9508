import Foundation
import HotlineCore
import HotlineYAML

/// One entry of `hashes.sync`: a hash-sharing source read into a list on a schedule.
///
/// ```yaml
/// hashes:
///   sync:
///     - name: ncmec                     # the source (checkpoint, audit, `hashes sync NAME`)
///       api: ncmec                      # NCMEC's hash-sharing API v2
///       url: https://hashsharing.ncmec.org/npo
///       user: eokm
///       password_env: NCMEC_PASSWORD    # or password_file
///       list: ncmec                     # default: the name
///       every: 1h                       # `hotline serve` syncs it this often; 0s: by hand only
///       feedback: true                  # votes: allow-listed hashes down, confirmed ones up
///       downvote_reason: Not CSAM       # when the API offers several reasons
///       timeout: 60s
/// ```
public struct HashSyncSettings: Hashable, Sendable {
    /// The wire formats a source may speak.
    public enum API: String, Hashable, Sendable, CaseIterable {
        /// NCMEC's hash-sharing API, version 2.
        case ncmec
    }

    /// The source's name.
    public var name: String
    /// Its wire format.
    public var api: API
    /// The environment's base URL.
    public var url: String
    /// HTTP Basic user.
    public var user: String
    /// HTTP Basic password.
    public var password: Secret
    /// The list its entries go on.
    public var list: String
    /// How often `hotline serve` syncs it; zero for by hand only.
    public var every: TimeSpan
    /// Whether votes are sent.
    public var feedback: Bool
    /// The downvote reason's name, when the API offers more than one.
    public var downvoteReason: String?
    /// Whole-request timeout.
    public var timeout: TimeSpan

    /// Creates settings.
    public init(
        name: String, api: API = .ncmec, url: String, user: String, password: Secret, list: String? = nil, every: TimeSpan = TimeSpan(seconds: 3600),
        feedback: Bool = false, downvoteReason: String? = nil, timeout: TimeSpan = TimeSpan(seconds: 60)
    ) {
        self.name = name
        self.api = api
        self.url = url
        self.user = user
        self.password = password
        self.list = list ?? name
        self.every = every
        self.feedback = feedback
        self.downvoteReason = downvoteReason
        self.timeout = timeout
    }

    /// Reads `hashes.sync`, collecting problems into `reader`.
    static func parseAll(_ node: YAMLNode, resolve: (String) -> String, reader: inout YAMLReader) -> [HashSyncSettings] {
        guard let items = reader.sequence(node, key: "sync") else { return [] }
        var sources: [HashSyncSettings] = []
        for item in items {
            guard let source = parse(item, resolve: resolve, reader: &reader) else { continue }
            if sources.contains(where: { $0.name == source.name }) {
                reader.error(.invalidValue, "hashes.sync names \(JSONValue.string(source.name).serialized) twice", at: item.location)
                continue
            }
            sources.append(source)
        }
        return sources
    }

    static func parse(_ node: YAMLNode, resolve: (String) -> String, reader: inout YAMLReader) -> HashSyncSettings? {
        guard
            let fields = reader.mapping(
                node,
                allowed: ["name", "api", "url", "user", "password_env", "password_file", "list", "every", "feedback", "downvote_reason", "timeout"],
                required: ["name", "api", "url", "user"], what: "hashes.sync entry")
        else { return nil }
        func token(_ key: String) -> String? {
            guard let node = fields[key], let text = reader.string(node, key: key) else { return nil }
            guard !text.isEmpty, text.utf8.count <= 64,
                text.unicodeScalars.allSatisfy({ $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "-_.".unicodeScalars.contains($0)) })
            else {
                reader.error(.invalidValue, "\"\(key)\" must be letters, digits, '-', '_' or '.', got \(YAMLReader.show(node))", at: node.location)
                return nil
            }
            return text
        }
        let name = token("name")
        var api: API?
        if let node = fields["api"], let text = reader.string(node, key: "api") {
            api = API(rawValue: text)
            if api == nil { reader.error(.invalidValue, "\"api\" must be ncmec, got \(YAMLReader.show(node))", at: node.location) }
        }
        var url: String?
        if let node = fields["url"], let text = reader.string(node, key: "url") {
            // The password goes with every request: https only, except to loopback.
            if (text.hasPrefix("https://") || LoopbackHost.isLoopbackURL(text)) && !text.contains("?") && !text.contains("#") {
                url = text
            } else {
                reader.error(.invalidValue, "\"url\" must be an https base URL (or http to loopback), got \(YAMLReader.show(node))", at: node.location)
            }
        }
        let user = fields["user"].flatMap { reader.string($0, key: "user") }
        if let user, let node = fields["user"], user.isEmpty || user.contains(":") || user.unicodeScalars.contains(where: { $0.value < 0x20 }) {
            reader.error(.invalidValue, "\"user\" must be a plain name without ':', got \(YAMLReader.show(node))", at: node.location)
        }
        let label = "hashes.sync[\(name ?? "?")]"
        let password = reader.secret(fields, section: label, resolve: resolve)
        if password == nil { reader.error(.invalidValue, "\(label) needs password_env or password_file", at: node.location) }
        guard let name, let api, let url, let user, let password else { return nil }
        var settings = HashSyncSettings(name: name, api: api, url: url, user: user, password: password, list: fields["list"] != nil ? token("list") : nil)
        if let span = fields["every"].flatMap({ reader.duration($0, key: "every") }) { settings.every = span }
        if let value = fields["feedback"].flatMap({ reader.bool($0, key: "feedback") }) { settings.feedback = value }
        if let text = fields["downvote_reason"].flatMap({ reader.string($0, key: "downvote_reason") }) { settings.downvoteReason = text }
        if let span = fields["timeout"].flatMap({ reader.duration($0, key: "timeout") }) { settings.timeout = span }
        return settings
    }
}
