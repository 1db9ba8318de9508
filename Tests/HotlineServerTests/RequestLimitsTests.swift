import Foundation
import HotlineCore
import HotlineServer
import Hummingbird
import HummingbirdTesting
import Testing

/// Every request limit, tried at the limit (accepted) and one past it (refused, word for word).
@Suite struct RequestLimitsTests {
    func report(comment: String = "", index: Int = 0) -> String {
        #"{"id":"limit-\#(index)","url":"https://example.com/limit/\#(index).jpg"\#(comment.isEmpty ? "" : #","comment":"\#(comment)""#)}"#
    }

    @Test func reportBodiesBatchesTextFieldsAndNesting() async throws {
        let fixture = try ServerFixture()
        defer { fixture.remove() }
        let app = Application(router: fixture.server.router())
        try await app.test(.router) { client in
            func post(_ text: String, to path: String = "/v1/reports", role: String = "reporter") async throws -> TestResponse {
                try await client.execute(uri: path, method: .post, headers: fixture.headers(role), body: body(text))
            }
            // Body: 4 MiB.
            let padding = String(repeating: " ", count: (4 << 20) - report().utf8.count)
            #expect(try await post(report() + padding).status == .created)
            let over = try await post(report(index: 1) + padding + " ")
            #expect(
                over.text
                    == #"{"type":"about:blank","title":"Content Too Large","status":413,"detail":"the body is larger than the 4194304 bytes accepted here"}"#)

            // Batch: 1,000 reports.
            let batch = (0..<1000).map { report(index: 2000 + $0) }.joined(separator: ",")
            let full = try await post("{\"reports\":[" + batch + "]}")
            #expect(full.status == .ok && full.json.object?["accepted"] == .number(1000))
            let tooMany = try await post("{\"reports\":[" + batch + "," + report(index: 9999) + "]}")
            #expect(
                tooMany.text
                    == #"{"type":"about:blank","title":"Content Too Large","status":413,"detail":"at most 1000 reports per request, got 1001","field":"reports"}"#
            )

            // Free text: 16,384 bytes.
            #expect(try await post(report(comment: String(repeating: "c", count: 16_384), index: 3)).status == .created)
            // Past it, the comment is dropped with a warning; the report is kept.
            let long = try await post(report(comment: String(repeating: "c", count: 16_385), index: 4))
            #expect(long.status == .created)
            #expect(
                long.text.hasSuffix(#""warnings":[{"code":"too-long","message":"field \"comment\" is longer than 16384 bytes; ignored","field":"comment"}]}"#))

            // URL: 8,192 bytes.
            let path = "https://example.com/" + String(repeating: "p", count: 8192 - 20)
            #expect(try await post(#"{"url":"\#(path)"}"#).status == .created)
            let longURL = try await post(#"{"url":"\#(path)p"}"#)
            #expect(longURL.status == .badRequest && longURL.json.object?["field"] == .string("url"))
            #expect(
                longURL.json.object?["detail"].map {
                    if case .string(let text) = $0 { text.hasPrefix(#"field "url" is longer than 8192 bytes: "https://example.com/ppp"#) } else { false }
                } == true, "\(longURL.text.prefix(200))")

            // JSON nesting: 64 levels.
            let nested = { (depth: Int) in String(repeating: "[", count: depth - 1) + "1" + String(repeating: "]", count: depth - 1) }
            let atDepth = try await post(#"{"url":"https://example.com/n","comment":"x","tags":\#(nested(64))}"#)
            #expect(
                atDepth.status == .created && atDepth.text.contains("unknown field \\\"tags\\\" ignored"),
                "parsed to the end: the unknown field is ignored, not refused for its nesting")
            let deeper = try await post(#"{"url":"https://example.com/n","tags":\#(nested(65))}"#)
            #expect(
                deeper.text
                    == #"{"type":"about:blank","title":"Bad Request","status":400,"detail":"invalid JSON at column 102: nesting deeper than 64 levels"}"#)

            // Small bodies elsewhere: hash checks 4 KiB.
            let hashcheck = #"{"md5":"0123456789abcdef0123456789abcdef"}"#
            #expect(try await post(hashcheck + String(repeating: " ", count: 4096 - hashcheck.utf8.count), to: "/v1/hashcheck", role: "provider").status == .ok)
            let bigCheck = try await post(hashcheck + String(repeating: " ", count: 4097 - hashcheck.utf8.count), to: "/v1/hashcheck", role: "provider")
            #expect(
                bigCheck.text
                    == #"{"type":"about:blank","title":"Content Too Large","status":413,"detail":"the body is larger than the 4096 bytes accepted here"}"#)
        }
    }
}
