/// How a notice travels.
public enum DeliveryChannel: String, Hashable, Sendable, Codable, CaseIterable {
    /// E-mail: a text part from a template and an X-ARF v4 attachment per URL.
    case email
    /// X-ARF v4 JSON POSTed to the party's endpoint, signed with HMAC-SHA256.
    case webhook
}

/// Who a notice or forward goes to, resolved when the rules decided.
public struct Recipient: Hashable, Sendable, Codable {
    /// The rule's target.
    public var target: DispatchTarget
    /// The organisation's name, for the salutation and the statistics.
    public var name: String
    /// E-mail addresses (all receive the message).
    public var addresses: [String]
    /// The directory entry or partner hotline it came from, if any.
    public var contactID: String?
    /// The language of the text part (`nl`, `en`, …).
    public var language: String
    /// E-mail or webhook.
    public var channel: DeliveryChannel
    /// The webhook endpoint.
    public var endpoint: String?
    /// The name of the environment variable holding the webhook's signing secret (secrets are
    /// never in the config files or the database).
    public var secretEnvironment: String?

    /// Creates a recipient.
    public init(
        target: DispatchTarget, name: String, addresses: [String], contactID: String? = nil, language: String = "en", channel: DeliveryChannel = .email,
        endpoint: String? = nil, secretEnvironment: String? = nil
    ) {
        self.target = target
        self.name = name
        self.addresses = addresses
        self.contactID = contactID
        self.language = language
        self.channel = channel
        self.endpoint = endpoint
        self.secretEnvironment = secretEnvironment
    }

    /// Reports for the same key within the batch window go out as one notice.
    public var batchKey: String {
        switch channel {
        case .email: "email:" + addresses.map { $0.lowercased() }.sorted().joined(separator: ",")
        case .webhook: "webhook:" + (endpoint ?? "")
        }
    }
}

/// Who a rule's `notify`/`forward` target is, for one report's facts.
///
/// Implemented over the contact directory (HotlineHosting); pure lookups, so it can run
/// inside the transaction that stores the decision.
public protocol RecipientDirectory: Sendable {
    /// The recipient for `target` (`hosting`, `registrar`, `upstream`, `partner`, `police`,
    /// `contact:ID`), or `nil` when nobody is known.
    func recipient(for target: DispatchTarget, facts: Facts) -> Recipient?
}
