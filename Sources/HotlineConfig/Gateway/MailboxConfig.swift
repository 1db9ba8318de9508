import Foundation
import HotlineCore
import HotlineYAML

/// A mailbox the gateway reads (`mailboxes:` in `Config/hotline.yaml`).
///
/// ```yaml
/// mailboxes:
///   - name: reports
///     role: reports                  # reports | replies
///     host: imap.hotline.example
///     port: 993
///     security: tls                  # tls | starttls | none (loopback only)
///     username: reports@hotline.example
///     password_env: HOTLINE_IMAP_PASSWORD
///     folder: INBOX
///     people_folder: Hotline People  # where unusable messages go, with the reason logged
///     trusted_senders: [reports@partner-hotline.test]   # plain URL lists accepted from these
/// ```
public struct MailboxConfig: Sendable {
    /// What the mailbox holds.
    public enum Role: String, Sendable, CaseIterable {
        /// Incoming reports (X-ARF, URL lists from trusted senders).
        case reports
        /// Answers to notices and bounces.
        case replies
    }

    /// The mailbox's name (logs, the mail log, report sources).
    public var name: String
    /// Its role.
    public var role: Role
    /// Connection and login; the password comes from the environment or a file.
    public var settings: IMAPSettings
    /// The folder read.
    public var folder: String
    /// Where messages the gateway cannot use are moved.
    public var peopleFolder: String
    /// Senders whose plain messages listing URLs are taken as reports.
    public var trustedSenders: Set<String>

    static func parse(_ node: YAMLNode, resolve: (String) -> String, reader: inout YAMLReader) -> [MailboxConfig] {
        guard let items = reader.sequence(node, key: "mailboxes") else { return [] }
        var result: [MailboxConfig] = []
        var names = Set<String>()
        for item in items {
            guard
                let fields = reader.mapping(
                    item,
                    allowed: [
                        "name", "role", "host", "port", "security", "username", "password_env", "password_file", "ca_file", "folder", "people_folder",
                        "trusted_senders", "timeout",
                    ], required: ["name", "role", "host", "port", "username"], what: "a mailbox")
            else { continue }
            let name = fields["name"].flatMap { reader.string($0, key: "name") } ?? ""
            if !names.insert(name).inserted, let node = fields["name"] {
                reader.error(.duplicateName, "mailbox \"\(name)\" is defined twice", at: node.location)
            }
            var role = Role.reports
            if let node = fields["role"], let text = reader.string(node, key: "role") {
                if let parsed = Role(rawValue: text) {
                    role = parsed
                } else {
                    reader.error(.invalidValue, "\"role\" must be reports or replies, got \(YAMLReader.show(node))", at: node.location)
                }
            }
            var security = MailSecurity.tls
            if let node = fields["security"], let text = reader.string(node, key: "security") {
                if let parsed = MailSecurity(rawValue: text) {
                    security = parsed
                } else {
                    reader.error(.invalidValue, "\"security\" must be tls, starttls or none, got \(YAMLReader.show(node))", at: node.location)
                }
            }
            let settings = IMAPSettings(
                host: fields["host"].flatMap { reader.string($0, key: "host") } ?? "",
                port: fields["port"].flatMap { reader.integer($0, key: "port", range: 1...65535) } ?? 993,
                security: security, username: fields["username"].flatMap { reader.string($0, key: "username") } ?? "",
                password: reader.secret(fields, section: "mailboxes[\(result.count)]", resolve: resolve),
                caFile: fields["ca_file"].flatMap { reader.string($0, key: "ca_file") }.map(resolve),
                timeout: TimeInterval(fields["timeout"].flatMap { reader.duration($0, key: "timeout") }?.seconds ?? 30))
            var trusted = Set<String>()
            if let node = fields["trusted_senders"], let list = reader.sequence(node, key: "trusted_senders") {
                for entry in list {
                    guard let text = reader.string(entry, key: "trusted_senders") else { continue }
                    if text.contains("@") {
                        trusted.insert(text.lowercased())
                    } else {
                        reader.error(.invalidValue, "\"trusted_senders\" must be e-mail addresses, got \(YAMLReader.show(entry))", at: entry.location)
                    }
                }
            }
            result.append(
                MailboxConfig(
                    name: name, role: role, settings: settings,
                    folder: fields["folder"].flatMap { reader.string($0, key: "folder") } ?? "INBOX",
                    peopleFolder: fields["people_folder"].flatMap { reader.string($0, key: "people_folder") } ?? "Hotline People",
                    trustedSenders: trusted))
        }
        return result
    }
}
