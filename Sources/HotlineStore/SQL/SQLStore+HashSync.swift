import Foundation
import HotlineCore

// MARK: Hash-list sync

extension SQLStore {
    /// Takes the source's lease unless another owner holds an unexpired one.
    public func claimSync(source: String, owner: String, seconds: Int, now: Date) throws -> HashSyncCheckpoint? {
        let at = SQLValue.text(StoredDate.text(now))
        let until = SQLValue.text(StoredDate.text(now.addingTimeInterval(TimeInterval(seconds))))
        return try writing { db in
            try db.execute("INSERT INTO sync_checkpoints (source, updated_at) VALUES (?, ?) ON CONFLICT (source) DO NOTHING", [.text(source), at])
            let taken = try db.execute(
                """
                UPDATE sync_checkpoints SET lease_owner = ?, lease_until = ?
                WHERE source = ? AND (lease_owner IS NULL OR lease_owner = ? OR lease_until < ?)
                """, [.text(owner), until, .text(source), .text(owner), at])
            guard taken == 1, let row = try db.row("SELECT * FROM sync_checkpoints WHERE source = ?", [.text(source)]) else { return nil }
            var checkpoint = HashSyncCheckpoint(syncedTo: try row.optionalText("synced_to").map(StoredDate.date))
            if let from = try row.optionalText("resume_from"), let to = try row.optionalText("resume_to"), let next = try row.optionalText("resume_next") {
                checkpoint.resume = HashSyncCheckpoint.Resume(from: StoredDate.date(from), to: StoredDate.date(to), next: next)
            }
            return checkpoint
        }
    }

    /// Saves the checkpoint while `owner` holds the lease.
    public func saveSyncCheckpoint(source: String, owner: String, _ checkpoint: HashSyncCheckpoint, now: Date) throws {
        try writing { db in
            let saved = try db.execute(
                """
                UPDATE sync_checkpoints SET synced_to = ?, resume_from = ?, resume_to = ?, resume_next = ?, updated_at = ?
                WHERE source = ? AND lease_owner = ?
                """,
                [
                    .optional(checkpoint.syncedTo.map(StoredDate.text)), .optional(checkpoint.resume.map { StoredDate.text($0.from) }),
                    .optional(checkpoint.resume.map { StoredDate.text($0.to) }), .optional(checkpoint.resume?.next), .text(StoredDate.text(now)),
                    .text(source), .text(owner),
                ])
            guard saved == 1 else { throw HashSyncError(code: "sync.lease", message: "the lease on \(source) was lost", isTransient: true) }
        }
    }

    /// Gives the lease back.
    public func releaseSync(source: String, owner: String) throws {
        try writing { db in
            _ = try db.execute(
                "UPDATE sync_checkpoints SET lease_owner = NULL, lease_until = NULL WHERE source = ? AND lease_owner = ?", [.text(source), .text(owner)])
        }
    }

    /// The entries stored for `keys`, tombstones included.
    public func syncEntries(source: String, keys: [String]) throws -> [String: HashSyncEntry] {
        var found: [String: HashSyncEntry] = [:]
        try reading { db in
            for start in stride(from: 0, to: keys.count, by: 500) {
                let chunk = keys[start..<min(keys.count, start + 500)]
                let marks = Array(repeating: "?", count: chunk.count).joined(separator: ", ")
                for row in try db.rows(
                    "SELECT * FROM sync_entries WHERE source = ? AND entry_key IN (\(marks))", [.text(source)] + chunk.map { SQLValue.text($0) })
                {
                    let entry = try Self.syncEntry(row)
                    found[entry.key] = entry
                }
            }
        }
        return found
    }

    /// Stores entries as read, with their fingerprints for lookups by value.
    public func saveSyncEntries(source: String, _ entries: [HashSyncEntry], now: Date) throws {
        guard !entries.isEmpty else { return }
        let at = SQLValue.text(StoredDate.text(now))
        try writing { db in
            for entry in entries {
                let fingerprints = JSONValue.object(JSONObject(entry.fingerprints.sorted { $0.key < $1.key }.map { ($0.key, JSONValue.string($0.value)) }))
                try db.execute(
                    """
                    INSERT INTO sync_entries (source, entry_key, entry_id, member, kind, classification, deleted, fingerprints, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (source, entry_key) DO UPDATE SET classification = excluded.classification, deleted = excluded.deleted,
                        fingerprints = excluded.fingerprints, kind = excluded.kind, updated_at = excluded.updated_at
                    """,
                    [
                        .text(source), .text(entry.key), .text(entry.id), .int(entry.member), .text(entry.kind.rawValue), .optional(entry.classification),
                        .int(entry.deleted ? 1 : 0), .text(fingerprints.serialized), at,
                    ])
                try db.execute("DELETE FROM sync_fingerprints WHERE source = ? AND entry_key = ?", [.text(source), .text(entry.key)])
                guard !entry.deleted else { continue }
                for (fingerprint, value) in entry.fingerprints {
                    try db.execute(
                        "INSERT INTO sync_fingerprints (source, entry_key, fingerprint, value) VALUES (?, ?, ?, ?)",
                        [.text(source), .text(entry.key), .text(fingerprint), .text(value)])
                }
            }
        }
    }

    /// Live entries of the source that carry `fingerprint` with one of `values`.
    public func syncEntries(source: String, fingerprint: String, values: [String]) throws -> [HashSyncEntry] {
        guard !values.isEmpty else { return [] }
        let marks = Array(repeating: "?", count: values.count).joined(separator: ", ")
        return try reading { db in
            try db.rows(
                """
                SELECT e.* FROM sync_fingerprints f JOIN sync_entries e ON e.source = f.source AND e.entry_key = f.entry_key
                WHERE f.source = ? AND f.fingerprint = ? AND f.value IN (\(marks)) AND e.deleted = 0 ORDER BY e.entry_key
                """, [.text(source), .text(fingerprint)] + values.map { SQLValue.text($0) }
            ).map { try Self.syncEntry($0) }
        }
    }

    /// The vote sent on a fingerprint of an entry, if one was.
    public func syncVote(source: String, entry: String, fingerprint: String) throws -> HashSyncVote? {
        try reading { db in
            try db.row(
                "SELECT vote FROM sync_votes WHERE source = ? AND entry_key = ? AND fingerprint = ?", [.text(source), .text(entry), .text(fingerprint)]
            ).flatMap { HashSyncVote(rawValue: try $0.text("vote")) }
        }
    }

    /// Records a vote as sent.
    public func recordSyncVote(source: String, entry: String, fingerprint: String, vote: HashSyncVote, now: Date) throws {
        try writing { db in
            try db.execute(
                """
                INSERT INTO sync_votes (source, entry_key, fingerprint, vote, sent_at) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (source, entry_key, fingerprint) DO UPDATE SET vote = excluded.vote, sent_at = excluded.sent_at
                """, [.text(source), .text(entry), .text(fingerprint), .text(vote.rawValue), .text(StoredDate.text(now))])
        }
    }

    static func syncEntry(_ row: some SQLRow) throws -> HashSyncEntry {
        var fingerprints: [String: String] = [:]
        if case .object(let object)? = try? JSONValue.parse(try row.text("fingerprints")) {
            for member in object.members { if case .string(let value) = member.value { fingerprints[member.key] = value } }
        }
        return HashSyncEntry(
            id: try row.text("entry_id"), member: try row.integer("member"), kind: HashSyncEntry.Kind(rawValue: try row.text("kind")) ?? .image,
            deleted: try row.integer("deleted") != 0, classification: try row.optionalText("classification"), fingerprints: fingerprints)
    }
}
