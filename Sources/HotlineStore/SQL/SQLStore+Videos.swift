import Foundation
import HotlineCore

// MARK: Listed videos (vPDQ)

extension SQLStore {
    /// Stores listed videos: new ones added, changed classifications updated, retracted ones
    /// left retracted. The frames are stored as python-threatexchange writes them.
    public func importVideos(_ entries: [VideoListEntry], into list: String) throws -> HashImportCounts {
        let now = SQLValue.text(StoredDate.text(Date()))
        return try writing { db in
            guard let listID = try db.row("SELECT id FROM hash_lists WHERE name = ?", [.text(list)]).map({ try $0.integer("id") }) else {
                throw NoSuchHashList(list)
            }
            var counts = HashImportCounts()
            var last: [String: VideoListEntry] = [:]
            for entry in entries { last[entry.id] = entry }
            for entry in last.values.sorted(by: { $0.id < $1.id }) {
                let classification = SQLValue.optional(entry.classification?.rawValue)
                if let row = try db.row("SELECT classification FROM video_hashes WHERE list_id = ? AND id = ?", [.int(listID), .text(entry.id)]) {
                    if try row.optionalText("classification") == entry.classification?.rawValue {
                        counts.unchanged += 1
                    } else {
                        try db.execute(
                            "UPDATE video_hashes SET classification = ? WHERE list_id = ? AND id = ?", [classification, .int(listID), .text(entry.id)])
                        counts.updated += 1
                    }
                } else {
                    try db.execute(
                        "INSERT INTO video_hashes (list_id, id, signal, frames, classification, added_at) VALUES (?, ?, ?, ?, ?, ?)",
                        [.int(listID), .text(entry.id), .text(entry.video.signalString), .int(entry.video.frames.count), classification, now])
                    counts.added += 1
                }
            }
            if counts.added + counts.updated > 0 { try StoreGenerations.bump(StoreGenerations.hashLists, in: db) }
            return counts
        }
    }

    /// Visits every listed video of every enabled list that is not retracted, a page at a time.
    public func forEachActiveVideo(_ body: (ActiveVideoEntry) throws -> Void) throws {
        var after: (list: Int, id: String) = (0, "")
        while true {
            let rows = try reading {
                try $0.rows(
                    """
                    SELECT v.list_id AS list_id, l.name AS list, v.id AS id, v.signal AS signal,
                           COALESCE(v.classification, l.default_classification) AS classification
                    FROM video_hashes v JOIN hash_lists l ON l.id = v.list_id
                    WHERE l.enabled = 1 AND v.retracted_at IS NULL AND (v.list_id, v.id) > (?, ?)
                    ORDER BY v.list_id, v.id LIMIT 1000
                    """, [.int(after.list), .text(after.id)])
            }
            guard let last = rows.last else { return }
            for row in rows {
                // A stored row was checked on import; one that no longer reads is left out, not fatal.
                guard let classification = HashClassification(rawValue: try row.text("classification")),
                    case .success(let video) = VideoHash.parse(signal: try row.text("signal"))
                else { continue }
                try body(ActiveVideoEntry(id: try row.text("id"), list: try row.text("list"), classification: classification, video: video))
            }
            after = (try last.integer("list_id"), try last.text("id"))
        }
    }

    /// Marks a listed video as a false positive in one list or all; returns how many were retracted.
    public func retractVideo(id: String, list: String?, reason: String, at: Date) throws -> Int {
        try writing { db in
            var sql = "UPDATE video_hashes SET retracted_at = ?, retraction_reason = ? WHERE id = ? AND retracted_at IS NULL"
            var values: [SQLValue] = [.text(StoredDate.text(at)), .text(reason), .text(id)]
            if let list {
                sql += " AND list_id = (SELECT id FROM hash_lists WHERE name = ?)"
                values.append(.text(list))
            }
            let retracted = try db.execute(sql, values)
            if retracted > 0 { try StoreGenerations.bump(StoreGenerations.hashLists, in: db) }
            return retracted
        }
    }
}
