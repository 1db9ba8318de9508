import Foundation
import Testing

@testable import HotlineCore

@Suite struct ReportSubmissionTests {
    func parse(_ text: String) throws(ReportError) -> ReportSubmission {
        try ReportSubmission.parse(json: Array(text.utf8))
    }

    @Test func readsEveryField() throws {
        let report = try parse(
            """
            {"id": "r-1", "url": "https://Example.com/a", "received_at": "2026-11-30T10:00:00+01:00",
             "source": {"type": "partner", "name": "partner-a"}, "reporter": "someone@example.org",
             "media_type": "image/jpeg", "hashes": {"md5": "D41D8CD98F00B204E9800998ECF8427E", "sha1": "da39a3ee5e6b4b0d3255bfef95601890afd80709"},
             "classification": "A1", "comment": "via mail"}
            """)
        #expect(report.clientID == "r-1")
        #expect(report.url.canonical == "https://example.com/a")
        #expect(report.receivedAt == RFC3339.parse("2026-11-30T09:00:00Z"))
        #expect(report.source == ReportSource(kind: .partner, name: "partner-a"))
        #expect(report.reporter == "someone@example.org")
        #expect(report.hashes.md5 == "d41d8cd98f00b204e9800998ecf8427e")
        #expect(report.hashes.sha1 == "da39a3ee5e6b4b0d3255bfef95601890afd80709")
        #expect(report.classification == .A1)
        #expect(report.comment == "via mail")
    }

    @Test func defaultsSourceToPublicAndKeepsNumericIDsAsText() throws {
        let report = try parse(#"{"url": "https://example.com/", "id": 42}"#)
        #expect(report.source == ReportSource(kind: .public))
        #expect(report.clientID == "42")
        #expect(report.receivedAt == nil)
    }

    @Test(arguments: [
        (#"{"id": "x"}"#, "missing-field", "missing required field \"url\"", "url"),
        (#"{"url": 5}"#, "wrong-type", "field \"url\" must be a string, got number", "url"),
        (
            #"{"url": "mailto:a@example.com"}"#, "invalid-field",
            "field \"url\" has scheme \"mailto\"; only http and https are accepted: \"mailto:a@example.com\"", "url"
        ),
    ])
    func rejectsOnlyWhatMakesTheReportUnusable(input: String, code: String, message: String, field: String) {
        #expect(throws: ReportError(code: code, message: message, field: field)) { try parse(input) }
    }

    /// Issue 18.5: a malformed hint is dropped with a warning naming it; the report is taken.
    @Test(arguments: [
        (#"{"url": "https://example.com/", "colour": "red"}"#, "unknown-field", "unknown field \"colour\" ignored", "colour"),
        (
            #"{"url": "https://example.com/", "source": {"type": "robot"}}"#, "invalid-field",
            "field \"source.type\" has unknown value \"robot\"; expected one of public, member, partner, crawler, provider; public is used", "source.type"
        ),
        (#"{"url": "https://example.com/", "source": {"kind": "public"}}"#, "unknown-field", "unknown field \"source.kind\" ignored", "source.kind"),
        (#"{"url": "https://example.com/", "source": "public"}"#, "wrong-type", "field \"source\" must be an object, got string; ignored", "source"),
        (
            #"{"url": "https://example.com/", "received_at": "yesterday"}"#, "invalid-field",
            "field \"received_at\" is not an RFC 3339 timestamp: \"yesterday\"; the time of receipt is used", "received_at"
        ),
        (
            #"{"url": "https://example.com/", "classification": "C"}"#, "invalid-field",
            "field \"classification\" has unknown value \"C\"; expected one of baseline, A1, A2, B1, B2; ignored", "classification"
        ),
        (
            #"{"url": "https://example.com/", "hashes": {"md5": "abc"}}"#, "invalid-field",
            "field \"hashes.md5\" must be 32 hex digits, got \"abc\"; ignored", "hashes.md5"
        ),
        (#"{"url": "https://example.com/", "hashes": {"crc32": "00000000"}}"#, "unknown-field", "unknown field \"hashes.crc32\" ignored", "hashes.crc32"),
        (#"{"url": "https://example.com/", "id": true}"#, "wrong-type", "field \"id\" must be a string, got boolean; ignored", "id"),
        (
            #"{"url": "https://example.com/", "media_type": "image"}"#, "invalid-field", "field \"media_type\" is not a media type: \"image\"; ignored",
            "media_type"
        ),
        (#"{"url": "https://example.com/", "comment": 5}"#, "wrong-type", "field \"comment\" must be a string, got number; ignored", "comment"),
    ])
    func aMalformedHintIsDroppedWithAWarningAndTheReportKept(input: String, code: String, message: String, field: String) throws {
        let report = try parse(input)
        #expect(report.url.canonical == "https://example.com/")
        #expect(report.warnings == [ReportError(code: code, message: message, field: field)])
    }

    @Test func rejectsNonObjectsAndBadJSON() {
        #expect(throws: ReportError(code: "wrong-type", message: "a report must be a JSON object, got array")) { try parse("[1]") }
        #expect(throws: ReportError(code: "invalid-json", message: "invalid JSON at column 2: unexpected end of input inside an object")) { try parse("{") }
    }
}

@Suite struct JSONLinesReaderTests {
    @Test func splitsAcrossChunksAndNumbersLines() {
        var reader = JSONLinesReader()
        var lines = reader.feed(Array("{\"a\":1}\r\n\n  \n{\"b\"".utf8))
        lines += reader.feed(Array(":2}\n{\"c\":3}".utf8))
        lines += reader.finish()
        #expect(lines.map(\.number) == [1, 4, 5])
        #expect(lines.map { String(decoding: $0.bytes, as: UTF8.self) } == ["{\"a\":1}", "{\"b\":2}", "{\"c\":3}"])
    }

    @Test func reportsOverlongLinesWithoutBufferingThem() {
        var reader = JSONLinesReader(maximumLineLength: 8)
        let lines = reader.feed(Array("0123456789abc\nshort\n".utf8))
        #expect(lines.count == 2)
        #expect(lines[0].isTooLong && lines[0].number == 1)
        #expect(!lines[1].isTooLong && lines[1].number == 2)
    }
}
