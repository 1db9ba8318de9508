import GRDB
import HotlineCore
import HotlineHosting

extension SQLiteStore: IPRangeStore {
    public func replaceIPRanges(source: String, with ranges: [IPRange]) throws {
        try pool.write { db in
            try db.execute(sql: "DELETE FROM ip_ranges WHERE source = ?", arguments: [source])
            let insert = try db.cachedStatement(sql: "INSERT INTO ip_ranges (source, start_address, end_address, asn, country, description) VALUES (?, ?, ?, ?, ?, ?)")
            for range in ranges {
                try insert.execute(arguments: [source, range.start.description, range.end.description, range.info.asn, range.info.country, range.info.description])
            }
        }
    }

    public func allIPRanges() throws -> [IPRange] {
        try pool.read { db in
            var ranges: [IPRange] = []
            let rows = try Row.fetchCursor(db, sql: "SELECT source, start_address, end_address, asn, country, description FROM ip_ranges")
            while let row = try rows.next() {
                guard let start = IPAddress(row[1] as String), let end = IPAddress(row[2] as String) else { continue }
                ranges.append(IPRange(start: start, end: end, info: IPRangeInfo(asn: row[3], country: row[4], description: row[5], source: row[0])))
            }
            return ranges
        }
    }

    public func ipRangeSources() throws -> [(source: String, ranges: Int)] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT source, COUNT(*) FROM ip_ranges GROUP BY source ORDER BY source").map { ($0[0], $0[1]) }
        }
    }
}
