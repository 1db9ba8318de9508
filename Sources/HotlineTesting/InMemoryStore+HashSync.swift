import Foundation
import HotlineCore

// MARK: Hash-list sync

extension InMemoryStore: HashSyncStore {
    /// Takes the source's lease unless another owner holds an unexpired one.
    public func claimSync(source: String, owner: String, seconds: Int, now: Date) throws -> HashSyncCheckpoint? {
        locked {
            let current = state.syncCheckpoints[source] ?? (HashSyncCheckpoint(), nil, nil)
            if let holder = current.owner, holder != owner, let until = current.until, until >= now { return nil }
            state.syncCheckpoints[source] = (current.checkpoint, owner, now.addingTimeInterval(TimeInterval(seconds)))
            return current.checkpoint
        }
    }

    /// Saves the checkpoint while `owner` holds the lease.
    public func saveSyncCheckpoint(source: String, owner: String, _ checkpoint: HashSyncCheckpoint, now: Date) throws {
        try locked {
            guard let current = state.syncCheckpoints[source], current.owner == owner else {
                throw HashSyncError(code: "sync.lease", message: "the lease on \(source) was lost", isTransient: true)
            }
            state.syncCheckpoints[source] = (checkpoint, current.owner, current.until)
        }
    }

    /// Gives the lease back.
    public func releaseSync(source: String, owner: String) throws {
        locked {
            if let current = state.syncCheckpoints[source], current.owner == owner { state.syncCheckpoints[source] = (current.checkpoint, nil, nil) }
        }
    }

    /// The entries stored for `keys`, tombstones included.
    public func syncEntries(source: String, keys: [String]) throws -> [String: HashSyncEntry] {
        locked { Dictionary(uniqueKeysWithValues: keys.compactMap { key in state.syncEntries[source]?[key].map { (key, $0) } }) }
    }

    /// Stores entries as read.
    public func saveSyncEntries(source: String, _ entries: [HashSyncEntry], now: Date) throws {
        locked { for entry in entries { state.syncEntries[source, default: [:]][entry.key] = entry } }
    }

    /// Live entries of the source that carry `fingerprint` with one of `values`.
    public func syncEntries(source: String, fingerprint: String, values: [String]) throws -> [HashSyncEntry] {
        locked {
            (state.syncEntries[source] ?? [:]).values.filter { entry in !entry.deleted && values.contains { entry.fingerprints[fingerprint] == $0 } }
                .sorted { $0.key < $1.key }
        }
    }

    /// The vote sent on a fingerprint of an entry, if one was.
    public func syncVote(source: String, entry: String, fingerprint: String) throws -> HashSyncVote? {
        locked { state.syncVotes[source + " " + entry + " " + fingerprint] }
    }

    /// Records a vote as sent.
    public func recordSyncVote(source: String, entry: String, fingerprint: String, vote: HashSyncVote, now: Date) throws {
        locked { state.syncVotes[source + " " + entry + " " + fingerprint] = vote }
    }
}
