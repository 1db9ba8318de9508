import Foundation
import HotlineCore
import HotlineYAML

/// `Config/hotline.yaml`: what this gateway instance is and where its parts are.
///
/// ```yaml
/// version: 1
/// hotline: { name: Example Hotline, country: NL }
/// rules: ../Rules
/// storage: sqlite            # or postgres://USER@HOST:PORT/DATABASE, or { url: …, password_env: …, password_file: … }
/// ingest: { batch_size: 1000 }
/// hashes: { pdq_threshold: 31 }
/// ```
public struct GatewayConfig: Sendable {
    /// The hotline's name, used in notices.
    public var hotlineName: String
    /// The hotline's country (ISO 3166, uppercase).
    public var country: String
    /// Rule paths, resolved relative to the config file.
    public var rulePaths: [String]
    /// Where the data is kept: SQLite in the data directory (the embedded default) or
    /// PostgreSQL, for several instances on one database.
    public var storage: StorageSetting
    /// Most reports stored in one transaction.
    public var batchSize: Int
    /// PDQ hashes within this Hamming distance match (Meta's recommendation: 31).
    public var pdqThreshold: Int
    /// The contact directory, resolved relative to the config file.
    public var contactsPath: String
    /// DNS for hosting resolution.
    public var dns: DNSSetting
    /// RDAP for abuse contacts: off, IANA's bootstrap files in `rdapBootstrapPath`, or one server.
    public var rdap: RDAPSetting
    /// The directory holding the IANA bootstrap files.
    public var rdapBootstrapPath: String
    /// The Public Suffix List (Debian's `publicsuffix` package by default).
    public var publicSuffixListPath: String
    /// Sending and following up notices.
    public var dispatch = DispatchConfig()
    /// Fetching reported URLs: the gateway's own evidence and the follow-up's re-checks.
    public var fetch = FetchConfig()
    /// Requests per second per reporter token on `POST /v1/reports` (burst: twice that).
    public var apiReportRate = 10_000
    /// How long an HTTP connection may sit without a complete request before it is closed
    /// (idle keep-alive, or a request head that never finishes).
    public var apiIdleTimeout = TimeSpan(seconds: 30)
    /// Most open connections from one address (a trusted proxy is not counted).
    public var apiConnectionsPerPeer = 128
    /// Most open connections in all.
    public var apiMaxConnections = 2_000
    /// Most reports waiting for intake's next transaction; past it, 503 with Retry-After.
    public var apiIntakeQueue = 20_000
    /// Proxies whose `X-Forwarded-For` names the client (rate limits, token-guess limits).
    public var apiTrustedProxies: [IPNetwork] = []
    /// Hash checks per second per provider token (burst: twice that).
    public var apiHashcheckRate = 10
    /// `api.hashcheck_batch_rate`: hashes per second one provider token may check through
    /// `/v1/hashcheck/batch` (bursts of twice that, and at least one full batch).
    public var apiHashcheckBatchRate = 100_000
    /// `api.failed_token_rate`: unknown tokens and failed sign-ins allowed per minute from
    /// one client address before it is answered 429.
    public var apiFailedTokenRate = 10
    /// `api.session_idle`: a workbench session unused this long ends (sign in again).
    public var apiSessionIdle = TimeSpan(seconds: 30 * 60)
    /// The comply-or-explain thresholds.
    public var compliance = ComplianceThresholds()
    /// `hashes.external_matcher`: asked about fetched media the lists do not know; `nil` for none.
    public var externalMatcher: ExternalMatcherSettings? = nil
    /// `hashes.sync`: hash-sharing sources read into lists.
    public var hashSync: [HashSyncSettings] = []
    /// How long listed hosters may respond to a draft publication before it is published.
    public var publicationReviewWindow = TimeSpan.hours(14 * 24)
    /// Mailboxes read for reports and replies.
    public var mailboxes: [MailboxConfig] = []
    /// How long reporters' contact details are kept (personal data) before `hotline purge`
    /// erases them.
    public var reporterContactRetention = TimeSpan.hours(24 * 90)

    /// The defaults, used when there is no config file.
    public static let defaults = GatewayConfig(
        hotlineName: "Hotline", country: "NL", rulePaths: ["Rules"], storage: .sqlite, batchSize: 1000, pdqThreshold: 31, contactsPath: "Config/contacts.yaml",
        dns: .off, rdap: .off, rdapBootstrapPath: "Config/rdap", publicSuffixListPath: "/usr/share/publicsuffix/public_suffix_list.dat")

    /// Loads the config at `path`, collecting every problem. `environment` tells whether the
    /// default storage password variable is set.
    public static func load(_ path: String, environment: [String: String] = ProcessInfo.processInfo.environment) -> (GatewayConfig?, [Diagnostic]) {
        let text: String
        do {
            text = try RuleLoader.readText(path)
        } catch {
            return (nil, [error])
        }
        return parse(text, file: path, environment: environment)
    }

    /// The environment variable a PostgreSQL password is read from when the config names none.
    public static let defaultStoragePasswordVariable = "HOTLINE_STORAGE_PASSWORD"

    /// Parses config text.
    public static func parse(_ text: String, file: String, environment: [String: String] = ProcessInfo.processInfo.environment) -> (
        GatewayConfig?, [Diagnostic]
    ) {
        var reader: YAMLReader
        let root: YAMLNode?
        do {
            (root, reader) = try YAMLReader.start(text, file: file)
        } catch {
            return (nil, [error])
        }
        var config = GatewayConfig.defaults
        guard let root else { return (config, []) }
        guard
            let top = reader.mapping(
                root,
                allowed: [
                    "version", "hotline", "rules", "storage", "ingest", "hashes", "contacts", "dns", "rdap", "public_suffix_list", "templates", "smtp",
                    "dispatch", "fetch", "api", "monitor", "mailboxes", "retention",
                ], required: ["version"], what: "the gateway config")
        else {
            return (nil, reader.diagnostics)
        }
        reader.checkVersion(top["version"], supported: 1)
        let directory = (file as NSString).deletingLastPathComponent
        func resolve(_ path: String) -> String {
            path.hasPrefix("/") || directory.isEmpty ? path : (directory as NSString).appendingPathComponent(path)
        }
        config.dispatch = DispatchConfig.parse(top, resolve: resolve, reader: &reader)
        config.fetch = FetchConfig.parse(top["fetch"], reader: &reader)
        if let hotline = top["hotline"], let fields = reader.mapping(hotline, allowed: ["name", "country", "email", "domain", "website"], what: "hotline") {
            if let name = fields["name"].flatMap({ reader.string($0, key: "name") }) { config.hotlineName = name }
            if let country = fields["country"].flatMap({ reader.country($0, key: "country") }) { config.country = country }
            config.dispatch.identity.name = config.hotlineName
            if let node = fields["email"], let email = reader.string(node, key: "email") {
                if EmailAddress.isValid(email) {
                    config.dispatch.identity.email = email
                } else {
                    reader.error(.invalidValue, "\"email\" must be an e-mail address, got \(YAMLReader.show(node))", at: node.location)
                }
            }
            if let node = fields["domain"], let domain = reader.string(node, key: "domain") {
                if EmailAddress.isDomainName(domain) {
                    config.dispatch.identity.domain = domain
                } else {
                    reader.error(.invalidValue, "\"domain\" must be a host name such as hotline.example, got \(YAMLReader.show(node))", at: node.location)
                }
            }
            if let website = fields["website"].flatMap({ reader.string($0, key: "website") }) { config.dispatch.identity.website = website }
        }
        if let rules = top["rules"] {
            if let items = rules.scalar.map({ _ in [rules] }) ?? reader.sequence(rules, key: "rules") {
                config.rulePaths = items.compactMap { reader.string($0, key: "rules") }.map(resolve)
            }
        } else {
            config.rulePaths = [resolve("../Rules")]
        }
        if let storage = top["storage"] {
            config.storage = parseStorage(storage, resolve: resolve, environment: environment, reader: &reader) ?? config.storage
        }
        if let ingest = top["ingest"], let fields = reader.mapping(ingest, allowed: ["batch_size"], what: "ingest") {
            if let node = fields["batch_size"], let size = reader.integer(node, key: "batch_size", range: 1...100_000) { config.batchSize = size }
        }
        config.contactsPath = resolve("contacts.yaml")
        if let node = top["contacts"], let path = reader.string(node, key: "contacts") { config.contactsPath = resolve(path) }
        if let node = top["dns"] {
            let items = node.scalar != nil ? [node] : (reader.sequence(node, key: "dns") ?? [])
            var values: [String] = []
            for item in items {
                guard let text = reader.string(item, key: "dns") else { continue }
                if DNSSetting([text]) != nil {
                    values.append(text)
                } else {
                    reader.error(
                        .invalidValue, "\"dns\" must be off, system or nameserver addresses like 192.0.2.53 or 127.0.0.1:5353, got \(YAMLReader.show(item))",
                        at: item.location)
                }
            }
            if let setting = DNSSetting(values), !values.isEmpty { config.dns = setting }
        }
        config.rdapBootstrapPath = resolve("rdap")
        if let node = top["rdap"], let text = reader.string(node, key: "rdap") {
            if let setting = RDAPSetting(text) {
                config.rdap = setting
            } else {
                reader.error(.invalidValue, "\"rdap\" must be off, bootstrap or a server's base URL, got \(YAMLReader.show(node))", at: node.location)
            }
        }
        if let node = top["public_suffix_list"], let path = reader.string(node, key: "public_suffix_list") { config.publicSuffixListPath = resolve(path) }
        if let hashes = top["hashes"], let fields = reader.mapping(hashes, allowed: ["pdq_threshold", "external_matcher", "sync"], what: "hashes") {
            if let node = fields["pdq_threshold"], let threshold = reader.integer(node, key: "pdq_threshold", range: 0...128) {
                config.pdqThreshold = threshold
            }
            if let node = fields["external_matcher"], !node.isNull {
                config.externalMatcher = ExternalMatcherSettings.parse(node, resolve: resolve, reader: &reader)
            }
            if let node = fields["sync"], !node.isNull { config.hashSync = HashSyncSettings.parseAll(node, resolve: resolve, reader: &reader) }
        }
        if let api = top["api"],
            let fields = reader.mapping(
                api,
                allowed: [
                    "report_rate", "hashcheck_rate", "idle_timeout", "connections_per_peer", "max_connections", "intake_queue", "trusted_proxies",
                    "session_idle", "failed_token_rate", "hashcheck_batch_rate",
                ],
                what: "api")
        {
            if let span = fields["idle_timeout"].flatMap({ reader.duration($0, key: "idle_timeout") }) { config.apiIdleTimeout = span }
            if let count = fields["connections_per_peer"].flatMap({ reader.integer($0, key: "connections_per_peer", range: 1...100_000) }) {
                config.apiConnectionsPerPeer = count
            }
            if let count = fields["max_connections"].flatMap({ reader.integer($0, key: "max_connections", range: 1...1_000_000) }) {
                config.apiMaxConnections = count
            }
            if let count = fields["intake_queue"].flatMap({ reader.integer($0, key: "intake_queue", range: 1...10_000_000) }) { config.apiIntakeQueue = count }
            if let node = fields["trusted_proxies"], let items = reader.sequence(node, key: "trusted_proxies") {
                for item in items {
                    guard let text = reader.string(item, key: "trusted_proxies") else { continue }
                    if let network = IPNetwork(text) {
                        config.apiTrustedProxies.append(network)
                    } else {
                        reader.error(.invalidValue, "\"trusted_proxies\" must be addresses or networks, got \(YAMLReader.show(item))", at: item.location)
                    }
                }
            }
            if let rate = fields["report_rate"].flatMap({ reader.integer($0, key: "report_rate", range: 1...1_000_000) }) { config.apiReportRate = rate }
            if let node = fields["session_idle"], let span = reader.duration(node, key: "session_idle") {
                if span.seconds < 1 || span.seconds > 8 * 3600 {
                    reader.error(.invalidValue, "\"session_idle\" must be between 1s and 8h, got \(YAMLReader.show(node))", at: node.location)
                } else {
                    config.apiSessionIdle = span
                }
            }
            if let rate = fields["hashcheck_batch_rate"].flatMap({ reader.integer($0, key: "hashcheck_batch_rate", range: 1...100_000_000) }) {
                config.apiHashcheckBatchRate = rate
            }
            if let rate = fields["failed_token_rate"].flatMap({ reader.integer($0, key: "failed_token_rate", range: 1...100_000) }) {
                config.apiFailedTokenRate = rate
            }
            if let rate = fields["hashcheck_rate"].flatMap({ reader.integer($0, key: "hashcheck_rate", range: 1...100_000) }) { config.apiHashcheckRate = rate }
        }
        if let retention = top["retention"], let fields = reader.mapping(retention, allowed: ["reporter_contacts"], what: "retention") {
            if let span = fields["reporter_contacts"].flatMap({ reader.duration($0, key: "reporter_contacts") }) { config.reporterContactRetention = span }
        }
        if let node = top["mailboxes"], !node.isNull { config.mailboxes = MailboxConfig.parse(node, resolve: resolve, reader: &reader) }
        if let monitor = top["monitor"],
            let fields = reader.mapping(
                monitor, allowed: ["within_24h_percent", "min_notices", "max_median_hours", "max_online_7d_percent", "review_window"], what: "monitor")
        {
            if let percent = fields["within_24h_percent"].flatMap({ reader.integer($0, key: "within_24h_percent", range: 0...100) }) {
                config.compliance.within24h = Double(percent) / 100
            }
            if let count = fields["min_notices"].flatMap({ reader.integer($0, key: "min_notices", range: 1...100_000) }) {
                config.compliance.minimumNotices = count
            }
            if let hours = fields["max_median_hours"].flatMap({ reader.integer($0, key: "max_median_hours", range: 1...100_000) }) {
                config.compliance.medianHours = Double(hours)
            }
            if let percent = fields["max_online_7d_percent"].flatMap({ reader.integer($0, key: "max_online_7d_percent", range: 0...100) }) {
                config.compliance.onlineAfter7d = Double(percent) / 100
            }
            if let span = fields["review_window"].flatMap({ reader.duration($0, key: "review_window") }) { config.publicationReviewWindow = span }
        }
        if reader.diagnostics.containsErrors { return (nil, reader.diagnostics) }
        return (config, reader.diagnostics)
    }

    /// `storage: sqlite`, `storage: postgres://…`, or a mapping with the password's source.
    static func parseStorage(_ storage: YAMLNode, resolve: (String) -> String, environment: [String: String], reader: inout YAMLReader) -> StorageSetting? {
        var urlNode: YAMLNode? = storage
        var password: Secret?
        if storage.scalar == nil {
            guard let fields = reader.mapping(storage, allowed: ["url", "password_env", "password_file"], required: ["url"], what: "storage") else {
                return nil
            }
            urlNode = fields["url"]
            password = reader.secret(fields, section: "storage", resolve: resolve)
        }
        guard let node = urlNode, let text = reader.string(node, key: storage.scalar == nil ? "url" : "storage") else { return nil }
        if text == "sqlite" { return .sqlite }
        guard text.hasPrefix("postgres://") || text.hasPrefix("postgresql://") else {
            reader.error(
                .invalidValue, "\"storage\" must be sqlite (the embedded default) or postgres://USER@HOST:PORT/DATABASE, got \(YAMLReader.show(node))",
                at: node.location)
            return nil
        }
        switch PostgresSettings.parse(text) {
        case .success(var settings):
            // Without a named source, the default variable is used when it is set; a server
            // that trusts the connection needs none.
            if password == nil, environment[defaultStoragePasswordVariable] != nil { password = .environment(defaultStoragePasswordVariable) }
            settings.password = password
            return .postgres(settings)
        case .failure(let error):
            reader.error(.invalidValue, error.message, at: node.location)
            return nil
        }
    }
}
