import Foundation

/// Where an outbox message is.
public enum OutboxStatus: String, Hashable, Sendable, Codable, CaseIterable {
    /// To be delivered at `nextAttemptAt`.
    case pending
    /// Accepted by the server or endpoint.
    case delivered
    /// Gave up after the last attempt (or a permanent refusal).
    case failed
}

/// One message to deliver, fully rendered when written: a retry sends the same bytes, with
/// the same Message-ID and idempotency key, so a receiver can drop a repeat.
public struct OutboxMessage: Hashable, Sendable {
    /// The message's id; also its idempotency key.
    public var id: String
    /// The notice it belongs to.
    public var noticeID: String
    /// `notice`, `reminder`, `forward`.
    public var purpose: String
    /// E-mail or webhook.
    public var channel: DeliveryChannel
    /// E-mail recipients, or the webhook endpoint.
    public var destinations: [String]
    /// The envelope sender (e-mail).
    public var sender: String
    /// The e-mail Message-ID (without brackets), for matching replies.
    public var messageID: String?
    /// The environment variable holding the webhook secret.
    public var secretEnvironment: String?
    /// The complete message: RFC 5322 text with CRLF line ends, or the JSON body.
    public var payload: [UInt8]
    /// Where it is.
    public var status: OutboxStatus
    /// Attempts made.
    public var attempts: Int
    /// When to try next.
    public var nextAttemptAt: Date
    /// The last error.
    public var lastError: String?
    /// When it was delivered.
    public var deliveredAt: Date?
    /// What the server said on delivery.
    public var receipt: String?
    /// When it was written.
    public var createdAt: Date

    /// Creates a message.
    public init(
        id: String, noticeID: String, purpose: String, channel: DeliveryChannel, destinations: [String], sender: String, messageID: String?,
        secretEnvironment: String? = nil, payload: [UInt8], status: OutboxStatus = .pending, attempts: Int = 0, nextAttemptAt: Date, lastError: String? = nil,
        deliveredAt: Date? = nil, receipt: String? = nil, createdAt: Date
    ) {
        self.id = id
        self.noticeID = noticeID
        self.purpose = purpose
        self.channel = channel
        self.destinations = destinations
        self.sender = sender
        self.messageID = messageID
        self.secretEnvironment = secretEnvironment
        self.payload = payload
        self.status = status
        self.attempts = attempts
        self.nextAttemptAt = nextAttemptAt
        self.lastError = lastError
        self.deliveredAt = deliveredAt
        self.receipt = receipt
        self.createdAt = createdAt
    }

    /// The idempotency key sent with webhooks.
    public var idempotencyKey: String { id }
}
