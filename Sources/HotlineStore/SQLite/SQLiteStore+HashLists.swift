import Foundation
import GRDB
import HotlineCore

extension SQLiteStore: HashListStore {
    public func saveList(_ list: HashList) throws {
        let now = StoredDate.text(Date())
        try pool.write { db in
            try db.execute(sql: """
                INSERT INTO hash_lists (name, source, default_classification, enabled, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT(name) DO UPDATE SET source = excluded.source, default_classification = excluded.default_classification, updated_at = excluded.updated_at
                """, arguments: [list.name, list.source, list.defaultClassification.rawValue, list.enabled, now, now])
        }
    }

    public func list(named name: String) throws -> HashList? {
        try pool.read { db in try HashListRow.fetchOne(db, sql: "SELECT * FROM hash_lists WHERE name = ?", arguments: [name])?.list }
    }

    public func importEntries(_ entries: [HashListEntry], into list: String) throws -> HashImportCounts {
        let now = StoredDate.text(Date())
        return try pool.write { db in
            guard let listID = try Int64.fetchOne(db, sql: "SELECT id FROM hash_lists WHERE name = ?", arguments: [list]) else {
                throw DatabaseError(message: "no hash list named \(list)")
            }
            var counts = HashImportCounts()
            let select = try db.cachedStatement(sql: "SELECT classification FROM hash_entries WHERE list_id = ? AND algorithm = ? AND hash = ?")
            let insert = try db.cachedStatement(sql: "INSERT INTO hash_entries (list_id, algorithm, hash, classification, added_at) VALUES (?, ?, ?, ?, ?)")
            let update = try db.cachedStatement(sql: "UPDATE hash_entries SET classification = ? WHERE list_id = ? AND algorithm = ? AND hash = ?")
            for entry in entries {
                let classification = entry.classification?.rawValue
                if let row = try Row.fetchOne(select, arguments: [listID, entry.algorithm.rawValue, entry.value]) {
                    let stored: String? = row[0]
                    if stored == classification {
                        counts.unchanged += 1
                    } else {
                        try update.execute(arguments: [classification, listID, entry.algorithm.rawValue, entry.value])
                        counts.updated += 1
                    }
                } else {
                    try insert.execute(arguments: [listID, entry.algorithm.rawValue, entry.value, classification, now])
                    counts.added += 1
                }
            }
            return counts
        }
    }

    public func setEnabled(_ enabled: Bool, list: String) throws -> Bool {
        try pool.write { db in
            try db.execute(sql: "UPDATE hash_lists SET enabled = ?, updated_at = ? WHERE name = ?", arguments: [enabled, StoredDate.text(Date()), list])
            return db.changesCount > 0
        }
    }

    public func retract(_ algorithm: HashAlgorithm, _ value: String, list: String?, reason: String, at: Date) throws -> Int {
        try pool.write { db in
            var sql = "UPDATE hash_entries SET retracted_at = ?, retraction_reason = ? WHERE algorithm = ? AND hash = ? AND retracted_at IS NULL"
            var arguments: StatementArguments = [StoredDate.text(at), reason, algorithm.rawValue, value]
            if let list {
                sql += " AND list_id = (SELECT id FROM hash_lists WHERE name = ?)"
                arguments += [list]
            }
            try db.execute(sql: sql, arguments: arguments)
            return db.changesCount
        }
    }

    public func allow(_ algorithm: HashAlgorithm, _ value: String, reason: String, at: Date) throws {
        try pool.write { db in
            try db.execute(sql: """
                INSERT INTO hash_allowlist (algorithm, hash, reason, added_at) VALUES (?, ?, ?, ?)
                ON CONFLICT(algorithm, hash) DO UPDATE SET reason = excluded.reason
                """, arguments: [algorithm.rawValue, value, reason, StoredDate.text(at)])
        }
    }

    public func forEachActiveEntry(_ body: (ActiveHashEntry) throws -> Void) throws {
        try pool.read { db in
            let rows = try Row.fetchCursor(db, sql: """
                SELECT l.name, e.algorithm, e.hash, COALESCE(e.classification, l.default_classification)
                FROM hash_entries e JOIN hash_lists l ON l.id = e.list_id
                WHERE l.enabled = 1 AND e.retracted_at IS NULL
                """)
            while let row = try rows.next() {
                guard let algorithm = HashAlgorithm(rawValue: row[1]), let classification = HashClassification(rawValue: row[3]) else { continue }
                try body(ActiveHashEntry(algorithm: algorithm, value: row[2], list: row[0], classification: classification))
            }
        }
    }

    public func allowedHashes() throws -> [(algorithm: HashAlgorithm, value: String)] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT algorithm, hash FROM hash_allowlist").compactMap { row in
                HashAlgorithm(rawValue: row[0]).map { ($0, row[1]) }
            }
        }
    }

    public func hashListStatistics() throws -> (lists: [HashListStatistics], allowed: Int) {
        try pool.read { db in
            var result: [HashListStatistics] = []
            for row in try HashListRow.fetchAll(db, sql: "SELECT * FROM hash_lists ORDER BY name") {
                var entries: [HashAlgorithm: Int] = [:]
                for count in try Row.fetchAll(db, sql: "SELECT algorithm, COUNT(*) FROM hash_entries WHERE list_id = ? AND retracted_at IS NULL GROUP BY algorithm", arguments: [row.id]) {
                    if let algorithm = HashAlgorithm(rawValue: count[0]) { entries[algorithm] = count[1] }
                }
                let retracted = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM hash_entries WHERE list_id = ? AND retracted_at IS NOT NULL", arguments: [row.id]) ?? 0
                result.append(HashListStatistics(list: row.list, entries: entries, retracted: retracted))
            }
            return (result, try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM hash_allowlist") ?? 0)
        }
    }
}
