import Foundation

/// Reads a hash-sharing source into a list, incrementally: new entries and updates are
/// imported, tombstones and fingerprints an update dropped become retractions (unless
/// another live entry of the source still lists the hash), and local verdicts go back as
/// votes. One instance syncs a source at a time (a lease in the store); a run that stops
/// half-way resumes from its last page, within the same window as the source requires.
public struct HashSyncer: Sendable {
    /// The source's name (checkpoints, audit).
    public let name: String
    /// The list its entries go on.
    public let list: String
    /// The source.
    public let source: any HashSyncSource
    /// Whether votes are sent.
    public let feedback: Bool
    /// The list whose entries analysts confirmed (four eyes), upvoted when a source lists them.
    public let confirmedList: String

    /// Creates a syncer.
    public init(name: String, list: String, source: any HashSyncSource, feedback: Bool, confirmedList: String = "assessed") {
        self.name = name
        self.list = list
        self.source = source
        self.feedback = feedback
        self.confirmedList = confirmedList
    }

    /// What one run did.
    public struct Counts: Hashable, Sendable {
        /// Pages read.
        public var pages = 0
        /// Entries read (tombstones included).
        public var entries = 0
        /// Hash-list entries new, changed, already there.
        public var imported = HashImportCounts()
        /// PhotoDNA values kept for an external matcher.
        public var external = 0
        /// Tombstones read.
        public var deleted = 0
        /// List entries retracted because the source deleted or dropped them.
        public var retracted = 0
        /// Fingerprints of kinds the gateway does not match (TMK+PDQF, NetClean…), or malformed.
        public var unsupported = 0
        /// Votes sent.
        public var upvotes = 0, downvotes = 0
        /// Whether another instance held the lease (nothing was done).
        public var busy = false
        /// Whether the last sync was too recent for a scheduled run (nothing was done).
        public var notDue = false

        /// Creates zero counts.
        public init() {}

        /// For the audit log and `--json`.
        public var json: JSONObject {
            [
                "pages": .number(Double(pages)), "entries": .number(Double(entries)), "added": .number(Double(imported.added)),
                "updated": .number(Double(imported.updated)), "unchanged": .number(Double(imported.unchanged)), "external": .number(Double(external)),
                "deleted": .number(Double(deleted)), "retracted": .number(Double(retracted)), "unsupported": .number(Double(unsupported)),
                "upvotes": .number(Double(upvotes)), "downvotes": .number(Double(downvotes)),
            ]
        }
    }

    /// Source fingerprint names the gateway matches, and as what.
    static let algorithms: [String: HashAlgorithm] = ["md5": .md5, "sha1": .sha1, "pdq": .pdq]

    /// One run up to `now`. `owner` names this instance for the lease. With `every`, a
    /// source synced less than that long ago (by any instance) is left alone: the schedule
    /// is kept in the store, so several instances do not multiply it.
    public func run(
        lists: some HashListStore & ExternalHashStore & HashSyncStore & AuditLog, owner: String, now: Date = Date(), leaseSeconds: Int = 900,
        firstSync: Date = Date(timeIntervalSince1970: 0), every: TimeInterval? = nil
    ) throws -> Counts {
        var counts = Counts()
        guard var checkpoint = try lists.claimSync(source: name, owner: owner, seconds: leaseSeconds, now: now) else {
            counts.busy = true
            return counts
        }
        defer { try? lists.releaseSync(source: name, owner: owner) }
        if let every, checkpoint.resume == nil, let synced = checkpoint.syncedTo, now.timeIntervalSince(synced) < every {
            counts.notDue = true
            return counts
        }
        // The first sync makes the list; its default classification is the operator's to set.
        if try lists.list(named: list) == nil { try lists.saveList(HashList(name: list, source: name, defaultClassification: .unclassified)) }
        let window: (from: Date, to: Date)
        var next: String?
        if let resume = checkpoint.resume {
            window = (resume.from, resume.to)
            next = resume.next
        } else {
            window = (checkpoint.syncedTo ?? firstSync, now)
        }
        repeat {
            let page = try source.entries(from: window.from, to: window.to, next: next)
            try apply(page.entries, store: lists, counts: &counts, now: now)
            counts.pages += 1
            next = page.next
            checkpoint.resume = next.map { HashSyncCheckpoint.Resume(from: window.from, to: window.to, next: $0) }
            if next == nil { checkpoint.syncedTo = window.to }
            try lists.saveSyncCheckpoint(source: name, owner: owner, checkpoint, now: now)
        } while next != nil
        if feedback { try sendVotes(store: lists, counts: &counts, now: now) }
        try lists.appendAudit(AuditEntry(at: now, actor: "sync:" + owner, event: "hashes.sync", subject: name, detail: counts.json))
        return counts
    }

    /// Imports a page: what each entry adds, and what its deletion or update takes away.
    func apply(_ entries: [HashSyncEntry], store: some HashListStore & ExternalHashStore & HashSyncStore, counts: inout Counts, now: Date) throws {
        guard !entries.isEmpty else { return }
        counts.entries += entries.count
        // The last word on an entry within a page wins.
        var latest: [String: HashSyncEntry] = [:]
        for entry in entries { latest[entry.key] = entry }
        let stored = try store.syncEntries(source: name, keys: Array(latest.keys))
        var imports: [HashListEntry] = []
        var external: [ExternalHashEntry] = []
        var dropped: [(fingerprint: String, value: String, key: String)] = []
        var saved: [HashSyncEntry] = []
        for entry in latest.values.sorted(by: { $0.key < $1.key }) {
            let classification = entry.classification.flatMap { HashClassification(rawValue: $0.uppercased()) }
            if entry.deleted { counts.deleted += 1 }
            var kept: [String: String] = [:]
            if !entry.deleted {
                let read = normalized(entry)
                kept = read.kept
                counts.unsupported += read.unsupported
            }
            if let before = stored[entry.key], !before.deleted {
                for (fingerprint, value) in normalized(before).kept where kept[fingerprint] != value {
                    dropped.append((fingerprint, value, entry.key))
                }
            }
            var normalizedEntry = entry
            normalizedEntry.fingerprints = kept
            saved.append(normalizedEntry)
            for (fingerprint, value) in kept {
                if let algorithm = Self.algorithms[fingerprint] {
                    imports.append(HashListEntry(algorithm: algorithm, value: value, classification: classification))
                } else if fingerprint == "pdna" {
                    external.append(ExternalHashEntry(algorithm: .photodna, value: value, classification: classification))
                }
            }
        }
        if !imports.isEmpty {
            let result = try store.importEntries(imports, into: list)
            counts.imported.added += result.added
            counts.imported.updated += result.updated
            counts.imported.unchanged += result.unchanged
        }
        if !external.isEmpty { counts.external += try store.importExternalHashes(external, into: list, at: now) }
        try store.saveSyncEntries(source: name, saved, now: now)
        // A hash another live entry still lists stays; the rest is retracted from this list.
        for (fingerprint, value, key) in dropped {
            guard let algorithm = Self.algorithms[fingerprint] else { continue }
            let others = try store.syncEntries(source: name, fingerprint: fingerprint, values: [value]).filter { $0.key != key }
            guard others.isEmpty else { continue }
            counts.retracted += try store.retract(algorithm, value, list: list, reason: "\(name) deleted or changed entry \(key)", at: now)
        }
    }

    /// The entry's fingerprints the gateway keeps: known kinds with well-formed values,
    /// lowercase hex (PhotoDNA as canonical base64); and how many it cannot use.
    func normalized(_ entry: HashSyncEntry) -> (kept: [String: String], unsupported: Int) {
        var kept: [String: String] = [:]
        var unsupported = 0
        for (name, text) in entry.fingerprints {
            let fingerprint = name.lowercased()
            if let algorithm = Self.algorithms[fingerprint], let value = algorithm.normalize(text) {
                kept[fingerprint] = value
            } else if fingerprint == "pdna", let value = ExternalHashEntry.photoDNA(text) {
                kept[fingerprint] = value
            } else {
                unsupported += 1
            }
        }
        return (kept, unsupported)
    }

    /// Downvotes for allow-listed hashes and upvotes for analyst-confirmed ones, on every
    /// live entry of the source that lists them, each once.
    func sendVotes(store: some HashListStore & HashSyncStore, counts: inout Counts, now: Date) throws {
        var wanted: [(HashSyncVote, HashAlgorithm, String)] = try store.allowedHashes().map { (.downvote, $0.algorithm, $0.value) }
        // The confirmed list is small beside the police lists; reading it whole is cheap
        // next to a sync, but it is a scan of every list (see the note in HashListStore).
        try store.forEachActiveEntry { entry in
            if entry.list == confirmedList { wanted.append((.upvote, entry.algorithm, entry.value)) }
        }
        for (vote, algorithm, value) in wanted {
            guard let fingerprint = Self.algorithms.first(where: { $0.value == algorithm })?.key else { continue }
            for entry in try store.syncEntries(source: name, fingerprint: fingerprint, values: [value]) {
                guard try store.syncVote(source: name, entry: entry.key, fingerprint: fingerprint) == nil else { continue }
                try source.vote(vote, entry: entry, fingerprint: fingerprint)
                try store.recordSyncVote(source: name, entry: entry.key, fingerprint: fingerprint, vote: vote, now: now)
                if vote == .upvote { counts.upvotes += 1 } else { counts.downvotes += 1 }
            }
        }
    }
}
