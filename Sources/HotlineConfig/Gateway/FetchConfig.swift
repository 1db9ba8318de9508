import Foundation
import HotlineCore
import HotlineYAML

/// The `fetch` section of `Config/hotline.yaml`: how the gateway fetches reported URLs, for
/// its own evidence at intake and for the follow-up's re-checks.
///
/// ```yaml
/// fetch:
///   allow: []              # special-purpose networks it may reach anyway (tests: 127.0.0.0/8)
///   timeout: 15s
///   max_bytes: 33554432    # one body at most
///   user_agent: "Mozilla/5.0 …"   # default: a browser's, so hosters serve what people see
///   proxy: none            # or http://proxy.internal:3128, checked; never the environment's
///   intake:
///     enabled: true
///     sources: [public, member, partner, crawler, provider]
///     channels: [api, file, mail]
///     concurrency: 8       # fetches at once
///     per_host: 2          # fetches at once to one host
///     media_per_page: 50
///     total_bytes: 67108864   # per report, page and media
///     trusted: [org:partner-hotline, token:0193…]   # whose reported hashes count as evidence
///     video: { max_duration: 2h, max_frames: 432000, max_pixels: 9437184 }   # then refused, not hashed
/// ```
public struct FetchConfig: Sendable {
    /// Networks the fetcher may reach despite being special-purpose.
    public var allow: [IPNetwork] = []
    /// Per-request timeout.
    public var timeout = TimeSpan(seconds: 15)
    /// Largest body read.
    public var maximumBytes = 32 << 20
    /// The User-Agent sent; `nil`: a browser's.
    public var userAgent: String?
    /// A proxy named explicitly; `nil`: none.
    public var proxy: String?
    /// Which reports are fetched before they are decided, and how hard.
    public var intake = EvidencePolicy()

    /// The defaults: fetching at intake off (the shipped config turns it on).
    public init() {}

    static func parse(_ node: YAMLNode?, reader: inout YAMLReader) -> FetchConfig {
        var config = FetchConfig()
        guard let node, let fields = reader.mapping(node, allowed: ["allow", "timeout", "max_bytes", "user_agent", "proxy", "intake"], what: "fetch") else {
            return config
        }
        if let node = fields["allow"], let items = reader.sequence(node, key: "allow") {
            for item in items {
                guard let text = reader.string(item, key: "allow") else { continue }
                if let network = IPNetwork(text) {
                    config.allow.append(network)
                } else {
                    reader.error(.invalidAddress, "\(YAMLReader.show(item)) is not an address or CIDR network", at: item.location)
                }
            }
        }
        if let span = fields["timeout"].flatMap({ reader.duration($0, key: "timeout") }) { config.timeout = span }
        if let bytes = fields["max_bytes"].flatMap({ reader.integer($0, key: "max_bytes", range: 1024...(1 << 30)) }) { config.maximumBytes = bytes }
        if let node = fields["user_agent"], let text = reader.string(node, key: "user_agent") {
            // It goes into a request header: one printable line.
            if text.isEmpty || text.utf8.count > 512 || text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
                reader.error(
                    .invalidValue, "\"user_agent\" must be one line of printable text, at most 512 bytes, got \(YAMLReader.show(node))", at: node.location)
            } else {
                config.userAgent = text
            }
        }
        if let node = fields["proxy"], let text = reader.string(node, key: "proxy"), text != "none" {
            if let url = try? URLCanonicalizer.canonicalize(text), url.scheme == "http" || url.scheme == "https", url.path == "/", url.query == nil {
                config.proxy = "\(url.scheme)://\(url.host)\(url.port.map { ":\($0)" } ?? "")"
            } else {
                reader.error(.invalidValue, "\"proxy\" must be none or http://HOST:PORT, got \(YAMLReader.show(node))", at: node.location)
            }
        }
        if let node = fields["intake"] { config.intake = parseIntake(node, reader: &reader) }
        return config
    }

    static func parseIntake(_ node: YAMLNode, reader: inout YAMLReader) -> EvidencePolicy {
        var policy = EvidencePolicy(enabled: true)
        guard
            let fields = reader.mapping(
                node,
                allowed: ["enabled", "sources", "channels", "concurrency", "per_host", "media_per_page", "total_bytes", "batch", "lease", "trusted", "video"],
                what: "intake")
        else { return policy }
        if let on = fields["enabled"].flatMap({ reader.bool($0, key: "enabled") }) { policy.enabled = on }
        if let node = fields["sources"], let items = reader.sequence(node, key: "sources") {
            policy.sources = []
            for item in items {
                guard let text = reader.string(item, key: "sources") else { continue }
                if let kind = ReportSource.Kind(rawValue: text) {
                    policy.sources.insert(kind)
                } else {
                    reader.error(
                        .invalidValue,
                        "\"sources\" must be source types (\(ReportSource.Kind.allCases.map(\.rawValue).joined(separator: ", "))), got \(YAMLReader.show(item))",
                        at: item.location)
                }
            }
        }
        if let node = fields["channels"], let items = reader.sequence(node, key: "channels") {
            policy.channels = []
            for item in items {
                guard let text = reader.string(item, key: "channels") else { continue }
                if ["api", "file", "mail"].contains(text) {
                    policy.channels.insert(text)
                } else {
                    reader.error(.invalidValue, "\"channels\" must be api, file or mail, got \(YAMLReader.show(item))", at: item.location)
                }
            }
        }
        if let value = fields["concurrency"].flatMap({ reader.integer($0, key: "concurrency", range: 1...256) }) { policy.concurrency = value }
        if let value = fields["per_host"].flatMap({ reader.integer($0, key: "per_host", range: 1...64) }) { policy.perHost = value }
        if let value = fields["media_per_page"].flatMap({ reader.integer($0, key: "media_per_page", range: 0...1000) }) { policy.mediaPerPage = value }
        if let value = fields["total_bytes"].flatMap({ reader.integer($0, key: "total_bytes", range: 1024...(1 << 32)) }) { policy.totalBytes = value }
        if let value = fields["batch"].flatMap({ reader.integer($0, key: "batch", range: 1...10_000) }) { policy.batchSize = value }
        if let node = fields["lease"], let span = reader.duration(node, key: "lease") {
            if span.seconds < 5 {
                reader.error(.invalidValue, "\"lease\" must be at least 5s, got \(YAMLReader.show(node))", at: node.location)
            } else {
                policy.lease = TimeInterval(span.seconds)
            }
        }
        if let node = fields["trusted"], let items = reader.sequence(node, key: "trusted") {
            for item in items {
                guard let text = reader.string(item, key: "trusted") else { continue }
                if (text.hasPrefix("org:") || text.hasPrefix("token:")) && text.split(separator: ":", maxSplits: 1).last.map({ !$0.isEmpty }) == true {
                    policy.trustedSubmitters.insert(text)
                } else {
                    reader.error(.invalidValue, "\"trusted\" entries are org:NAME or token:ID, got \(YAMLReader.show(item))", at: item.location)
                }
            }
        }
        if let node = fields["video"] { policy.videoLimits = parseVideo(node, reader: &reader) }
        return policy
    }

    /// `video: { max_duration, max_frames, max_pixels }`: bounds against videos made to
    /// keep a decoder busy; each within what the gateway can decode at all.
    static func parseVideo(_ node: YAMLNode, reader: inout YAMLReader) -> VideoLimits {
        var limits = VideoLimits.standard
        guard let fields = reader.mapping(node, allowed: ["max_duration", "max_frames", "max_pixels"], what: "video") else { return limits }
        if let node = fields["max_duration"], let span = reader.duration(node, key: "max_duration") {
            if span.seconds < 1 || span.seconds > 24 * 3600 {
                reader.error(.invalidValue, "\"max_duration\" must be from 1s to 24h, got \(YAMLReader.show(node))", at: node.location)
            } else {
                limits.maximumSeconds = Double(span.seconds)
            }
        }
        if let value = fields["max_frames"].flatMap({ reader.integer($0, key: "max_frames", range: 1...(24 * 3600 * 120)) }) {
            limits.maximumDecodedFrames = value
        }
        if let value = fields["max_pixels"].flatMap({ reader.integer($0, key: "max_pixels", range: (32 * 32)...(8192 * 4320)) }) {
            limits.maximumPixels = value
        }
        return limits
    }
}
