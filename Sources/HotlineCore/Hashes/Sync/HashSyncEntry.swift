import Foundation

/// One entry of a hash-sharing source (NCMEC's hash-sharing API): a file some member
/// listed, with its fingerprints, or the tombstone of one that was deleted.
public struct HashSyncEntry: Hashable, Sendable {
    /// What was listed.
    public enum Kind: String, Hashable, Sendable, CaseIterable {
        /// An image.
        case image
        /// A video.
        case video
    }

    /// The source's own id, unique with ``member``.
    public var id: String
    /// The member that listed it.
    public var member: Int
    /// Image or video.
    public var kind: Kind
    /// A tombstone: the member deleted the entry.
    public var deleted: Bool
    /// The source's classification text (NCMEC: A1, A2, B1, B2), when it gave one.
    public var classification: String?
    /// Fingerprints by the source's lowercase name: `md5`, `sha1`, `pdq`, `pdna`, `tmk_pdqf`…
    public var fingerprints: [String: String]

    /// Creates one.
    public init(id: String, member: Int, kind: Kind, deleted: Bool, classification: String?, fingerprints: [String: String]) {
        self.id = id
        self.member = member
        self.kind = kind
        self.deleted = deleted
        self.classification = classification
        self.fingerprints = fingerprints
    }

    /// The key the gateway keeps it under: member and id, as feedback addresses it.
    public var key: String { "\(member)/\(id)" }
}

/// One page of a source's entries.
public struct HashSyncPage: Hashable, Sendable {
    /// The entries, in the source's order (not time order).
    public var entries: [HashSyncEntry]
    /// Where the next page is, as the source gave it; `nil` on the last page.
    public var next: String?

    /// Creates one.
    public init(entries: [HashSyncEntry], next: String?) {
        self.entries = entries
        self.next = next
    }
}

/// A vote on one fingerprint of an entry, sent back to the source.
public enum HashSyncVote: String, Hashable, Sendable, CaseIterable {
    /// An analyst confirmed the material (the hash is on the `assessed` list).
    case upvote
    /// A local false positive (the hash is on the allow-list).
    case downvote
}

/// Why a sync failed, with a stable code.
public struct HashSyncError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A stable code: `sync.http`, `sync.response`, `sync.config`.
    public var code: String
    /// What went wrong, without credentials.
    public var message: String
    /// Whether trying again later may work.
    public var isTransient: Bool

    /// Creates one.
    public init(code: String, message: String, isTransient: Bool) {
        self.code = code
        self.message = message
        self.isTransient = isTransient
    }

    /// `code: message`.
    public var description: String { "\(code): \(message)" }
}

/// A hash-sharing source the gateway reads incrementally and votes on.
public protocol HashSyncSource: Sendable {
    /// The entries changed from `from` to `to`, a page at a time: the first page without
    /// `next`, the following ones with the `next` the previous page gave.
    func entries(from: Date, to: Date, next: String?) throws(HashSyncError) -> HashSyncPage
    /// Sends a vote on one fingerprint (`md5`, `sha1`, `pdq`…) of an entry.
    func vote(_ vote: HashSyncVote, entry: HashSyncEntry, fingerprint: String) throws(HashSyncError)
}
