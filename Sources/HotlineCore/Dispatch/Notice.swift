import Foundation

/// Where a notice is in its life.
public enum NoticeStatus: String, Hashable, Sendable, Codable, CaseIterable {
    /// Written, not yet delivered.
    case pending
    /// Delivered; followed up until the material is gone.
    case sent
    /// The recipient said it acted; still re-checked until gone.
    case acknowledged
    /// Every URL was found gone on consecutive checks.
    case removed
    /// The recipient refused.
    case rejected
    /// Could not be delivered after the last attempt, or nobody to deliver to.
    case failed
    /// Nothing more to do (closed by a rule or a person).
    case closed

    /// Whether the gateway still follows the notice up.
    public var isActive: Bool { self == .sent || self == .acknowledged }
}

/// One URL in a notice, with what its re-checks found.
public struct NoticeItem: Hashable, Sendable {
    /// Whether the URL is still there.
    public enum State: String, Hashable, Sendable, Codable {
        /// Not yet checked, or last seen online.
        case online
        /// Gone on consecutive checks.
        case removed
    }

    /// The dispatch item it came from.
    public var itemID: String
    /// The URL, its report, case and decision.
    public var subject: ReportedURL
    /// Where it was hosted when decided.
    public var hosting: HostingSnapshot
    /// The classification, if known.
    public var classification: String?
    /// How it was detected.
    public var detectionMethod: String
    /// The X-ARF `report_id` sent for it.
    public var xarfReportID: String
    /// Still there or not.
    public var state: State
    /// Checks done.
    public var checks: Int
    /// Checks in a row that found it gone.
    public var consecutiveGone: Int
    /// Checks in a row that proved nothing either way (after a number of them a person looks).
    public var consecutiveInconclusive: Int = 0
    /// When it was last checked.
    public var lastCheckAt: Date?
    /// What the last check found.
    public var lastCheck: String?
    /// When to check next; `nil` when no more checks are planned.
    public var nextCheckAt: Date?
    /// When it was first found gone (of the run of checks that confirmed it).
    public var removedAt: Date?
    /// When the recipient said this URL is removed (the checks still have to confirm it).
    public var acknowledgedAt: Date?

    /// Creates an item.
    public init(
        itemID: String, subject: ReportedURL, hosting: HostingSnapshot, classification: String?, detectionMethod: String, xarfReportID: String,
        state: State = .online, checks: Int = 0, consecutiveGone: Int = 0, lastCheckAt: Date? = nil, lastCheck: String? = nil, nextCheckAt: Date? = nil,
        removedAt: Date? = nil
    ) {
        self.itemID = itemID
        self.subject = subject
        self.hosting = hosting
        self.classification = classification
        self.detectionMethod = detectionMethod
        self.xarfReportID = xarfReportID
        self.state = state
        self.checks = checks
        self.consecutiveGone = consecutiveGone
        self.lastCheckAt = lastCheckAt
        self.lastCheck = lastCheck
        self.nextCheckAt = nextCheckAt
        self.removedAt = removedAt
    }

    /// The item for a dispatch item going out, with the X-ARF report id it is sent under.
    public init(_ item: DispatchItem, xarfReportID: String) {
        self.init(
            itemID: item.id, subject: item.subject, hosting: item.hosting, classification: item.classification, detectionMethod: item.detectionMethod,
            xarfReportID: xarfReportID)
    }
}

extension NoticeItem: Codable {
    private enum CodingKeys: String, CodingKey {
        case itemID, hosting, classification, detectionMethod, xarfReportID, state, checks, consecutiveGone, consecutiveInconclusive, lastCheckAt, lastCheck,
            nextCheckAt,
            removedAt, acknowledgedAt
    }

    /// Decodes the stored body; the subject's fields sit beside the item's, as they always have.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            itemID: try container.decode(String.self, forKey: .itemID), subject: try ReportedURL(from: decoder),
            hosting: try container.decode(HostingSnapshot.self, forKey: .hosting),
            classification: try container.decodeIfPresent(String.self, forKey: .classification),
            detectionMethod: try container.decode(String.self, forKey: .detectionMethod),
            xarfReportID: try container.decode(String.self, forKey: .xarfReportID),
            state: try container.decode(State.self, forKey: .state), checks: try container.decode(Int.self, forKey: .checks),
            consecutiveGone: try container.decode(Int.self, forKey: .consecutiveGone),
            lastCheckAt: try container.decodeIfPresent(Date.self, forKey: .lastCheckAt),
            lastCheck: try container.decodeIfPresent(String.self, forKey: .lastCheck),
            nextCheckAt: try container.decodeIfPresent(Date.self, forKey: .nextCheckAt),
            removedAt: try container.decodeIfPresent(Date.self, forKey: .removedAt))
        consecutiveInconclusive = try container.decodeIfPresent(Int.self, forKey: .consecutiveInconclusive) ?? 0
        acknowledgedAt = try container.decodeIfPresent(Date.self, forKey: .acknowledgedAt)
    }

    /// Encodes the body with the subject's fields beside the item's.
    public func encode(to encoder: any Encoder) throws {
        try subject.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(itemID, forKey: .itemID)
        try container.encode(hosting, forKey: .hosting)
        try container.encodeIfPresent(classification, forKey: .classification)
        try container.encode(detectionMethod, forKey: .detectionMethod)
        try container.encode(xarfReportID, forKey: .xarfReportID)
        try container.encode(state, forKey: .state)
        try container.encode(checks, forKey: .checks)
        try container.encode(consecutiveGone, forKey: .consecutiveGone)
        try container.encode(consecutiveInconclusive, forKey: .consecutiveInconclusive)
        try container.encodeIfPresent(lastCheckAt, forKey: .lastCheckAt)
        try container.encodeIfPresent(lastCheck, forKey: .lastCheck)
        try container.encodeIfPresent(nextCheckAt, forKey: .nextCheckAt)
        try container.encodeIfPresent(removedAt, forKey: .removedAt)
        try container.encodeIfPresent(acknowledgedAt, forKey: .acknowledgedAt)
    }
}

/// A notice-and-takedown (or a forward to a partner or the police) to one recipient,
/// listing one or more URLs.
public struct Notice: Hashable, Sendable, Codable {
    /// The notice's id.
    public var id: String
    /// The reference people and replies quote, e.g. `HG-019385F2A1C4-7B2E`.
    public var reference: String
    /// `notify` or `forward`.
    public var kind: ActionKind
    /// Who.
    public var recipient: Recipient
    /// The template.
    public var template: String
    /// Where it is.
    public var status: NoticeStatus
    /// When it was written.
    public var createdAt: Date
    /// When it was first delivered.
    public var sentAt: Date?
    /// How long the recipient has, from delivery (notices only).
    public var deadlineSpan: TimeSpan?
    /// The current deadline.
    public var deadline: Date?
    /// The deadline for which `notice.overdue` was last raised, so it is raised once per
    /// deadline; for a forward, the time for which `forward.stale` was last raised.
    public var overdueRaisedFor: Date?
    /// Reminders sent.
    public var reminders: Int
    /// When every URL was found gone.
    public var removedAt: Date?
    /// The last delivery error.
    public var lastError: String?
    /// Delivery attempts of the last message.
    public var deliveryAttempts: Int
    /// A person's queue the follow-up escalated it to, if any.
    public var escalatedTo: String?
    /// Why it went to people, when a check or a rule sent it there.
    public var escalationReason: String? = nil
    /// When the recipient acknowledged it (API or mail), if it did.
    public var acknowledgedAt: Date? = nil
    /// When the worker next has something to do for it (a check or the deadline).
    public var nextDueAt: Date?
    /// The notice whose follow-up led to this one, if any.
    public var parentNoticeID: String?
    /// The forward's reason, when given.
    public var reason: String?
    /// The URLs.
    public var items: [NoticeItem]

    /// Creates a notice.
    public init(
        id: String, reference: String, kind: ActionKind, recipient: Recipient, template: String, status: NoticeStatus, createdAt: Date, sentAt: Date? = nil,
        deadlineSpan: TimeSpan?, deadline: Date? = nil, overdueRaisedFor: Date? = nil, reminders: Int = 0, removedAt: Date? = nil, lastError: String? = nil,
        deliveryAttempts: Int = 0, escalatedTo: String? = nil, nextDueAt: Date? = nil, parentNoticeID: String? = nil, reason: String? = nil, items: [NoticeItem]
    ) {
        self.id = id
        self.reference = reference
        self.kind = kind
        self.recipient = recipient
        self.template = template
        self.status = status
        self.createdAt = createdAt
        self.sentAt = sentAt
        self.deadlineSpan = deadlineSpan
        self.deadline = deadline
        self.overdueRaisedFor = overdueRaisedFor
        self.reminders = reminders
        self.removedAt = removedAt
        self.lastError = lastError
        self.deliveryAttempts = deliveryAttempts
        self.escalatedTo = escalatedTo
        self.nextDueAt = nextDueAt
        self.parentNoticeID = parentNoticeID
        self.reason = reason
        self.items = items
    }

    /// A reference from a notice id (UUIDv7): its 48-bit time and 16 random bits, so
    /// references sort by time and stay short enough to read out on the phone.
    public static func reference(for id: String) -> String {
        let hex = id.replacingOccurrences(of: "-", with: "").uppercased()
        guard hex.count == 32 else { return "HG-" + hex }
        let chars = Array(hex)
        return "HG-" + String(chars[0..<12]) + "-" + String(chars[28..<32])
    }

    /// Whether follow-up checks and deadlines apply (notices to hosters, registrars and
    /// upstreams; forwards to partners and the police hand the case over).
    public var isFollowedUp: Bool { kind == .notify }

    /// Whether its URLs are re-checked: notices, and forwards to partner hotlines and the
    /// police, which are observed only (no deadline, no reminder unless a rule on
    /// `forward.stale` asks for one), so the monitor keeps seeing material abroad.
    public var isObserved: Bool { kind == .notify || (kind == .forward && (recipient.target == .partner || recipient.target == .police)) }

    /// The URLs still online.
    public var onlineItems: [NoticeItem] { items.filter { $0.state == .online } }

    /// Whether a URL was found gone once and waits for the confirming check.
    public var awaitingRemovalConfirmation: Bool { items.contains { $0.state == .online && $0.consecutiveGone > 0 } }
}

/// A lifecycle event of a notice and what the rules decided about it, kept for the record.
public struct NoticeEvent: Hashable, Sendable {
    /// The event's id.
    public var id: String
    /// The notice.
    public var noticeID: String
    /// `notice.overdue`, `notice.removed`, `delivery.failed`, or a plain record such as
    /// `delivered`, `checked`, `released`.
    public var event: String
    /// When.
    public var at: Date
    /// The deciding rule, for rule-driven events.
    public var rule: String?
    /// The actions decided, as JSON.
    public var actions: JSONValue?
    /// The facts the rules saw.
    public var facts: Facts?
    /// The rules digest in force.
    public var rulesDigest: String?
    /// A short human-readable detail.
    public var detail: String

    /// Creates an event.
    public init(
        id: String, noticeID: String, event: String, at: Date, rule: String? = nil, actions: JSONValue? = nil, facts: Facts? = nil, rulesDigest: String? = nil,
        detail: String
    ) {
        self.id = id
        self.noticeID = noticeID
        self.event = event
        self.at = at
        self.rule = rule
        self.actions = actions
        self.facts = facts
        self.rulesDigest = rulesDigest
        self.detail = detail
    }
}
