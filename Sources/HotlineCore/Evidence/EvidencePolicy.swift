import Foundation

/// Which reports the gateway fetches before deciding, and how hard it may push a host:
/// `fetch.intake` in the config.
public struct EvidencePolicy: Hashable, Sendable {
    /// Fetching at intake at all.
    public var enabled: Bool
    /// The source types whose reports are fetched.
    public var sources: Set<ReportSource.Kind>
    /// The channels whose reports are fetched (`api`, `file`, `mail`).
    public var channels: Set<String>
    /// Fetches at once, over every host.
    public var concurrency: Int
    /// Fetches at once to one host.
    public var perHost: Int
    /// Media fetched from one page at most.
    public var mediaPerPage: Int
    /// Bytes read for one report at most (page and media).
    public var totalBytes: Int
    /// Reports claimed per pass.
    public var batchSize: Int
    /// How long a claim keeps other instances away.
    public var lease: TimeInterval
    /// Submitters whose reported hashes count as evidence (`token:ID` or `org:NAME`), such as
    /// a partner hotline's token: their reports are decided on their hashes when the fetch
    /// shows nothing.
    public var trustedSubmitters: Set<String>
    /// What a fetched video may be before it is refused rather than hashed (its bytes are
    /// bounded by the fetcher's limit too).
    public var videoLimits: VideoLimits

    /// Creates a policy; off by default, so a gateway without a config fetches nothing.
    public init(
        enabled: Bool = false, sources: Set<ReportSource.Kind> = Set(ReportSource.Kind.allCases), channels: Set<String> = ["api", "file", "mail"],
        concurrency: Int = 8, perHost: Int = 2, mediaPerPage: Int = 50, totalBytes: Int = 64 << 20, batchSize: Int = 64, lease: TimeInterval = 120,
        trustedSubmitters: Set<String> = [], videoLimits: VideoLimits = .standard
    ) {
        self.videoLimits = videoLimits
        self.enabled = enabled
        self.sources = sources
        self.channels = channels
        self.concurrency = concurrency
        self.perHost = perHost
        self.mediaPerPage = mediaPerPage
        self.totalBytes = totalBytes
        self.batchSize = batchSize
        self.lease = lease
        self.trustedSubmitters = trustedSubmitters
    }

    /// Whether a report of this source, arriving by `channel`, is fetched before it is decided.
    public func fetches(_ source: ReportSource.Kind, channel: String) -> Bool {
        enabled && sources.contains(source) && channels.contains(channel)
    }
}
