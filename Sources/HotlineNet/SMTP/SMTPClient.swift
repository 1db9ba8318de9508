import CCurl
import Foundation
import HotlineConfig
import HotlineCore

/// Why a message was not accepted.
public struct SMTPError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong, with the server's reply code when there was one.
    public var message: String
    /// The server's last reply code (0 when it never answered).
    public var replyCode: Int
    /// Refused here before anything was sent (an address that is not a plain mailbox):
    /// trying again cannot help.
    public var refusedLocally = false
    /// 5xx replies and local refusals are permanent; connection problems and 4xx are worth another try.
    public var isPermanent: Bool { refusedLocally || replyCode >= 500 }
    /// The message.
    public var description: String { message }
}

/// Sends messages over SMTP through libcurl, keeping the connection open between messages
/// (libcurl's connection cache on one handle), so a batch of notices costs one TLS
/// handshake and one login, not one per message. Certificate checks are always on.
///
/// One client per worker thread; calls are serialized by a lock.
public final class SMTPClient: @unchecked Sendable {
    /// The settings.
    public let settings: SMTPSettings
    private let connection = ReusedCurlHandle()

    /// Creates a client; nothing connects until the first message.
    public init(settings: SMTPSettings) {
        self.settings = settings
    }

    /// Sends `message` (a complete RFC 5322 message, CRLF line ends) from `sender` to
    /// `recipients`; returns the server's reply code.
    @discardableResult
    public func send(from sender: String, to recipients: [String], message: [UInt8]) throws(SMTPError) -> Int {
        // The last gate before the wire: an address with a CR, LF, NUL, bracket or space in
        // it would add SMTP commands of its own.
        for address in [sender] + recipients where !EmailAddress.isValid(address) {
            throw SMTPError(message: "refused to send: \(Quoted.text(address)) is not a plain e-mail address", replyCode: 0, refusedLocally: true)
        }
        guard !recipients.isEmpty else { throw SMTPError(message: "refused to send: no recipient", replyCode: 0, refusedLocally: true) }
        return try perform { handle in
            handle.set(CURLOPT_MAIL_FROM, "<\(sender)>")
            handle.set(CURLOPT_MAIL_RCPT, list: recipients.map { "<\($0)>" })
            handle.setReadSource(message)
            handle.set(CURLOPT_UPLOAD, 1)
            handle.set(offset: CURLOPT_INFILESIZE_LARGE, message.count)
        }
    }

    /// Connects, says EHLO, does STARTTLS and AUTH as configured and sends NOOP: what
    /// `hotline config check --connect` needs to know the relay takes us, without sending
    /// anything. Returns the server's reply code.
    @discardableResult
    public func probe() throws(SMTPError) -> Int {
        try perform { $0.set(CURLOPT_CUSTOMREQUEST, "NOOP") }
    }

    /// One transfer on the reused connection: the server, its security and credentials, what
    /// `prepare` adds; the reply code, or the error with the server's reply when there was one.
    private func perform(_ prepare: (CurlHandle) -> Void) throws(SMTPError) -> Int {
        try connection.with(errors: { SMTPError(message: $0.message, replyCode: 0) }) { (handle) throws(SMTPError) -> Int in
            let scheme = settings.security == .tls ? "smtps" : "smtp"
            // The path is the EHLO name; the gateway's own name rather than libcurl's default.
            handle.set(CURLOPT_URL, "\(scheme)://\(settings.host):\(settings.port)/hotline-gateway")
            do throws(SecretError) { try settings.configure(handle, protocols: "smtp,smtps") } catch {
                throw SMTPError(message: "SMTP \(settings.host):\(settings.port): password from \(error.source): \(error.message)", replyCode: 0)
            }
            prepare(handle)
            let code = handle.perform()
            let reply = handle.responseCode
            guard code == CURLE_OK else {
                let detail = reply > 0 ? " (server replied \(reply))" : ""
                throw SMTPError(message: "SMTP \(settings.host):\(settings.port): \(CurlHandle.message(code))\(detail)", replyCode: reply)
            }
            return reply
        }
    }

    /// Closes the connection.
    public func close() { connection.close() }
}
