import Foundation
import HTTPTypes
import HotlineCore
import HotlineServer
import Hummingbird
import HummingbirdTesting
import Testing

/// `POST /v1/provider/test-notice`: a hoster tests its intake end to end.
@Suite struct TestNoticeTests {
    /// Parses an X-ARF report with PyPI `xarf` (its schema validation; strict mode would also demand the recommended `source_port`, meaningless for a URL); prints its errors.
    static let validator = """
        import json, sys, xarf
        result = xarf.parse(json.load(open(sys.argv[1])))
        print(json.dumps({"errors": [str(e) for e in result.errors], "type": getattr(result.report, "type", None)}))
        """

    @Test func aHosterGetsOneNoticeMarkedTestWithAValidXARFReportAnHour() async throws {
        let fixture = try ServerFixture()
        defer { fixture.remove() }
        let app = Application(router: fixture.server.router())
        try await app.test(.router) { client in
            let reporter = try await client.execute(uri: "/v1/provider/test-notice", method: .post, headers: fixture.headers("reporter"))
            #expect(reporter.status == .forbidden)
            let sent = try await client.execute(uri: "/v1/provider/test-notice", method: .post, headers: fixture.headers("provider"))
            #expect(sent.status == .accepted, "\(sent.text)")
            #expect(sent.json.object?["destinations"] == .array([.string("abuse@hoster-a.test")]))
            let again = try await client.execute(uri: "/v1/provider/test-notice", method: .post, headers: fixture.headers("provider"))
            #expect(again.status == .tooManyRequests)
            #expect(again.headers[.retryAfter] != nil)
            guard case .string(let reference)? = sent.json.object?["reference"] else { return }
            let notice = try #require(try fixture.store.notice(reference))
            #expect(notice.kind == .forward && notice.recipient.contactID == "hoster-a", "never followed up, never in the statistics")
            let message = String(decoding: try #require(try fixture.store.messages(noticeID: notice.id).first).payload, as: UTF8.self)
            #expect(message.contains("Subject: [TEST] [\(reference)] Test notice from Test Hotline: no action needed"))
            #expect(message.contains("THIS IS A TEST."))
            // The X-ARF attachment parses with PyPI xarf without errors and says it is a test.
            let encoded = try #require(
                message.components(separatedBy: "Content-Transfer-Encoding: base64\r\n\r\n").last?.components(separatedBy: "\r\n--").first)
            let report = try #require(Data(base64Encoded: encoded.replacingOccurrences(of: "\r\n", with: "")))
            let object = try #require(try JSONSerialization.jsonObject(with: report) as? [String: Any])
            #expect(object["tags"] as? [String] == ["hotline:test"])
            #expect((object["description"] as? String)?.hasPrefix("TEST notice from Test Hotline") == true)
            #expect((object["url"] as? String)?.hasPrefix("https://hotline.test/test-notice/") == true)
            let file = fixture.directory.appendingPathComponent("xarf.json")
            try report.write(to: file)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", "-c", Self.validator, file.path]
            let pipe = Pipe()
            process.standardOutput = pipe
            try process.run()
            let output = pipe.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            let parsed = try #require(try JSONSerialization.jsonObject(with: output) as? [String: Any], "\(String(decoding: output, as: UTF8.self))")
            #expect(parsed["errors"] as? [String] == [], "\(parsed)")
            #expect(parsed["type"] as? String == "csam")
            #expect(fixture.store.auditLog.contains { $0.event == "notice.test" && $0.subject == reference })
        }
    }
}
