import Foundation
import HotlineCore

extension InMemoryStore: ContactChangeStore {
    /// Stores a change with its audit entry.
    public func insertContactChange(_ change: ContactChange, audit: AuditEntry) throws {
        locked {
            state.contactChanges.append(change)
            state.audit.append(audit)
        }
    }

    /// A change by id.
    public func contactChange(id: String) throws -> ContactChange? { locked { state.contactChanges.first { $0.id == id } } }

    /// Changes of an organisation, in a state, oldest first.
    public func contactChanges(org: String?, status: ContactChange.Status?, limit: Int) throws -> [ContactChange] {
        locked { Array(state.contactChanges.filter { (org == nil || $0.org == org) && (status == nil || $0.status == status) }.prefix(limit)) }
    }

    /// Decides a pending change.
    public func decideContactChange(_ change: ContactChange, audit: AuditEntry) throws -> Bool {
        locked {
            guard let index = state.contactChanges.firstIndex(where: { $0.id == change.id }), state.contactChanges[index].status == .pending else {
                return false
            }
            state.contactChanges[index] = change
            if change.status == .approved {
                state.contactGeneration += 1
                state.confirmations[change.org, default: (nil, nil)].confirmedAt = change.decidedAt ?? Date()
            }
            state.audit.append(audit)
            return true
        }
    }

    /// How many times approved changes altered the directory.
    public func contactGeneration() throws -> Int { locked { state.contactGeneration } }

    /// Records a confirmation.
    public func confirmContact(org: String, at date: Date) throws { locked { state.confirmations[org, default: (nil, nil)].confirmedAt = date } }

    /// Confirmations and reminders per organisation.
    public func contactConfirmations() throws -> [String: (confirmedAt: Date?, remindedAt: Date?)] { locked { state.confirmations } }

    /// Marks a reminder once per confirmation.
    public func markContactReminded(org: String, since: Date, at date: Date) throws -> Bool {
        locked {
            if let reminded = state.confirmations[org]?.remindedAt, reminded >= since { return false }
            state.confirmations[org, default: (nil, nil)].remindedAt = date
            return true
        }
    }
}
