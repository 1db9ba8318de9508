import Foundation
import GRDB
import HotlineCore

/// A row of `reports`; the reporter's contact lives in ``ReporterContactRow``.
struct ReportRow: Codable, FetchableRecord, TableRecord, InsertableRow {
    static let databaseTableName = "reports"

    var id: String
    var case_id: String
    var client_id: String?
    var source_key: String
    var url: String
    var original_url: String
    var host: String
    var received_at: String
    var source_type: String
    var source_name: String?
    var media_type: String?
    var classification: String?
    var md5: String?
    var sha1: String?
    var sha256: String?
    var pdq: String?
    var comment: String?
    var submitted_by: String?

    init(_ report: Report, caseID: String) {
        id = report.id
        case_id = caseID
        client_id = report.clientID
        source_key = report.clientScope
        url = report.url.canonical
        original_url = report.url.original
        host = report.url.host
        received_at = StoredDate.text(report.receivedAt)
        source_type = report.source.kind.rawValue
        source_name = report.source.name
        media_type = report.mediaType
        classification = report.classification?.rawValue
        md5 = report.hashes.md5
        sha1 = report.hashes.sha1
        sha256 = report.hashes.sha256
        pdq = report.hashes.pdq
        comment = report.comment
        submitted_by = report.submittedBy
    }

    func report(reporter: String?) -> Report? {
        // The canonical form is a function of the original, so it is recomputed rather than
        // stored twice in pieces.
        guard let canonical = try? URLCanonicalizer.canonicalize(original_url) else { return nil }
        var report = Report(
            id: id, clientID: client_id, url: canonical, receivedAt: StoredDate.date(received_at),
            source: ReportSource(kind: ReportSource.Kind(rawValue: source_type) ?? .public, name: source_name),
            reporter: reporter, mediaType: media_type, hashes: ReportHashes(md5: md5, sha1: sha1, sha256: sha256, pdq: pdq),
            classification: classification.flatMap(Classification.init(rawValue:)), comment: comment)
        report.submittedBy = submitted_by
        report.clientScope = source_key
        return report
    }

    init(row: some SQLRow) throws {
        id = try row.text("id")
        case_id = try row.text("case_id")
        client_id = try row.optionalText("client_id")
        source_key = try row.text("source_key")
        url = try row.text("url")
        original_url = try row.text("original_url")
        host = try row.text("host")
        received_at = try row.text("received_at")
        source_type = try row.text("source_type")
        source_name = try row.optionalText("source_name")
        media_type = try row.optionalText("media_type")
        classification = try row.optionalText("classification")
        md5 = try row.optionalText("md5")
        sha1 = try row.optionalText("sha1")
        sha256 = try row.optionalText("sha256")
        pdq = try row.optionalText("pdq")
        comment = try row.optionalText("comment")
        submitted_by = try row.optionalText("submitted_by")
    }

    static let table = "reports"
    static let insertSQL = insertStatement()
    static let columns = [
        "id", "case_id", "client_id", "source_key", "url", "original_url", "host", "received_at", "source_type", "source_name",
        "media_type", "classification", "md5", "sha1", "sha256", "pdq", "comment", "submitted_by",
    ]
    var values: [SQLValue] {
        [
            .text(id), .text(case_id), .optional(client_id), .text(source_key), .text(url), .text(original_url), .text(host), .text(received_at),
            .text(source_type), .optional(source_name), .optional(media_type), .optional(classification), .optional(md5), .optional(sha1),
            .optional(sha256), .optional(pdq), .optional(comment), .optional(submitted_by),
        ]
    }
}

/// A row of `reporter_contacts`: personal data, kept apart.
struct ReporterContactRow: Codable, FetchableRecord, TableRecord, InsertableRow {
    static let databaseTableName = "reporter_contacts"

    var report_id: String
    var contact: String
    var stored_at: String

    static let table = "reporter_contacts"
    static let insertSQL = insertStatement()
    static let columns = ["report_id", "contact", "stored_at"]
    var values: [SQLValue] { [.text(report_id), .text(contact), .text(stored_at)] }
}
