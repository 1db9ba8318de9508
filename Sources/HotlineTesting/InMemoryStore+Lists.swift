import Foundation
import HotlineCore

// MARK: Hash lists

extension InMemoryStore: HashListStore {
    /// Creates the list or updates its source and default classification.
    public func saveList(_ list: HashList) throws {
        locked {
            state.hashLists[list.name] = list
            if state.hashListEnabled[list.name] == nil { state.hashListEnabled[list.name] = list.enabled }
        }
    }

    /// The list named `name`.
    public func list(named name: String) throws -> HashList? {
        locked {
            guard var list = state.hashLists[name] else { return nil }
            list.enabled = state.hashListEnabled[name] ?? list.enabled
            return list
        }
    }

    /// Stores entries in a list: new ones added, changed classifications updated, retracted ones left retracted.
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
            if counts.added + counts.updated > 0 { state.hashListGeneration += 1 }
            return counts
        }
    }

    /// Turns a list on or off; returns whether the list exists.
    public func setEnabled(_ enabled: Bool, list: String) throws -> Bool {
        locked {
            guard state.hashLists[list] != nil else { return false }
            state.hashListEnabled[list] = enabled
            state.hashListGeneration += 1
            return true
        }
    }

    /// Marks a hash as a false positive in one list or all; returns how many entries were retracted.
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
            if count > 0 { state.hashListGeneration += 1 }
            return count
        }
    }

    /// Puts a hash on the allow-list: never a match, whatever list holds it.
    public func allow(_ algorithm: HashAlgorithm, _ value: String, reason: String, at: Date) throws {
        locked {
            state.allowlist[algorithm.rawValue + ":" + value] = (algorithm, value)
            state.hashListGeneration += 1
        }
    }

    /// Visits every entry of every enabled list that is not retracted, for the in-memory
    /// index; a visitor rather than an array, since police lists run to tens of millions.
    public func forEachActiveEntry(_ body: (ActiveHashEntry) throws -> Void) throws {
        let active: [ActiveHashEntry] = locked {
            var result: [ActiveHashEntry] = []
            for name in state.hashLists.keys.sorted() where state.hashListEnabled[name] ?? true {
                let list = state.hashLists[name]!
                for (_, stored) in (state.hashEntries[name] ?? [:]).sorted(by: { $0.key < $1.key }) where !stored.retracted {
                    result.append(
                        ActiveHashEntry(
                            algorithm: stored.entry.algorithm, value: stored.entry.value, list: name,
                            classification: stored.entry.classification ?? list.defaultClassification))
                }
            }
            return result
        }
        for entry in active { try body(entry) }
    }

    /// The allow-list.
    public func allowedHashes() throws -> [(algorithm: HashAlgorithm, value: String)] { locked { Array(state.allowlist.values) } }

    /// Figures per list.
    public func hashListStatistics() throws -> (lists: [HashListStatistics], allowed: Int) {
        locked {
            let lists = state.hashLists.keys.sorted().map { name -> HashListStatistics in
                var list = state.hashLists[name]!
                list.enabled = state.hashListEnabled[name] ?? list.enabled
                let stored = Array((state.hashEntries[name] ?? [:]).values)
                let active = stored.filter { !$0.retracted }
                return HashListStatistics(
                    list: list, entries: Dictionary(grouping: active, by: { $0.entry.algorithm }).mapValues(\.count), retracted: stored.count - active.count,
                    videos: (state.videoEntries[name] ?? [:]).values.filter { !$0.retracted }.count)
            }
            return (lists, state.allowlist.count)
        }
    }
}

// MARK: IP ranges

extension InMemoryStore: IPRangeStore {
    /// Replaces every range of `source` with `ranges`.
    public func replaceIPRanges(source: String, with ranges: [IPRange]) throws {
        locked {
            state.ipRanges.removeAll { $0.source == source }
            state.ipRanges += ranges.map { (source, $0) }
        }
    }

    /// Every stored range.
    public func allIPRanges() throws -> [IPRange] { locked { state.ipRanges.map(\.range) } }

    /// Range counts per source.
    public func ipRangeSources() throws -> [(source: String, ranges: Int)] {
        locked { Dictionary(grouping: state.ipRanges, by: \.source).map { ($0.key, $0.value.count) }.sorted { $0.0 < $1.0 } }
    }
}

// MARK: Listed videos

extension InMemoryStore {
    /// Stores listed videos: new ones added, changed classifications updated, retracted ones left retracted.
    public func importVideos(_ entries: [VideoListEntry], into list: String) throws -> HashImportCounts {
        try locked {
            guard state.hashLists[list] != nil else { throw NoSuchHashList(list) }
            var counts = HashImportCounts()
            for entry in entries {
                if let existing = state.videoEntries[list]?[entry.id] {
                    if existing.entry.classification == entry.classification {
                        counts.unchanged += 1
                    } else {
                        counts.updated += 1
                        state.videoEntries[list]?[entry.id] = (entry, existing.retracted)
                    }
                } else {
                    counts.added += 1
                    state.videoEntries[list, default: [:]][entry.id] = (entry, false)
                }
            }
            if counts.added + counts.updated > 0 { state.hashListGeneration += 1 }
            return counts
        }
    }

    /// Visits every listed video of every enabled list that is not retracted.
    public func forEachActiveVideo(_ body: (ActiveVideoEntry) throws -> Void) throws {
        let active: [ActiveVideoEntry] = locked {
            state.videoEntries.sorted { $0.key < $1.key }.flatMap { name, entries -> [ActiveVideoEntry] in
                guard let list = state.hashLists[name], state.hashListEnabled[name] ?? list.enabled else { return [] }
                return entries.sorted { $0.key < $1.key }.compactMap { id, stored in
                    stored.retracted
                        ? nil
                        : ActiveVideoEntry(
                            id: id, list: name, classification: stored.entry.classification ?? list.defaultClassification, video: stored.entry.video)
                }
            }
        }
        for entry in active { try body(entry) }
    }

    /// Marks a listed video as a false positive in one list or all; returns how many were retracted.
    public func retractVideo(id: String, list: String?, reason: String, at: Date) throws -> Int {
        locked {
            var count = 0
            for name in state.videoEntries.keys where list == nil || list == name {
                if let entry = state.videoEntries[name]?[id], !entry.retracted {
                    state.videoEntries[name]?[id] = (entry.entry, true)
                    count += 1
                }
            }
            if count > 0 { state.hashListGeneration += 1 }
            return count
        }
    }
}
