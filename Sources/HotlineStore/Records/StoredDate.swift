import Foundation
import HotlineCore

/// Timestamps are stored as UTC RFC 3339 text with milliseconds (`2026-11-30T12:00:00.000Z`):
/// readable in the sqlite shell, sortable as text, and written without `DateFormatter`,
/// which was a tenth of ingest time.
enum StoredDate {
    static func text(_ date: Date) -> String { RFC3339.format(date, fixedMilliseconds: true) }
    static func date(_ text: String) -> Date { RFC3339.parse(text) ?? Date(timeIntervalSince1970: 0) }
}
