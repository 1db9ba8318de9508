import Foundation
import GRDB
import HotlineCore

extension SQLiteStore {
    /// Reports received per UTC day in `[since, until)`, oldest first (days without reports
    /// are left out).
    public func reportsPerDay(since: Date, until: Date) throws -> [(day: String, count: Int)] {
        try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT substr(received_at, 1, 10) AS day, COUNT(*) FROM reports WHERE received_at >= ? AND received_at < ?
                GROUP BY day ORDER BY day
                """, arguments: [StoredDate.text(since), StoredDate.text(until)]).map { ($0[0], $0[1]) }
        }
    }
}
