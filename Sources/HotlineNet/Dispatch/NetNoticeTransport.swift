import Crypto
import Foundation
import HotlineCore
import HotlineHosting

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
    /// Where webhooks may connect: the host resolved, every address checked against the
    /// policy and the connection pinned to it, as for fetches. Hosters set their own webhooks
    /// (`PUT /v1/provider/contact`), so a name that resolves to the gateway's own network must
    /// not reach it. `nil` posts without the check (tests of the signature only).
    public let webhookGuard: (resolver: (any AddressResolving)?, policy: AddressPolicy)?

    /// Creates a transport.
    public init(
        smtp: SMTPClient, http: HTTPClient = HTTPClient(timeout: 20, maximumBytes: 64 * 1024),
        environment: [String: String] = ProcessInfo.processInfo.environment, time: any TimeSource = SystemTimeSource(),
        webhookGuard: (resolver: (any AddressResolving)?, policy: AddressPolicy)? = nil
    ) {
        self.webhookGuard = webhookGuard
        self.smtp = smtp
        self.http = http
        self.environment = environment
        self.time = time
    }

    /// The pin for a webhook's host, after checking where it resolves; throws a permanent
    /// delivery error for an address the policy refuses.
    func pins(_ endpoint: String) throws(DeliveryError) -> [String] {
        guard let webhookGuard else { return [] }
        guard let url = URL(string: endpoint), let scheme = url.scheme?.lowercased(), scheme == "https" || scheme == "http", let host = url.host else {
            throw DeliveryError("webhook \(endpoint) is not an http(s) URL", permanent: true)
        }
        let port = url.port ?? (scheme == "https" ? 443 : 80)
        let bare = host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host
        if let literal = IPAddress(bare) {
            if let refusal = webhookGuard.policy.refusal(literal) { throw DeliveryError("webhook \(endpoint) refused: \(refusal)", permanent: true) }
            return []
        }
        guard let answer = webhookGuard.resolver?.addresses(for: bare) else {
            throw DeliveryError("webhook \(endpoint): DNS is off, so its host cannot be checked", permanent: false)
        }
        guard let first = answer.addresses.first else { throw DeliveryError("webhook \(endpoint): \(answer.detail)", permanent: false) }
        for address in answer.addresses {
            if let refusal = webhookGuard.policy.refusal(address) {
                throw DeliveryError("webhook \(endpoint) refused: \(bare) resolves to \(refusal)", permanent: true)
            }
        }
        return ["\(bare):\(port):\(first.isV4 ? first.description : "[\(first)]")"]
    }

    /// The webhook signature header's value: `t=TIMESTAMP,v1=HEX`, the HMAC-SHA256 of
    /// `TIMESTAMP.BODY` with the shared secret. The timestamp lets the receiver refuse replays.
    public static func signature(secret: String, timestamp: Int, body: [UInt8]) -> String {
        let key = SymmetricKey(data: Data(secret.utf8))
        var signed = Array("\(timestamp).".utf8)
        signed += body
        let mac = HMAC<SHA256>.authenticationCode(for: signed, using: key)
        return "t=\(timestamp),v1=" + Hex.string(mac)
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
            let pinned = try pins(endpoint)
            let response: HTTPResponse
            do {
                response = try http.request(HTTPRequest(method: "POST", url: endpoint, headers: headers, body: message.payload, pinnedAddresses: pinned))
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

/// Re-checks URLs with the ``SafeFetcher``, counting a URL gone only on the evidence of its
/// own host: 404, 410 or 451 from the reported host itself, twice over (the configured
/// User-Agent and a second one), or the reported host no longer existing. A redirect to
/// another host, a host on the way that does not exist, and answers that differ by
/// User-Agent prove nothing either way.
public struct FetchingURLChecker: URLChecking {
    /// The fetcher.
    public let fetcher: SafeFetcher
    /// The second User-Agent a "gone" is confirmed with (a hoster that cloaks answers a
    /// crawler differently from a browser).
    public let confirmingAgent: String

    /// The second User-Agent by default: the gateway's own name.
    public static let gatewayAgent = "HotlineGateway/1 (notice follow-up)"

    /// Creates a checker.
    public init(fetcher: SafeFetcher, confirmingAgent: String = FetchingURLChecker.gatewayAgent) {
        self.fetcher = fetcher
        self.confirmingAgent = confirmingAgent
    }

    /// Checks `url`; never keeps what it fetched.
    public func check(_ url: String) -> URLCheck {
        switch fetcher.get(url) {
        case .noSuchHost(let host, let after, let detail):
            guard after.isEmpty else { return .inconclusive("redirected to \(host), which does not exist (\(detail))") }
            return .gone("host gone: \(host): \(detail)")
        case .refused(let detail), .failed(let detail):
            return .inconclusive(detail)
        case .response(let answer):
            let own = answer.hosts.first ?? ""
            if let other = answer.hosts.first(where: { $0 != own }) {
                return .inconclusive("redirected to another host, \(other) (HTTP \(answer.status) at \(answer.url))")
            }
            let via = answer.url == url ? "" : " at \(answer.url)"
            switch answer.status {
            case 200..<300:
                let digests = answer.truncated ? nil : ContentDigestSet(answer.body)
                return .online(digests: digests.map { [$0.md5, $0.sha1, $0.sha256] }, detail: "HTTP \(answer.status)\(via)")
            case 404, 410, 451:
                // The same answer to another User-Agent, or it proves nothing.
                guard case .response(let second) = fetcher.get(url, agent: confirmingAgent) else {
                    return .inconclusive("HTTP \(answer.status)\(via), but the confirming fetch got no answer")
                }
                guard second.status == answer.status, second.hosts == answer.hosts else {
                    return .inconclusive("answers differ by User-Agent: HTTP \(answer.status) to the configured one, HTTP \(second.status) to the gateway's")
                }
                return .gone("HTTP \(answer.status)\(via)")
            default:
                return .inconclusive("HTTP \(answer.status)\(via)")
            }
        }
    }
}
