import Foundation

/// Durable storage of dispatch items, notices, the outbox and lifecycle events.
///
/// Every method is one transaction: the worker computes a notice's next state in memory
/// and the store writes it with whatever goes with it (messages, new items, events) at once,
/// so a crash leaves either the old state or the new one.
public protocol NoticeStore: Sendable {
    /// Items waiting for their batch window (not held), oldest first.
    func waitingItems(limit: Int) throws -> [DispatchItem]
    /// Items held back until the police release them, oldest first.
    func heldItems(limit: Int) throws -> [DispatchItem]
    /// The facts a decision saw, to re-decide or to decide a lifecycle event.
    func decisionFacts(decisionID: String) throws -> Facts?
    /// Stores a new notice with its messages and marks `consumedItems` batched; throws
    /// ``StoreConflict`` when one of them is no longer waiting (another worker batched it).
    func insertNotice(_ notice: Notice, messages: [OutboxMessage], consumedItems: [String], event: NoticeEvent?) throws
    /// Marks an item moved, stores the new decision for its report and the items it asked for.
    func redecide(itemID: String, decision: Decision, newItems: [DispatchItem]) throws
    /// Messages due for an attempt at `date`, oldest first, claimed until `leaseUntil`: while
    /// the lease runs, other workers (other gateway instances) skip them and their notices;
    /// saving the notice releases it, and a worker that died lets it lapse.
    func claimDueMessages(at date: Date, limit: Int, leaseUntil: Date) throws -> [OutboxMessage]
    /// Notices being followed up with a check or deadline due at `date`, claimed like messages.
    func claimDueNotices(at date: Date, limit: Int, leaseUntil: Date) throws -> [Notice]
    /// Writes a notice's new state together with a message update, new messages, new items,
    /// an event, and the cases to close.
    func saveNotice(
        _ notice: Notice, updatedMessage: OutboxMessage?, newMessages: [OutboxMessage], newItems: [DispatchItem], event: NoticeEvent?, closingCases: [String],
        at date: Date) throws
    /// A notice by id or reference.
    func notice(_ idOrReference: String) throws -> Notice?
    /// Notices, newest first, optionally of one status.
    func notices(status: NoticeStatus?, limit: Int) throws -> [Notice]
    /// The notices to one directory contact (a provider's own), newest first.
    func notices(contactID: String, limit: Int) throws -> [Notice]
    /// The notice an outbox message with this Message-ID belongs to.
    func noticeID(messageID: String) throws -> String?
    /// Outbox messages, newest first, optionally of one status.
    func messages(status: OutboxStatus?, limit: Int) throws -> [OutboxMessage]
    /// The messages of one notice, oldest first.
    func messages(noticeID: String) throws -> [OutboxMessage]
    /// A notice's events, oldest first.
    func events(noticeID: String) throws -> [NoticeEvent]
    /// Releases a case's held items (`police_first`) so they batch from `date`; returns how many.
    func releaseHeldItems(caseID: String, at date: Date, actor: String) throws -> Int
    /// Counts per status, for summaries: items, notices and messages.
    func dispatchCounts() throws -> DispatchCounts
}

/// Counts for summaries, tests and benchmarks.
public struct DispatchCounts: Hashable, Sendable {
    /// Items by status.
    public var items: [String: Int]
    /// Notices by status.
    public var notices: [String: Int]
    /// Messages by status.
    public var messages: [String: Int]

    /// Creates counts.
    public init(items: [String: Int], notices: [String: Int], messages: [String: Int]) {
        self.items = items
        self.notices = notices
        self.messages = messages
    }
}

/// Why a delivery did not succeed.
public struct DeliveryError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What happened, with the server's answer.
    public var message: String
    /// No point in trying again (5xx mail reply, 4xx HTTP other than 408/429, no secret).
    public var isPermanent: Bool

    /// Creates an error.
    public init(_ message: String, permanent: Bool) {
        self.message = message
        self.isPermanent = permanent
    }

    /// The message.
    public var description: String { message }
}

/// Delivers outbox messages: SMTP and webhooks in production, a recording fake in tests.
public protocol NoticeTransport: Sendable {
    /// Delivers one message; returns what the server said.
    func deliver(_ message: OutboxMessage) throws(DeliveryError) -> String
}

/// What a re-check of a reported URL found.
public enum URLCheck: Hashable, Sendable {
    /// It answered 2xx; the digests of what it served (lowercase hex), when read whole.
    case online(digests: [String]?, detail: String)
    /// It is gone: 404, 410, 451, or the host no longer exists.
    case gone(String)
    /// No conclusion: timeout, 5xx, refused, DNS failure. Counts neither way.
    case inconclusive(String)
}

/// Re-checks whether reported material is still online.
public protocol URLChecking: Sendable {
    /// Checks `url`; never keeps what it fetched.
    func check(_ url: String) -> URLCheck
}

/// Looks up who hosts a host now, to notice a move between deciding and sending.
public protocol HostingLookup: Sendable {
    /// The current `hosting.*` facts of `host` merged into `facts`; `nil` when it cannot
    /// be looked up now (the decision's facts then stand).
    func refreshHosting(host: String, facts: Facts) -> Facts?
}

/// A write refused because another writer (another gateway instance) changed the rows first;
/// nothing was written, and the next pass sees the new state.
public struct StoreConflict: Error, Hashable, Sendable, CustomStringConvertible {
    /// What changed.
    public var message: String
    /// Creates a conflict.
    public init(_ message: String) { self.message = message }
    /// The message.
    public var description: String { message }
}

extension NoticeStore {
    /// Stores a notice that no decision asked for (a test notice, a reminder to confirm
    /// contact details) with its one message, for the worker to deliver.
    public func insertStandalone(_ notice: Notice, message: OutboxMessage, detail: String, ids: any IDGenerator, at date: Date) throws {
        try insertNotice(
            notice, messages: [message], consumedItems: [], event: NoticeEvent(id: ids.next(), noticeID: notice.id, event: "created", at: date, detail: detail))
    }
}
