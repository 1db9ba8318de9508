import Foundation
import HotlineCore

// MARK: Verdicts

extension InMemoryStore: VerdictStore {
    /// The hashes the gateway observed in a case.
    public func observedHashes(caseID: String) throws -> [ObservedHash] { locked { state.observed[caseID] ?? [] } }

    /// A verdict by id.
    public func verdict(id: String) throws -> HashVerdict? { locked { state.verdicts.first { $0.id == id } } }

    /// Verdicts in a state, of a case, oldest first.
    public func verdicts(status: HashVerdict.Status?, caseID: String?, limit: Int) throws -> [HashVerdict] {
        locked { Array(state.verdicts.filter { (status == nil || $0.status == status) && (caseID == nil || $0.caseID == caseID) }.prefix(limit)) }
    }

    /// Records a review and, when confirmed, its hashes.
    public func reviewVerdict(_ verdict: HashVerdict, audit: AuditEntry) throws -> Bool {
        locked {
            guard let index = state.verdicts.firstIndex(where: { $0.id == verdict.id }), state.verdicts[index].status == .pending else { return false }
            state.verdicts[index] = verdict
            if verdict.status == .confirmed {
                if let classification = verdict.classification.hashClassification {
                    let list = HashVerdict.assessedList
                    if state.hashLists[list] == nil {
                        state.hashLists[list] = HashList(name: list, source: "the hotline's analysts, four eyes", defaultClassification: .unclassified)
                        state.hashListEnabled[list] = true
                    }
                    for hash in verdict.hashes {
                        let key = hash.algorithm.rawValue + ":" + hash.value
                        let retracted = state.hashEntries[list]?[key]?.retracted ?? false
                        state.hashEntries[list, default: [:]][key] = (
                            HashListEntry(algorithm: hash.algorithm, value: hash.value, classification: classification), retracted
                        )
                    }
                } else {
                    for hash in verdict.hashes { state.allowlist[hash.algorithm.rawValue + ":" + hash.value] = (hash.algorithm, hash.value) }
                }
                state.hashListGeneration += 1
            }
            state.audit.append(audit)
            return true
        }
    }

    /// How many times the hash lists changed.
    public func hashListGeneration() throws -> Int { locked { state.hashListGeneration } }
}

// MARK: Holds

extension InMemoryStore: HoldStore {
    /// Stores a hold with its audit entry.
    public func insertHold(_ hold: StandingHold, audit: AuditEntry) throws {
        locked {
            state.holds.append(hold)
            state.audit.append(audit)
        }
    }

    /// Holds not yet ended, newest first.
    public func openHolds() throws -> [StandingHold] { locked { state.holds.filter { $0.endedAt == nil }.reversed() } }

    /// Every hold, newest first.
    public func holds(limit: Int) throws -> [StandingHold] { locked { Array(state.holds.reversed().prefix(limit)) } }

    /// Ends a hold once.
    public func endHold(id: String, at date: Date, by actor: String, audit: AuditEntry) throws -> Bool {
        locked {
            guard let index = state.holds.firstIndex(where: { $0.id == id }), state.holds[index].endedAt == nil else { return false }
            state.holds[index].endedAt = date
            state.holds[index].endedBy = actor
            state.audit.append(audit)
            return true
        }
    }
}

// MARK: Case takes

extension InMemoryStore: CaseTakeStore {
    /// Takes a case unless someone else holds a live take on it.
    public func takeCase(_ take: CaseTake) throws -> CaseTake {
        locked {
            if let current = state.takes[take.caseID], current.until > take.takenAt, current.tokenID != take.tokenID { return current }
            state.takes[take.caseID] = take
            return take
        }
    }

    /// The live take on a case.
    public func caseTake(caseID: String, at date: Date) throws -> CaseTake? { locked { state.takes[caseID].flatMap { $0.until > date ? $0 : nil } } }

    /// Gives a case back.
    public func releaseCase(caseID: String, tokenID: String) throws { locked { if state.takes[caseID]?.tokenID == tokenID { state.takes[caseID] = nil } } }

    /// Live takes by case.
    public func caseTakes(at date: Date) throws -> [String: CaseTake] { locked { state.takes.filter { $0.value.until > date } } }
}
