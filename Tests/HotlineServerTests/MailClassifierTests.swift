import Foundation
import HotlineCore
import Testing

@testable import HotlineMail

@Suite struct MailClassifierTests {
    func reply(_ body: String, subject: String = "Re: notice") throws -> MailContent {
        let text = "From: abuse@hoster.test\r\nSubject: \(subject)\r\nMessage-ID: <x@hoster.test>\r\nIn-Reply-To: <n1@hotline.test>\r\n\r\n" + body
        return MailClassifier(domain: "hotline.test", trustedSenders: []).classify(try MailMessage.parse(Array(text.utf8)), expectingReplies: true)
    }

    func answer(_ content: MailContent) -> String {
        if case .reply(_, _, let answer, _) = content { return answer?.rawValue ?? "unclear" }
        return "not a reply"
    }

    @Test func repliesInDutchAndEnglishBecomeAnswersAndQuotedTextIsIgnored() throws {
        #expect(answer(try reply("The content has been removed. Thanks.")) == "removed")
        #expect(answer(try reply("Het materiaal is verwijderd.\r\n\r\nOp 1 dec schreef Hotline:\r\n> niet verwijderd")) == "removed")
        #expect(answer(try reply("This is not our customer; try their upstream.")) == "not_ours")
        #expect(answer(try reply("Deze site is geen klant van ons.")) == "not_ours")
        #expect(answer(try reply("We will not remove this: the site is lawful.")) == "rejected")
        #expect(answer(try reply("We will look into it.\r\n> has been removed")) == "unclear")
        #expect(answer(try reply("Not removed yet, sorry.")) == "unclear")
        #expect(answer(try reply("{\"status\":\"not_ours\"}")) == "not_ours")
        guard case .reply(_, let reference, _, _) = try reply("ok", subject: "Re: [HG-0193A1B2C3D4-4A5B] Melding") else {
            Issue.record("not a reply")
            return
        }
        #expect(reference == "HG-0193A1B2C3D4-4A5B")
    }

    @Test func yamlInAMailIsSmallFlatAndWithoutAliases() {
        let bomb = "Source: &s https://example.com/x.jpg\nReported-From: *s\nCategory: abuse\n"
        guard case .failure(let problem) = MailClassifier.xarf02(bomb) else {
            Issue.record("aliases accepted in mail")
            return
        }
        #expect(problem.message == "X-ARF 0.2 part is not YAML: aliases (*name) are not accepted here")
    }
}
