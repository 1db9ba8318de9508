import Foundation

/// How a connection to a mail server is protected.
public enum MailSecurity: String, Hashable, Sendable, CaseIterable {
    /// Plain text (only for a server on loopback).
    case none
    /// STARTTLS, required: nothing is sent if the server does not offer it.
    case starttls
    /// TLS from the first byte (`smtps://`, `imaps://`).
    case tls
}

/// Where and how to send mail.
public typealias SMTPSettings = MailServerSettings

/// Where a mailbox is read.
public typealias IMAPSettings = MailServerSettings

/// A mail server (SMTP relay or IMAP mailbox): address, transport security and login. The
/// config owns these values; the SMTP and IMAP adapters take them.
public struct MailServerSettings: Hashable, Sendable {
    /// Server host.
    public var host: String
    /// Server port.
    public var port: Int
    /// Transport security.
    public var security: MailSecurity
    /// Login, if the server needs one.
    public var username: String?
    /// The password, from the environment or a file.
    public var password: Secret?
    /// A CA bundle to trust instead of the system's.
    public var caFile: String?
    /// Per-message (per-command) timeout.
    public var timeout: TimeInterval

    /// Creates settings.
    public init(
        host: String, port: Int, security: MailSecurity = .starttls, username: String? = nil, password: Secret? = nil, caFile: String? = nil,
        timeout: TimeInterval = 30
    ) {
        self.host = host
        self.port = port
        self.security = security
        self.username = username
        self.password = password
        self.caFile = caFile
        self.timeout = timeout
    }
}
