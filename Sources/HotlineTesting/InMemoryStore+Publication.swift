import Foundation
import HotlineCore

extension InMemoryStore: ExplanationStore, PublicationStore, ASRelationshipStore {
    /// Stores an explanation with its audit entry.
    public func insertExplanation(_ explanation: HosterExplanation, audit: AuditEntry) throws {
        locked {
            state.explanations.append(explanation)
            state.audit.append(audit)
        }
    }

    /// One by id.
    public func explanation(id: String) throws -> HosterExplanation? { locked { state.explanations.first { $0.id == id } } }

    /// Those of an organisation, in a state, oldest first.
    public func explanations(org: String?, status: HosterExplanation.Status?, limit: Int) throws -> [HosterExplanation] {
        locked { Array(state.explanations.filter { (org == nil || $0.org == org) && (status == nil || $0.status == status) }.prefix(limit)) }
    }

    /// Decides a pending explanation once.
    public func decideExplanation(_ explanation: HosterExplanation, audit: AuditEntry) throws -> Bool {
        locked {
            guard let index = state.explanations.firstIndex(where: { $0.id == explanation.id }), state.explanations[index].status == .pending else {
                return false
            }
            state.explanations[index] = explanation
            state.audit.append(audit)
            return true
        }
    }

    /// Every publication, newest first.
    public func publications() throws -> [Publication] { locked { state.publications.sorted { $0.version > $1.version } } }

    /// Stores a draft, withdrawing any other in review.
    public func insertPublication(_ publication: Publication, audit: AuditEntry) throws -> Bool {
        locked {
            guard !state.publications.contains(where: { $0.version == publication.version }) else { return false }
            for index in state.publications.indices where state.publications[index].status == .review { state.publications[index].status = .withdrawn }
            state.publications.append(publication)
            state.audit.append(audit)
            return true
        }
    }

    /// Marks a draft published, once.
    public func markPublished(version: Int, at date: Date, manifestSHA256: String, audit: AuditEntry) throws -> Bool {
        locked {
            guard let index = state.publications.firstIndex(where: { $0.version == version && $0.status == .review }) else { return false }
            state.publications[index].status = .published
            state.publications[index].publishedAt = date
            state.publications[index].manifestSHA256 = manifestSHA256
            state.audit.append(audit)
            return true
        }
    }

    /// Replaces every AS relationship.
    public func replaceASRelationships(_ relationships: [ASRelationship], source: String, audit: AuditEntry) throws {
        locked {
            var unique: [String: ASRelationship] = [:]
            for relationship in relationships { unique["\(relationship.first)|\(relationship.second)"] = relationship }
            state.asRelationships = Array(unique.values)
            state.audit.append(audit)
        }
    }

    /// The providers of each AS asked about.
    public func upstreams(of asns: [Int]) throws -> [Int: [Int]] {
        locked {
            let wanted = Set(asns)
            var result: [Int: [Int]] = [:]
            for relationship in state.asRelationships where relationship.kind == .providerToCustomer && wanted.contains(relationship.second) {
                result[relationship.second, default: []].append(relationship.first)
            }
            return result.mapValues { $0.sorted() }
        }
    }

    /// How many relationships are stored.
    public func asRelationshipCount() throws -> Int { locked { state.asRelationships.count } }
}

extension InMemoryStore: ExternalHashStore {
    /// Adds values to a list; returns how many were new.
    public func importExternalHashes(_ entries: [ExternalHashEntry], into list: String, at date: Date) throws -> Int {
        locked {
            var added = 0
            for entry in entries {
                let key = "\(list)|\(entry.algorithm.rawValue)|\(entry.value)"
                if state.externalHashes[key] == nil { added += 1 }
                state.externalHashes[key] = entry
            }
            return added
        }
    }

    /// Stored values per `list/algorithm`.
    public func externalHashCounts() throws -> [String: Int] {
        locked {
            var counts: [String: Int] = [:]
            for (key, entry) in state.externalHashes { counts["\(key.split(separator: "|")[0])/\(entry.algorithm.rawValue)", default: 0] += 1 }
            return counts
        }
    }

    /// The lists holding `value`.
    public func externalHashLists(_ algorithm: ExternalHashEntry.Algorithm, _ value: String) throws -> [String] {
        locked {
            state.externalHashes.filter { $0.value.algorithm == algorithm && $0.value.value == value }.map { String($0.key.split(separator: "|")[0]) }.sorted()
        }
    }
}

extension InMemoryStore {
    /// The URLs still online of notices and forwards still followed, delivered before `until`.
    public func openNoticeURLRows(until: Date) throws -> [NoticeURLRow] {
        try noticeURLRows(since: .distantPast, until: until, threads: 1).filter(\.isOpen)
    }
}
