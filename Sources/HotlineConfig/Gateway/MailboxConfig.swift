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
///     authserv_id: mx.hotline.example  # whose Authentication-Results (RFC 8601) count
///     senders: [partner-hotline.test, reports@other.test]  # who may report (domains or addresses)
///     trusted_senders: [reports@partner-hotline.test]   # plain URL lists accepted from these
/// ```
///
/// A message counts as from its `From:` only when the topmost `Authentication-Results`
/// header is from `authserv_id` and shows DKIM, SPF or DMARC passing for the `From:` domain.
/// Reports are taken from such senders in `senders` or `trusted_senders`; replies only from a
/// notice's recipients. Without `authserv_id` every report and reply is set aside for people.
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
    /// The authserv-id of the MTA that delivers to this mailbox (`authserv_id`).
    public var authservID: String? = nil
    /// Who may send reports, once authenticated: domains (and their subdomains) or addresses.
    public var senders: Set<String> = []

    /// Whether `address` (authenticated) may send reports here.
    public func mayReport(_ address: String) -> Bool {
        let domain = address.split(separator: "@").last.map(String.init) ?? ""
        return trustedSenders.contains(address) || senders.contains(address)
            || senders.contains { !$0.contains("@") && (domain == $0 || domain.hasSuffix("." + $0)) }
    }

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
                        "trusted_senders", "timeout", "authserv_id", "senders",
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
            // A mailbox password in plain text across a network: only to this machine.
            if security == .none, !LoopbackHost.contains(settings.host), let node = fields["security"] {
                reader.error(
                    .invalidValue,
                    "\"security\": none is only for a server on loopback (127.0.0.1, ::1, localhost); use tls or starttls for \(Quoted.text(settings.host))",
                    at: node.location)
            }
            var trusted = Set<String>()
            if let node = fields["trusted_senders"], let list = reader.sequence(node, key: "trusted_senders") {
                for entry in list {
                    guard let text = reader.string(entry, key: "trusted_senders") else { continue }
                    if EmailAddress.isValid(text) {
                        trusted.insert(text.lowercased())
                    } else {
                        reader.error(.invalidValue, "\"trusted_senders\" must be e-mail addresses, got \(YAMLReader.show(entry))", at: entry.location)
                    }
                }
            }
            var senders = Set<String>()
            if let node = fields["senders"], let list = reader.sequence(node, key: "senders") {
                for entry in list {
                    guard let text = reader.string(entry, key: "senders") else { continue }
                    if EmailAddress.isValid(text) || EmailAddress.isDomainName(text) {
                        senders.insert(text.lowercased())
                    } else {
                        reader.error(.invalidValue, "\"senders\" must be domains or e-mail addresses, got \(YAMLReader.show(entry))", at: entry.location)
                    }
                }
            }
            var authservID: String?
            if let node = fields["authserv_id"], let text = reader.string(node, key: "authserv_id") {
                if EmailAddress.isDomainName(text) {
                    authservID = text
                } else {
                    reader.error(.invalidValue, "\"authserv_id\" must be the MTA's host name, got \(YAMLReader.show(node))", at: node.location)
                }
            }
            result.append(
                MailboxConfig(
                    name: name, role: role, settings: settings,
                    folder: fields["folder"].flatMap { reader.string($0, key: "folder") } ?? "INBOX",
                    peopleFolder: fields["people_folder"].flatMap { reader.string($0, key: "people_folder") } ?? "Hotline People",
                    trustedSenders: trusted, authservID: authservID, senders: senders))
        }
        return result
    }
}
