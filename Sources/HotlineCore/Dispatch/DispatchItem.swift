import Foundation

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
        if case .ip(let ip)? = facts[.hostingIP] { self.ip = ip.description }
        asn = facts.number(.hostingASN).map { Int($0) }
        country = facts.string(.hostingCountry)
        org = facts.string(.hostingOrg)
        abuseEmail = facts.string(.hostingAbuseEmail)?.lowercased()
    }
}

/// One URL waiting to go out in a notice or forward: written in the transaction that stored
/// the decision, so a decided action can never be lost between deciding and sending.
public struct DispatchItem: Hashable, Sendable {
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
    /// The URL, its report, case and decision.
    public var subject: ReportedURL
    /// `notify` or `forward`.
    public var kind: ActionKind
    /// The rule's target.
    public var target: DispatchTarget
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
    /// Where it was hosted when decided.
    public var hosting: HostingSnapshot
    /// The classification, when known (`baseline`, `A1`, …).
    public var classification: String?
    /// `hash_match`, `manual_review` or `user_report`.
    public var detectionMethod: String
    /// Where it is.
    public var status: Status
    /// When it was decided.
    public var createdAt: Date
    /// When its batch may go out.
    public var dueAt: Date
    /// The notice whose follow-up asked for it, if any.
    public var parentNoticeID: String?

    /// Creates an item.
    public init(
        id: String, subject: ReportedURL, kind: ActionKind, target: DispatchTarget, recipient: Recipient?, template: String, deadline: TimeSpan?,
        batchWindow: TimeSpan, reason: String? = nil, hosting: HostingSnapshot, classification: String?, detectionMethod: String, status: Status,
        createdAt: Date, dueAt: Date, parentNoticeID: String? = nil
    ) {
        self.id = id
        self.subject = subject
        self.kind = kind
        self.target = target
        self.recipient = recipient
        self.template = template
        self.deadline = deadline
        self.batchWindow = batchWindow
        self.reason = reason
        self.hosting = hosting
        self.classification = classification
        self.detectionMethod = detectionMethod
        self.status = status
        self.createdAt = createdAt
        self.dueAt = dueAt
        self.parentNoticeID = parentNoticeID
    }

    /// Items share a notice only when everything the notice states about them is the same:
    /// template, language, recipient, how the material was found, and the deadline (an
    /// analyst's 48 hours never become an automatic item's 24).
    public var batchKey: String {
        "\(kind.rawValue)|\(template)|\(recipient?.language ?? "")|\(detectionMethod)|\(deadline?.seconds ?? -1)|\(recipient?.batchKey ?? "none:\(target):" + id)"
    }
}

extension DispatchItem: Codable {
    private enum CodingKeys: String, CodingKey {
        case id, kind, target, recipient, template, deadline, batchWindow, reason, hosting, classification, detectionMethod, status, createdAt, dueAt,
            parentNoticeID
    }

    /// Decodes the stored body; the subject's fields sit beside the item's, as they always have.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            id: try container.decode(String.self, forKey: .id), subject: try ReportedURL(from: decoder),
            kind: try container.decode(ActionKind.self, forKey: .kind), target: try container.decode(DispatchTarget.self, forKey: .target),
            recipient: try container.decodeIfPresent(Recipient.self, forKey: .recipient), template: try container.decode(String.self, forKey: .template),
            deadline: try container.decodeIfPresent(TimeSpan.self, forKey: .deadline), batchWindow: try container.decode(TimeSpan.self, forKey: .batchWindow),
            reason: try container.decodeIfPresent(String.self, forKey: .reason), hosting: try container.decode(HostingSnapshot.self, forKey: .hosting),
            classification: try container.decodeIfPresent(String.self, forKey: .classification),
            detectionMethod: try container.decode(String.self, forKey: .detectionMethod),
            status: try container.decode(Status.self, forKey: .status), createdAt: try container.decode(Date.self, forKey: .createdAt),
            dueAt: try container.decode(Date.self, forKey: .dueAt), parentNoticeID: try container.decodeIfPresent(String.self, forKey: .parentNoticeID))
    }

    /// Encodes the body with the subject's fields beside the item's.
    public func encode(to encoder: any Encoder) throws {
        try subject.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(kind, forKey: .kind)
        try container.encode(target, forKey: .target)
        try container.encodeIfPresent(recipient, forKey: .recipient)
        try container.encode(template, forKey: .template)
        try container.encodeIfPresent(deadline, forKey: .deadline)
        try container.encode(batchWindow, forKey: .batchWindow)
        try container.encodeIfPresent(reason, forKey: .reason)
        try container.encode(hosting, forKey: .hosting)
        try container.encodeIfPresent(classification, forKey: .classification)
        try container.encode(detectionMethod, forKey: .detectionMethod)
        try container.encode(status, forKey: .status)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(dueAt, forKey: .dueAt)
        try container.encodeIfPresent(parentNoticeID, forKey: .parentNoticeID)
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
