import Foundation
import HotlineCore

/// The dispatch side of the in-memory store, so tests of the worker run without SQLite.
extension InMemoryStore: NoticeStore {
    /// Items waiting for their batch window (not held), oldest first.
    public func waitingItems(limit: Int) throws -> [DispatchItem] {
        locked { Array(state.items.filter { $0.status == .waiting }.sorted { $0.dueAt < $1.dueAt }.prefix(max(0, limit))) }
    }

    /// Items held back until the police release them, oldest first.
    public func heldItems(limit: Int) throws -> [DispatchItem] {
        locked { Array(state.items.filter { $0.status == .held }.sorted { $0.createdAt < $1.createdAt }.prefix(max(0, limit))) }
    }

    /// The notices to one directory contact (a provider's own), newest first.
    public func notices(contactID: String, limit: Int) throws -> [Notice] {
        locked { Array(state.noticeOrder.reversed().compactMap { state.notices[$0] }.filter { $0.recipient.contactID == contactID }.prefix(max(0, limit))) }
    }

    /// The notice an outbox message with this Message-ID belongs to.
    public func noticeID(messageID: String) throws -> String? {
        locked { state.messages.first { $0.messageID == messageID }?.noticeID }
    }

    /// The facts a decision saw, to re-decide or to decide a lifecycle event.
    public func decisionFacts(decisionID: String) throws -> Facts? {
        locked { state.decisions.last { $0.id == decisionID }?.facts }
    }

    /// Stores a new notice with its messages and marks `consumedItems` batched; throws
    /// ``StoreConflict`` when one of them is no longer waiting (another worker batched it).
    public func insertNotice(_ notice: Notice, messages: [OutboxMessage], consumedItems: [String], event: NoticeEvent?) throws {
        try locked {
            var next = state
            for id in consumedItems {
                guard let index = next.items.firstIndex(where: { $0.id == id && $0.status == .waiting }) else {
                    throw StoreConflict("dispatch item \(id) was no longer waiting")
                }
                next.items[index].status = .batched
            }
            next.notices[notice.id] = notice
            next.noticeOrder.append(notice.id)
            next.messages += messages
            if let event { next.events.append(event) }
            state = next
        }
    }

    /// Marks an item moved, stores the new decision for its report and the items it asked for.
    public func redecide(itemID: String, decision: Decision, newItems: [DispatchItem]) throws {
        try locked {
            guard let index = state.items.firstIndex(where: { $0.id == itemID && $0.status == .waiting }) else {
                throw StoreConflict("dispatch item \(itemID) was no longer waiting")
            }
            state.items[index].status = .moved
            state.decisions.append(decision)
            state.items += newItems
        }
    }

    private func isFree(_ noticeID: String, at date: Date) -> Bool {
        state.leases[noticeID].map { $0 <= date } ?? true
    }

    /// Messages due for an attempt at `date`, oldest first, claimed until `leaseUntil`: while
    /// the lease runs, other workers (other gateway instances) skip them and their notices;
    /// saving the notice releases it, and a worker that died lets it lapse.
    public func claimDueMessages(at date: Date, limit: Int, leaseUntil: Date) throws -> [OutboxMessage] {
        locked {
            let due = Array(
                state.messages.filter { $0.status == .pending && $0.nextAttemptAt <= date && isFree($0.noticeID, at: date) }.sorted {
                    $0.nextAttemptAt < $1.nextAttemptAt
                }.prefix(max(0, limit)))
            for message in due { state.leases[message.noticeID] = leaseUntil }
            return due
        }
    }

    /// Notices being followed up with a check or deadline due at `date`, claimed like messages.
    public func claimDueNotices(at date: Date, limit: Int, leaseUntil: Date) throws -> [Notice] {
        locked {
            let due = Array(
                state.noticeOrder.compactMap { state.notices[$0] }.filter { ($0.nextDueAt.map { $0 <= date } ?? false) && isFree($0.id, at: date) }.sorted {
                    $0.nextDueAt! < $1.nextDueAt!
                }.prefix(max(0, limit)))
            for notice in due { state.leases[notice.id] = leaseUntil }
            return due
        }
    }

    /// Writes a notice's new state together with a message update, new messages, new items,
    /// an event, and the cases to close.
    public func saveNotice(
        _ notice: Notice, updatedMessage: OutboxMessage?, newMessages: [OutboxMessage], newItems: [DispatchItem], event: NoticeEvent?, closingCases: [String],
        at date: Date
    ) throws {
        locked {
            state.leases[notice.id] = nil
            state.notices[notice.id] = notice
            if let updatedMessage, let index = state.messages.firstIndex(where: { $0.id == updatedMessage.id }) { state.messages[index] = updatedMessage }
            state.messages += newMessages
            state.items += newItems
            if let event { state.events.append(event) }
            for caseID in closingCases where state.cases[caseID]?.status == .open {
                state.cases[caseID]?.status = .closed
                state.cases[caseID]?.closedAt = date
            }
        }
    }

    /// A notice by id or reference.
    public func notice(_ idOrReference: String) throws -> Notice? {
        locked { state.notices[idOrReference] ?? state.notices.values.first { $0.reference == idOrReference.uppercased() } }
    }

    /// Notices, newest first, optionally of one status.
    public func notices(status: NoticeStatus?, limit: Int) throws -> [Notice] {
        locked { Array(state.noticeOrder.reversed().compactMap { state.notices[$0] }.filter { status == nil || $0.status == status }.prefix(max(0, limit))) }
    }

    /// Outbox messages, newest first, optionally of one status.
    public func messages(status: OutboxStatus?, limit: Int) throws -> [OutboxMessage] {
        locked { Array(state.messages.reversed().filter { status == nil || $0.status == status }.prefix(max(0, limit))) }
    }

    /// The messages of one notice, oldest first.
    public func messages(noticeID: String) throws -> [OutboxMessage] {
        locked { state.messages.filter { $0.noticeID == noticeID } }
    }

    /// A notice's events, oldest first.
    public func events(noticeID: String) throws -> [NoticeEvent] {
        locked { state.events.filter { $0.noticeID == noticeID } }
    }

    /// Releases a case's held items (`police_first`) so they batch from `date`; returns how many.
    public func releaseHeldItems(caseID: String, at date: Date, actor: String) throws -> Int {
        locked {
            var released = 0
            for index in state.items.indices where state.items[index].subject.caseID == caseID && state.items[index].status == .held {
                state.items[index].status = .waiting
                state.items[index].dueAt = date
                released += 1
            }
            return released
        }
    }

    /// Counts per status, for summaries: items, notices and messages.
    public func dispatchCounts() throws -> DispatchCounts {
        locked {
            DispatchCounts(
                items: Dictionary(grouping: state.items, by: { $0.status.rawValue }).mapValues(\.count),
                notices: Dictionary(grouping: state.notices.values, by: { $0.status.rawValue }).mapValues(\.count),
                messages: Dictionary(grouping: state.messages, by: { $0.status.rawValue }).mapValues(\.count))
        }
    }

    /// Every dispatch item, for assertions.
    public var allDispatchItems: [DispatchItem] { locked { state.items } }
}
