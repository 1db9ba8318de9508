import Foundation

/// Where a source's sync stands: what has been read, and a page to resume from.
public struct HashSyncCheckpoint: Hashable, Sendable {
    /// A run that stopped half-way: its window and the next page, which is only valid with
    /// the same window (the source pages by position within it).
    public struct Resume: Hashable, Sendable {
        /// The window's start.
        public var from: Date
        /// The window's end.
        public var to: Date
        /// The next page, as the source gave it.
        public var next: String

        /// Creates one.
        public init(from: Date, to: Date, next: String) {
            self.from = from
            self.to = to
            self.next = next
        }
    }

    /// Every change up to this time has been read.
    public var syncedTo: Date?
    /// Where a run that stopped half-way goes on.
    public var resume: Resume?

    /// Creates one.
    public init(syncedTo: Date? = nil, resume: Resume? = nil) {
        self.syncedTo = syncedTo
        self.resume = resume
    }
}

/// Storage for hash-list sync: checkpoints with a lease (one instance syncs a source at a
/// time), the entries read (so that a deletion knows which hashes it takes away), and the
/// votes sent (each once).
public protocol HashSyncStore: Sendable {
    /// Takes the source's lease for `seconds` unless another owner holds it; returns the
    /// checkpoint when taken, `nil` when someone else is syncing it.
    func claimSync(source: String, owner: String, seconds: Int, now: Date) throws -> HashSyncCheckpoint?
    /// Saves the checkpoint (and keeps the lease while `owner` holds it).
    func saveSyncCheckpoint(source: String, owner: String, _ checkpoint: HashSyncCheckpoint, now: Date) throws
    /// Gives the lease back.
    func releaseSync(source: String, owner: String) throws
    /// The entries stored for `keys` (``HashSyncEntry/key``), tombstones included.
    func syncEntries(source: String, keys: [String]) throws -> [String: HashSyncEntry]
    /// Stores entries as read (a tombstone replaces the entry).
    func saveSyncEntries(source: String, _ entries: [HashSyncEntry], now: Date) throws
    /// Live entries of the source that carry `fingerprint` with one of `values`.
    func syncEntries(source: String, fingerprint: String, values: [String]) throws -> [HashSyncEntry]
    /// The vote sent on a fingerprint of an entry, if one was.
    func syncVote(source: String, entry: String, fingerprint: String) throws -> HashSyncVote?
    /// Records a vote as sent.
    func recordSyncVote(source: String, entry: String, fingerprint: String, vote: HashSyncVote, now: Date) throws
}
