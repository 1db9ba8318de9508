import HotlineConfig
import HotlineCore

/// What the command line changes about the config for one run.
public struct GatewayOverrides: Sendable {
    /// Rule files or directories instead of the config's.
    public var rulePaths: [String]?
    /// DNS instead of the config's.
    public var dns: DNSSetting?
    /// RDAP instead of the config's.
    public var rdap: RDAPSetting?
    /// No DNS and no RDAP, whatever the config says: the directory, imported tables and cache only.
    public var offline: Bool
    /// The clock (a shifted one for `--at`).
    public var time: any TimeSource

    /// Creates overrides; none by default.
    public init(rulePaths: [String]? = nil, dns: DNSSetting? = nil, rdap: RDAPSetting? = nil, offline: Bool = false, time: any TimeSource = SystemTimeSource())
    {
        self.rulePaths = rulePaths
        self.dns = dns
        self.rdap = rdap
        self.offline = offline
        self.time = time
    }
}
