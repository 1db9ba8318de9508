import Foundation
import HotlineCore
import HotlineYAML

/// The `hotline` identity, `smtp`, `dispatch` and `fetch` sections of `Config/hotline.yaml`:
/// how notices are sent and followed up.
///
/// ```yaml
/// smtp: { host: 127.0.0.1, port: 2525, security: none }   # starttls | tls; username, password_env, ca_file
/// dispatch:
///   batch_window: 1h
///   lease: 2m          # how long a claim on due work keeps other instances away
///   retry: { initial: 1m, maximum: 6h, attempts: 8 }
///   followup: { checks: [1h, 6h, 24h], then_every: 24h, confirm_after: 30m, confirmations: 2, give_up_after: 90d, inconclusive_limit: 3,
///               forward_stale_after: 7d }
/// ```
/// The `fetch` section is ``FetchConfig``.
public struct DispatchConfig: Sendable {
    /// Who notices come from.
    public var identity = HotlineIdentity(name: "Hotline", email: "notices@hotline.example", domain: "hotline.example")
    /// The templates directory (one folder per language).
    public var templatesPath = "Config/templates"
    /// The SMTP relay; the password comes from the environment or a file.
    public var smtp = SMTPSettings(host: "127.0.0.1", port: 25, security: .starttls)
    /// Batch window of first notices without one in the rule.
    public var batchWindow = TimeSpan.hours(1)
    /// Worker policies.
    public var settings = DispatchSettings()
    /// Whether URLs are re-checked at all.
    public var recheck = true
    /// `dispatch.signing.smime`: sign e-mailed notices; `nil` sends them unsigned.
    public var signing: SigningSettings?

    /// Creates the defaults.
    public init() {}

    /// Reads the sections from `top`, collecting problems into `reader`.
    static func parse(_ top: [String: YAMLNode], resolve: (String) -> String, reader: inout YAMLReader) -> DispatchConfig {
        var config = DispatchConfig()
        config.templatesPath = resolve("templates")
        if let node = top["templates"], let path = reader.string(node, key: "templates") { config.templatesPath = resolve(path) }
        if let node = top["smtp"],
            let fields = reader.mapping(
                node, allowed: ["host", "port", "security", "username", "password_env", "password_file", "ca_file", "timeout"], required: ["host", "port"],
                what: "smtp")
        {
            if let host = fields["host"].flatMap({ reader.string($0, key: "host") }) { config.smtp.host = host }
            if let port = fields["port"].flatMap({ reader.integer($0, key: "port", range: 1...65535) }) { config.smtp.port = port }
            if let node = fields["security"], let text = reader.string(node, key: "security") {
                if let security = MailSecurity(rawValue: text) {
                    config.smtp.security = security
                } else {
                    reader.error(.invalidValue, "\"security\" must be none, starttls or tls, got \(YAMLReader.show(node))", at: node.location)
                }
            }
            config.smtp.username = fields["username"].flatMap { reader.string($0, key: "username") }
            config.smtp.password = reader.secret(fields, section: "smtp", resolve: resolve)
            config.smtp.caFile = fields["ca_file"].flatMap { reader.string($0, key: "ca_file") }.map(resolve)
            if let span = fields["timeout"].flatMap({ reader.duration($0, key: "timeout") }) { config.smtp.timeout = TimeInterval(span.seconds) }
            // Notices, and a password, in plain text across a network: only to this machine.
            if config.smtp.security == .none, !LoopbackHost.contains(config.smtp.host), let node = fields["security"] ?? fields["host"] {
                reader.error(
                    .invalidValue,
                    "\"security\": none is only for a server on loopback (127.0.0.1, ::1, localhost); use starttls or tls for \(Quoted.text(config.smtp.host))",
                    at: node.location)
            }
        }
        if let node = top["dispatch"],
            let fields = reader.mapping(node, allowed: ["batch_window", "retry", "followup", "recheck", "lease", "quiet_days", "signing"], what: "dispatch")
        {
            if let node = fields["signing"], let signing = reader.mapping(node, allowed: ["smime"], required: ["smime"], what: "dispatch.signing"),
                let smime = signing["smime"].flatMap({
                    reader.mapping(
                        $0, allowed: ["certificate_file", "chain_file", "key_env", "key_file", "passphrase_env", "passphrase_file"],
                        required: ["certificate_file"],
                        what: "dispatch.signing.smime")
                })
            {
                let key = reader.secret(smime, section: "dispatch.signing.smime", resolve: resolve, variableKey: "key_env", fileKey: "key_file")
                if key == nil, let at = smime["certificate_file"] {
                    reader.error(.missingKey, "dispatch.signing.smime needs the private key: key_file or key_env", at: at.location)
                }
                if let key, let certificate = smime["certificate_file"].flatMap({ reader.string($0, key: "certificate_file") }) {
                    config.signing = SigningSettings(
                        certificateFile: resolve(certificate), key: key,
                        passphrase: reader.secret(
                            smime, section: "dispatch.signing.smime", resolve: resolve, variableKey: "passphrase_env", fileKey: "passphrase_file"),
                        chainFile: smime["chain_file"].flatMap { reader.string($0, key: "chain_file") }.map(resolve))
                }
            }
            if let node = fields["quiet_days"], let days = reader.sequence(node, key: "quiet_days") {
                for day in days {
                    guard let text = reader.string(day, key: "quiet_days") else { continue }
                    if let valid = QuietDays.day(text) {
                        config.settings.quietDays.days.insert(valid)
                    } else {
                        reader.error(.invalidValue, "\"quiet_days\" holds dates like 2026-12-25, got \(YAMLReader.show(day))", at: day.location)
                    }
                }
            }
            if let span = fields["batch_window"].flatMap({ reader.duration($0, key: "batch_window") }) { config.batchWindow = span }
            // How long a worker's claim on a message or notice keeps other instances away; after a
            // crash, that work waits this long. It must outlast claimSize attempts at the SMTP timeout.
            if let node = fields["lease"], let span = reader.duration(node, key: "lease") {
                if span.seconds < 5 {
                    reader.error(.invalidValue, "\"lease\" must be at least 5s, got \(YAMLReader.show(node))", at: node.location)
                } else {
                    config.settings.lease = TimeInterval(span.seconds)
                }
            }
            if let node = fields["recheck"], let on = reader.bool(node, key: "recheck") { config.recheck = on }
            if let node = fields["retry"], let retry = reader.mapping(node, allowed: ["initial", "maximum", "attempts"], what: "retry") {
                if let span = retry["initial"].flatMap({ reader.duration($0, key: "initial") }) { config.settings.retry.initialDelay = span }
                if let span = retry["maximum"].flatMap({ reader.duration($0, key: "maximum") }) { config.settings.retry.maximumDelay = span }
                if let count = retry["attempts"].flatMap({ reader.integer($0, key: "attempts", range: 1...100) }) { config.settings.retry.attempts = count }
            }
            if let node = fields["followup"],
                let followUp = reader.mapping(
                    node, allowed: ["checks", "then_every", "confirm_after", "confirmations", "give_up_after", "inconclusive_limit", "forward_stale_after"],
                    what: "followup")
            {
                if let node = followUp["checks"], let items = reader.sequence(node, key: "checks") {
                    let spans = items.compactMap { reader.duration($0, key: "checks") }
                    if spans != spans.sorted() || spans.isEmpty {
                        reader.error(.invalidValue, "\"checks\" must be one or more growing durations after delivery, like [1h, 6h, 24h]", at: node.location)
                    } else {
                        config.settings.followUp.checks = spans
                    }
                }
                if let node = followUp["then_every"], let span = reader.duration(node, key: "then_every") {
                    if span.seconds < 60 {
                        reader.error(.invalidValue, "\"then_every\" must be at least 1m, got \(YAMLReader.show(node))", at: node.location)
                    } else {
                        config.settings.followUp.interval = span
                    }
                }
                if let span = followUp["confirm_after"].flatMap({ reader.duration($0, key: "confirm_after") }) { config.settings.followUp.confirmAfter = span }
                if let count = followUp["confirmations"].flatMap({ reader.integer($0, key: "confirmations", range: 1...10) }) {
                    config.settings.followUp.confirmations = count
                }
                if let span = followUp["give_up_after"].flatMap({ reader.duration($0, key: "give_up_after") }) { config.settings.followUp.giveUpAfter = span }
                if let count = followUp["inconclusive_limit"].flatMap({ reader.integer($0, key: "inconclusive_limit", range: 1...100) }) {
                    config.settings.followUp.inconclusiveLimit = count
                }
                if let node = followUp["forward_stale_after"], let span = reader.duration(node, key: "forward_stale_after") {
                    if span.seconds < 3600 {
                        reader.error(.invalidValue, "\"forward_stale_after\" must be at least 1h, got \(YAMLReader.show(node))", at: node.location)
                    } else {
                        config.settings.followUp.forwardStaleAfter = span
                    }
                }
            }
        }
        return config
    }
}

/// How e-mailed notices are signed (S/MIME): the certificate and its chain as PEM files,
/// the private key and its passphrase as secrets (environment or file; unreadable is an error).
public struct SigningSettings: Sendable {
    /// The signer's certificate (PEM).
    public var certificateFile: String
    /// The private key (PEM).
    public var key: Secret
    /// The key's passphrase, when it is encrypted.
    public var passphrase: Secret?
    /// Intermediate certificates (PEM), sent with the signature.
    public var chainFile: String?

    /// Creates the settings.
    public init(certificateFile: String, key: Secret, passphrase: Secret?, chainFile: String?) {
        self.certificateFile = certificateFile
        self.key = key
        self.passphrase = passphrase
        self.chainFile = chainFile
    }
}
