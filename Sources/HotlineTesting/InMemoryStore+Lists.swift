import Foundation
import HotlineCore

// MARK: Hash lists

extension InMemoryStore: HashListStore {
    public func saveList(_ list: HashList) throws {
        locked {
            state.hashLists[list.name] = list
            if state.hashListEnabled[list.name] == nil { state.hashListEnabled[list.name] = list.enabled }
        }
    }

    public func list(named name: String) throws -> HashList? {
        locked {
            guard var list = state.hashLists[name] else { return nil }
            list.enabled = state.hashListEnabled[name] ?? list.enabled
            return list
        }
    }

    public func importEntries(_ entries: [HashListEntry], into list: String) throws -> HashImportCounts {
        try locked {
            guard state.hashLists[list] != nil else { throw NoSuchHashList(list) }
            var counts = HashImportCounts()
            for entry in entries {
                let key = entry.algorithm.rawValue + ":" + entry.value
                if let existing = state.hashEntries[list]?[key] {
                    if existing.entry.classification == entry.classification {
                        counts.unchanged += 1
                    } else {
                        counts.updated += 1
                        state.hashEntries[list]?[key] = (entry, existing.retracted)
                    }
                } else {
                    counts.added += 1
                    state.hashEntries[list, default: [:]][key] = (entry, false)
                }
            }
            return counts
        }
    }

    public func setEnabled(_ enabled: Bool, list: String) throws -> Bool {
        locked {
            guard state.hashLists[list] != nil else { return false }
            state.hashListEnabled[list] = enabled
            return true
        }
    }

    public func retract(_ algorithm: HashAlgorithm, _ value: String, list: String?, reason: String, at: Date) throws -> Int {
        locked {
            let key = algorithm.rawValue + ":" + value
            var count = 0
            for name in state.hashEntries.keys where list == nil || list == name {
                if let entry = state.hashEntries[name]?[key], !entry.retracted {
                    state.hashEntries[name]?[key] = (entry.entry, true)
                    count += 1
                }
            }
            return count
        }
    }

    public func allow(_ algorithm: HashAlgorithm, _ value: String, reason: String, at: Date) throws {
        locked { state.allowlist[algorithm.rawValue + ":" + value] = (algorithm, value) }
    }

    public func forEachActiveEntry(_ body: (ActiveHashEntry) throws -> Void) throws {
        let active: [ActiveHashEntry] = locked {
            var result: [ActiveHashEntry] = []
            for name in state.hashLists.keys.sorted() where state.hashListEnabled[name] ?? true {
                let list = state.hashLists[name]!
                for (_, stored) in (state.hashEntries[name] ?? [:]).sorted(by: { $0.key < $1.key }) where !stored.retracted {
                    result.append(ActiveHashEntry(algorithm: stored.entry.algorithm, value: stored.entry.value, list: name, classification: stored.entry.classification ?? list.defaultClassification))
                }
            }
            return result
        }
        for entry in active { try body(entry) }
    }

    public func allowedHashes() throws -> [(algorithm: HashAlgorithm, value: String)] { locked { Array(state.allowlist.values) } }

    public func hashListStatistics() throws -> (lists: [HashListStatistics], allowed: Int) {
        locked {
            let lists = state.hashLists.keys.sorted().map { name -> HashListStatistics in
                var list = state.hashLists[name]!
                list.enabled = state.hashListEnabled[name] ?? list.enabled
                let stored = Array((state.hashEntries[name] ?? [:]).values)
                let active = stored.filter { !$0.retracted }
                return HashListStatistics(list: list, entries: Dictionary(grouping: active, by: { $0.entry.algorithm }).mapValues(\.count), retracted: stored.count - active.count)
            }
            return (lists, state.allowlist.count)
        }
    }
}

// MARK: IP ranges

extension InMemoryStore: IPRangeStore {
    public func replaceIPRanges(source: String, with ranges: [IPRange]) throws {
        locked {
            state.ipRanges.removeAll { $0.source == source }
            state.ipRanges += ranges.map { (source, $0) }
        }
    }

    public func allIPRanges() throws -> [IPRange] { locked { state.ipRanges.map(\.range) } }

    public func ipRangeSources() throws -> [(source: String, ranges: Int)] {
        locked { Dictionary(grouping: state.ipRanges, by: \.source).map { ($0.key, $0.value.count) }.sorted { $0.0 < $1.0 } }
    }
}
