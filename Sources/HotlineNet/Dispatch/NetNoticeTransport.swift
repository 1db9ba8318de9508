import Crypto
import Foundation
import HotlineCore

/// Delivers outbox messages: e-mail over SMTP (one reused connection), webhooks over HTTPS
/// with an HMAC-SHA256 signature and the idempotency key.
public struct NetNoticeTransport: NoticeTransport {
    /// The SMTP client.
    public let smtp: SMTPClient
    /// The HTTP client for webhooks.
    public let http: HTTPClient
    /// Where webhook secrets are read (the process environment in production).
    public let environment: [String: String]
    /// The clock, for the signature's timestamp.
    public let time: any TimeSource

    /// Creates a transport.
    public init(
        smtp: SMTPClient, http: HTTPClient = HTTPClient(timeout: 20, maximumBytes: 64 * 1024),
        environment: [String: String] = ProcessInfo.processInfo.environment, time: any TimeSource = SystemTimeSource()
    ) {
        self.smtp = smtp
        self.http = http
        self.environment = environment
        self.time = time
    }

    /// The webhook signature header's value: `t=TIMESTAMP,v1=HEX`, the HMAC-SHA256 of
    /// `TIMESTAMP.BODY` with the shared secret. The timestamp lets the receiver refuse replays.
    public static func signature(secret: String, timestamp: Int, body: [UInt8]) -> String {
        let key = SymmetricKey(data: Data(secret.utf8))
        var signed = Array("\(timestamp).".utf8)
        signed += body
        let mac = HMAC<SHA256>.authenticationCode(for: signed, using: key)
        return "t=\(timestamp),v1=" + mac.map { String(format: "%02x", $0) }.joined()
    }

    /// Delivers one message; returns what the server said.
    public func deliver(_ message: OutboxMessage) throws(DeliveryError) -> String {
        switch message.channel {
        case .email:
            do {
                let reply = try smtp.send(from: message.sender, to: message.destinations, message: message.payload)
                return "SMTP \(reply) accepted"
            } catch {
                throw DeliveryError(error.message, permanent: error.isPermanent)
            }
        case .webhook:
            guard let endpoint = message.destinations.first else { throw DeliveryError("webhook without an endpoint", permanent: true) }
            guard let name = message.secretEnvironment, let secret = environment[name], !secret.isEmpty else {
                throw DeliveryError("webhook secret not set: environment variable \(message.secretEnvironment ?? "(none configured)")", permanent: true)
            }
            let timestamp = Int(time.now().timeIntervalSince1970)
            let headers = [
                "Content-Type: application/json",
                "Idempotency-Key: \(message.idempotencyKey)",
                "X-Hotline-Signature: \(Self.signature(secret: secret, timestamp: timestamp, body: message.payload))",
            ]
            let response: HTTPResponse
            do {
                response = try http.post(endpoint, headers: headers, body: message.payload)
            } catch {
                throw DeliveryError("webhook \(endpoint): \(error.message)", permanent: false)
            }
            if (200..<300).contains(response.status) { return "HTTP \(response.status)" }
            // 408 and 429 ask to come back later, as do server errors; other 4xx will not change.
            let permanent = (400..<500).contains(response.status) && response.status != 408 && response.status != 429
            throw DeliveryError("webhook \(endpoint) answered HTTP \(response.status)", permanent: permanent)
        }
    }
}

/// Re-checks URLs with the ``SafeFetcher``.
public struct FetchingURLChecker: URLChecking {
    /// The fetcher.
    public let fetcher: SafeFetcher

    /// Creates a checker.
    public init(fetcher: SafeFetcher) {
        self.fetcher = fetcher
    }

    /// Checks `url`; never keeps what it fetched.
    public func check(_ url: String) -> URLCheck {
        switch fetcher.fetch(url) {
        case .noSuchHost(let detail):
            return .gone("host gone: \(detail)")
        case .failed(let detail):
            return .inconclusive(detail)
        case .response(let status, let finalURL, let digests):
            let via = finalURL == url ? "" : " at \(finalURL)"
            switch status {
            case 200..<300:
                return .online(digests: digests.map { [$0.md5, $0.sha1, $0.sha256] }, detail: "HTTP \(status)\(via)")
            case 404, 410, 451:
                return .gone("HTTP \(status)\(via)")
            default:
                return .inconclusive("HTTP \(status)\(via)")
            }
        }
    }
}
