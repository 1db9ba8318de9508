import Foundation
import HotlineCore

extension InMemoryStore: DisputeStore {
    /// Stores a dispute with its audit entry.
    public func insertDispute(_ dispute: Dispute, audit: AuditEntry) throws {
        locked {
            state.disputes.append(dispute)
            state.audit.append(audit)
        }
    }

    /// A dispute by id.
    public func dispute(id: String) throws -> Dispute? { locked { state.disputes.first { $0.id == id } } }

    /// Disputes of an organisation, in a state, oldest first.
    public func disputes(org: String?, status: Dispute.Status?, limit: Int) throws -> [Dispute] {
        locked { Array(state.disputes.filter { (org == nil || $0.org == org) && (status == nil || $0.status == status) }.prefix(limit)) }
    }

    /// Decides an open dispute and, accepted, allow-lists its hashes.
    public func decideDispute(_ dispute: Dispute, audit: AuditEntry) throws -> Bool {
        locked {
            guard let index = state.disputes.firstIndex(where: { $0.id == dispute.id }), state.disputes[index].status == .open else { return false }
            state.disputes[index] = dispute
            if dispute.status == .accepted {
                for hash in dispute.hashes { state.allowlist[hash.algorithm.rawValue + ":" + hash.value] = (hash.algorithm, hash.value) }
                state.hashListGeneration += 1
            }
            state.audit.append(audit)
            return true
        }
    }
}
