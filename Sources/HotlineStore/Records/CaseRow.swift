import Foundation
import GRDB
import HotlineCore

/// A row of `cases`.
struct CaseRow: Codable, FetchableRecord, TableRecord, InsertableRow {
    static let databaseTableName = "cases"

    var id: String
    var url: String
    var status: String
    var opened_at: String
    var closed_at: String?
    var report_count: Int
    var first_report_id: String

    init(_ record: CaseRecord) {
        id = record.id
        url = record.url
        status = record.status.rawValue
        opened_at = StoredDate.text(record.openedAt)
        closed_at = record.closedAt.map(StoredDate.text)
        report_count = record.reportCount
        first_report_id = record.firstReportID
    }

    var record: CaseRecord {
        CaseRecord(
            id: id, url: url, status: CaseStatus(rawValue: status) ?? .open, openedAt: StoredDate.date(opened_at), closedAt: closed_at.map(StoredDate.date),
            reportCount: report_count, firstReportID: first_report_id)
    }

    init(row: some SQLRow) throws {
        id = try row.text("id")
        url = try row.text("url")
        status = try row.text("status")
        opened_at = try row.text("opened_at")
        closed_at = try row.optionalText("closed_at")
        report_count = try row.integer("report_count")
        first_report_id = try row.text("first_report_id")
    }

    static let table = "cases"
    static let insertSQL = insertStatement()
    static let columns = ["id", "url", "status", "opened_at", "closed_at", "report_count", "first_report_id"]
    var values: [SQLValue] { [.text(id), .text(url), .text(status), .text(opened_at), .optional(closed_at), .int(report_count), .text(first_report_id)] }

    func update(_ db: some SQLExecutor) throws {
        try db.send(
            "UPDATE cases SET status = ?, closed_at = ?, report_count = ? WHERE id = ?", [.text(status), .optional(closed_at), .int(report_count), .text(id)])
    }
}
