import Foundation

/// The hash values sent with a URL in X-ARF (`hash_values`), lowercase hex.
public typealias HashValues = [String: String]

/// Where a URL was hosted when decided: for X-ARF, the statistics per hoster, and to tell
/// a move before sending.
public struct HostingSnapshot: Hashable, Sendable, Codable {
    /// The first address.
    public var ip: String?
    /// The AS.
    public var asn: Int?
    /// The network's country.
    public var country: String?
    /// The hoster's name.
    public var org: String?
    /// The hoster's abuse address.
    public var abuseEmail: String?

    /// Creates a snapshot.
    public init(ip: String? = nil, asn: Int? = nil, country: String? = nil, org: String? = nil, abuseEmail: String? = nil) {
        self.ip = ip
        self.asn = asn
        self.country = country
        self.org = org
        self.abuseEmail = abuseEmail
    }

    /// The `hosting.*` facts of `facts`.
    public init(_ facts: Facts) {
        if case .ip(let ip)? = facts["hosting.ip"] { self.ip = ip.description }
        if case .number(let asn)? = facts["hosting.asn"] { self.asn = Int(asn) }
        if case .string(let country)? = facts["hosting.country"] { self.country = country }
        if case .string(let org)? = facts["hosting.org"] { self.org = org }
        if case .string(let email)? = facts["hosting.abuse_email"] { self.abuseEmail = email.lowercased() }
    }
}

/// One URL waiting to go out in a notice or forward: written in the transaction that stored
/// the decision, so a decided action can never be lost between deciding and sending.
public struct DispatchItem: Hashable, Sendable, Codable {
    /// Where an item is.
    public enum Status: String, Hashable, Sendable, Codable {
        /// Waits for its batch window.
        case waiting
        /// Held back until the police release it (`police_first`).
        case held
        /// In a notice.
        case batched
        /// Left its batch because the URL moved to another hoster; re-decided.
        case moved
    }

    /// The item's id.
    public var id: String
    /// The report that asked for it.
    public var reportID: String
    /// Its case.
    public var caseID: String
    /// The decision (or lifecycle event) that asked for it.
    public var decisionID: String
    /// `notify` or `forward`.
    public var kind: String
    /// The rule's target, as written.
    public var target: String
    /// Who, when known; `nil` when the target has no address (the notice then fails and a
    /// person decides).
    public var recipient: Recipient?
    /// The template name.
    public var template: String
    /// For notices: the deadline after sending.
    public var deadline: TimeSpan?
    /// How long to wait for more URLs for the same recipient.
    public var batchWindow: TimeSpan
    /// The forward's reason, when given.
    public var reason: String?
    /// The canonical URL.
    public var url: String
    /// Its host.
    public var host: String
    /// Where it was hosted when decided.
    public var hosting: HostingSnapshot
    /// The classification, when known (`baseline`, `A1`, …).
    public var classification: String?
    /// `hash_match`, `manual_review` or `user_report`.
    public var detectionMethod: String
    /// Hash values for X-ARF.
    public var hashes: HashValues
    /// Where it is.
    public var status: Status
    /// When it was decided.
    public var createdAt: Date
    /// When its batch may go out.
    public var dueAt: Date
    /// The notice whose follow-up asked for it, if any.
    public var parentNoticeID: String?

    /// Creates an item.
    public init(id: String, reportID: String, caseID: String, decisionID: String, kind: String, target: String, recipient: Recipient?, template: String, deadline: TimeSpan?, batchWindow: TimeSpan, reason: String? = nil, url: String, host: String, hosting: HostingSnapshot, classification: String?, detectionMethod: String, hashes: HashValues, status: Status, createdAt: Date, dueAt: Date, parentNoticeID: String? = nil) {
        self.id = id
        self.reportID = reportID
        self.caseID = caseID
        self.decisionID = decisionID
        self.kind = kind
        self.target = target
        self.recipient = recipient
        self.template = template
        self.deadline = deadline
        self.batchWindow = batchWindow
        self.reason = reason
        self.url = url
        self.host = host
        self.hosting = hosting
        self.classification = classification
        self.detectionMethod = detectionMethod
        self.hashes = hashes
        self.status = status
        self.createdAt = createdAt
        self.dueAt = dueAt
        self.parentNoticeID = parentNoticeID
    }

    /// Items that go out together: same recipient, channel, kind and template.
    public var batchKey: String {
        "\(kind)|\(template)|\(recipient?.language ?? "")|\(recipient?.batchKey ?? "none:" + target + ":" + id)"
    }
}

extension TimeSpan: Codable {
    /// Decodes seconds.
    public init(from decoder: any Decoder) throws {
        self.init(seconds: try decoder.singleValueContainer().decode(Int.self))
    }

    /// Encodes seconds.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(seconds)
    }
}
