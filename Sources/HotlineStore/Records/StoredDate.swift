import Foundation
import HotlineCore

/// Timestamps are stored as UTC RFC 3339 text with milliseconds (`2026-11-30T12:00:00.000Z`):
/// readable in the sqlite shell, sortable as text, and written without `DateFormatter`,
/// which was a tenth of ingest time.
enum StoredDate {
    /// The last instant RFC 3339 can write; later dates are stored as it, not as garbage
    /// that reads back as 1970.
    static let latest = Date(timeIntervalSince1970: 253_402_300_799.999)

    static func text(_ date: Date) -> String { RFC3339.format(min(date, latest), fixedMilliseconds: true) }
    static func date(_ text: String) -> Date { RFC3339.parse(text) ?? Date(timeIntervalSince1970: 0) }
}
