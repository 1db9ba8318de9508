import Foundation
import GRDB
import HotlineCore

/// A row of `cases`.
struct CaseRow: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "cases"

    var id: String
    var url: String
    var status: String
    var opened_at: Date
    var closed_at: Date?
    var report_count: Int
    var first_report_id: String

    init(_ record: CaseRecord) {
        id = record.id
        url = record.url
        status = record.status.rawValue
        opened_at = record.openedAt
        closed_at = record.closedAt
        report_count = record.reportCount
        first_report_id = record.firstReportID
    }

    var record: CaseRecord {
        CaseRecord(id: id, url: url, status: CaseStatus(rawValue: status) ?? .open, openedAt: opened_at, closedAt: closed_at, reportCount: report_count, firstReportID: first_report_id)
    }
}
