import Foundation
import Testing

@testable import HotlineCore

@Suite struct NoticeTemplateTests {
    @Test func everyProblemIsReportedWithItsPlace() {
        let text = "Subject: [{{reference}}] {{url}}\n\nDear {{recipient.nam}},\n{{#urls}}\n- {{url}} {{clasification}}\n{{/urls}}\n{{/urls}}\n{{deadline"
        let (template, diagnostics) = NoticeTemplate.parse(text, name: "t", language: "en", file: "en/t.txt")
        #expect(template == nil)
        #expect(
            diagnostics.map(\.description) == [
                "en/t.txt:1:26: error: unknown placeholder \"url\"; it is available inside {{#urls}} … {{/urls}} only [unknown-field]",
                "en/t.txt:3:6: error: unknown placeholder \"recipient.nam\"; did you mean \"recipient.name\"? [unknown-field]",
                "en/t.txt:5:11: error: unknown placeholder \"clasification\"; did you mean \"classification\"? [unknown-field]",
                "en/t.txt:7:1: error: {{/urls}} without {{#urls}} [invalid-value]",
                "en/t.txt:8:1: error: \"{{\" is not closed with \"}}\" [syntax]",
            ])
        #expect(
            NoticeTemplate.parse("Dear all", name: "t", language: "en", file: "t.txt").1.map(\.description) == [
                "t.txt:1:1: error: a template starts with a \"Subject:\" line [missing-key]"
            ])
    }

    @Test func rendersEachURLAndKeepsValuesOnOneLine() throws {
        let template = try #require(
            NoticeTemplate.parse(
                "Subject: [{{reference}}] for {{recipient.name}}\n\nHello,\n{{#urls}}\n{{number}}. {{url}}\n{{/urls}}\nBye", name: "t", language: "en",
                file: "t.txt"
            ).0)
        let values = NoticeTemplate.Values(
            notice: ["reference": "HG-1", "recipient.name": "Evil\r\nBcc: victim@example.test"],
            urls: [["number": "1", "url": "https://a.example/1"], ["number": "2", "url": "https://a.example/2"]])
        #expect(template.renderSubject(values) == "[HG-1] for Evil Bcc: victim@example.test")
        #expect(template.renderBody(values) == "Hello,\n1. https://a.example/1\n2. https://a.example/2\nBye")
    }

    @Test func mimeEncodesHeadersAndBodies() {
        #expect(MIME.encodedWord("Melding") == "Melding")
        #expect(MIME.encodedWord("Meldingsnummer één") == "=?UTF-8?B?TWVsZGluZ3NudW1tZXIgw6nDqW4=?=")
        #expect(MIME.encodedWord("a\r\nBcc: x") == "a Bcc: x")
        #expect(MIME.phrase("Hotline \"NL\"") == "\"Hotline \\\"NL\\\"\"")
        #expect(MIME.quotedPrintable("vóór 12:00 = deadline \nend") == "v=C3=B3=C3=B3r 12:00 =3D deadline=20\r\nend")
        let long = String(repeating: "a", count: 100)
        #expect(MIME.quotedPrintable(long) == String(repeating: "a", count: 75) + "=\r\n" + String(repeating: "a", count: 25))
        #expect(MIME.date(Date(timeIntervalSince1970: 1_798_000_000)) == "Wed, 23 Dec 2026 04:26:40 +0000")
    }

    @Test func retriesBackOffExponentiallyWithBoundedJitter() {
        let policy = RetryPolicy(initialDelay: TimeSpan(seconds: 60), maximumDelay: .hours(6), attempts: 8, jitter: 0.2)
        let delays = (1...10).map { policy.delay(afterFailures: $0, key: "message-1") }
        for (index, delay) in delays.enumerated() {
            let base = min(60 * pow(2, Double(index)), 6 * 3600)
            #expect(delay >= base * 0.8 && delay <= base * 1.2)
        }
        #expect(policy.delay(afterFailures: 3, key: "message-1") == policy.delay(afterFailures: 3, key: "message-1"))
        #expect(Set((0..<20).map { policy.delay(afterFailures: 1, key: "m\($0)") }).count > 10)
    }

    @Test func followUpChecksAtTheListedTimesThenDaily() {
        let policy = FollowUpPolicy()
        let sent = Date(timeIntervalSince1970: 0)
        #expect((0..<5).map { policy.scheduledCheck($0, sentAt: sent).timeIntervalSince1970 / 3600 } == [1, 6, 24, 48, 72])
        #expect(policy.nextCheck(after: sent.addingTimeInterval(7 * 3600), sentAt: sent).timeIntervalSince1970 / 3600 == 24)
    }

    @Test func referencesAreShortAndSortByTime() {
        #expect(Notice.reference(for: "0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b") == "HG-0193A1B2C3D4-4A5B")
    }
}
