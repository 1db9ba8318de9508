import Foundation
import HotlineCore
import HotlineNet
import HotlineTesting
import Testing

/// Issue 21.1 and 21.2: forwards abroad are followed like notices, observed only, and the
/// monitor keeps seeing what they leave online.
@Suite(.serialized, .enabled(if: TestSMTPServer.available)) struct ForwardFollowUpCLITests {
    /// The loopback hoster as a German network, with the partner hotline for Germany.
    static let contacts = """
        version: 1
        contacts:
          - id: loopback-de
            name: Loopback Hosting GmbH
            asns: [64601]
            prefixes: ["127.0.0.0/8"]
            country: DE
            abuse: [abuse@loopback-de.test]
            language: en
        hotlines:
          - id: partner-de
            name: Partner Hotline DE
            countries: [DE]
            email: reports@partner-de.test
            language: en
        """

    func md5(of hoster: TestHosterServer, _ name: String) throws -> String {
        ContentDigestSet(try HTTPClient(timeout: 3).get(hoster.url("/content/\(name)"), accept: "*/*").body).md5
    }

    func notices(_ gateway: Gateway) throws -> [[String: Any]] { gateway.objects(try gateway.run(["notices", "list"])) }

    @Test func forwardsAreReCheckedTheRemovedOneClosesAndTheStaleOneRemindsThePartnerThenGoesToAnalysts() throws {
        let smtp = try TestSMTPServer()
        let hoster = try TestHosterServer(secret: "unused", removeAfter: 1000)
        let gateway = try Gateway(
            smtpPort: smtp.port, contacts: Self.contacts, knownMD5s: [try md5(of: hoster, "fa"), try md5(of: hoster, "fb")],
            dispatch: "followup: { forward_stale_after: 7d }")
        defer { gateway.remove() }
        let reports =
            [
                #"{"url": "\#(hoster.url("/content/fa"))", "source": {"type": "crawler"}}"#,
                #"{"url": "\#(hoster.url("/content/fb"))", "source": {"type": "crawler"}}"#,
            ].joined(separator: "\n") + "\n"
        let ingest = try gateway.run(["ingest", "--wait", "--at", Gateway.at(0), "-"], stdin: reports)
        #expect(
            gateway.decisions(ingest).map { $0["rule"] as? String } == ["known-material-abroad-with-partner", "known-material-abroad-with-partner"],
            "\(ingest.stdout)\(ingest.stderr)")
        // Forwards go out at once, to the partner for the hosting country.
        let first = try gateway.run(["work", "--at", Gateway.at(0.1)])
        #expect(first.status == 0, "\(first.stderr)")
        let forwards = try notices(gateway)
        #expect(!forwards.isEmpty && forwards.allSatisfy { $0["kind"] as? String == "forward" && $0["target"] as? String == "partner" })
        #expect(forwards.allSatisfy { $0["status"] as? String == "sent" })
        #expect(forwards.allSatisfy { $0["deadline"] == nil }, "a forward has no deadline")
        #expect(smtp.messages().allSatisfy { $0.contains("X-Envelope-To: reports@partner-de.test") })
        let sentToPartner = smtp.messages().count

        // Observe only: the first check finds both online and writes to nobody.
        let check = try gateway.run(["work", "--at", Gateway.at(1.2)])
        #expect(gateway.objects(check).first?["checks"] as? Int == 2, "\(check.stdout)")
        #expect(smtp.messages().count == sentToPartner)

        // The partner has fa taken down; two checks in a row confirm it.
        _ = try HTTPClient(timeout: 3).get(hoster.url("/remove/fa"), accept: "*/*")
        _ = try gateway.run(["work", "--at", Gateway.at(6.2)])
        _ = try gateway.run(["work", "--at", Gateway.at(6.8)])
        _ = try gateway.run(["work", "--at", Gateway.at(24.2)])
        _ = try gateway.run(["work", "--at", Gateway.at(72.2)])
        var states = try notices(gateway)
        let total = states.reduce(0) { $0 + (($1["urls"] as? Int) ?? 0) }
        let online = states.reduce(0) { $0 + (($1["urls_online"] as? Int) ?? 0) }
        #expect(total == 2 && online == 1, "\(states)")
        #expect(smtp.messages().count == sentToPartner, "no deadline, no reminder: nothing more is sent before the stale period")

        // Seven days on, fb is still online: forward.stale, and the rules remind the partner once.
        let stale = try gateway.run(["work", "--at", Gateway.at(168.2)])
        #expect(gateway.objects(stale).first?["stale"] as? Int == 1, "\(stale.stdout)\(stale.stderr)")
        let reminder = try #require(smtp.messages().last)
        #expect(smtp.messages().count == sentToPartner + 1)
        #expect(reminder.contains("X-Envelope-To: reports@partner-de.test"))
        let text = mimeParts(reminder).first?.body ?? ""
        #expect(text.contains("Dear colleagues at Partner Hotline DE"), "\(text)")
        #expect(text.contains(hoster.url("/content/fb")) && !text.contains(hoster.url("/content/fa")), "only what is still online")
        #expect(text.contains("last check: online: HTTP 200"), "\(text)")
        states = try notices(gateway)
        let staleForward = try #require(states.first { ($0["urls_online"] as? Int ?? 0) > 0 })
        #expect(staleForward["reminders"] as? Int == 1)
        #expect(staleForward["escalated_to"] == nil)

        // Another seven days: still online after the reminder, so people decide.
        let again = try gateway.run(["work", "--at", Gateway.at(336.3)])
        #expect(gateway.objects(again).first?["stale"] as? Int == 1)
        let reference = try #require(staleForward["reference"] as? String)
        let shown = try #require(gateway.objects(try gateway.run(["notices", "show", reference])).first)
        #expect(shown["escalated_to"] as? String == "analysts")
        let events = (shown["events"] as? [[String: Any]] ?? []).compactMap { $0["event"] as? String }
        #expect(events.filter { $0 == "forward.stale" }.count == 2, "\(events)")
        #expect(smtp.messages().count == sentToPartner + 1, "one reminder, then people")

        // The statistics follow the forwards: per partner, hosting country and AS, and what is online.
        let at = Gateway.at(336.4)
        let stats = try gateway.run(["stats", "hosters", "--format", "json", "--since", "30d", "--at", at])
        let figures = try #require(try JSONSerialization.jsonObject(with: Data(stats.stdout.utf8)) as? [String: Any])
        let forwardFigures = try #require(figures["forwards"] as? [String: Any])
        let partner = try #require((forwardFigures["partners"] as? [[String: Any]])?.first)
        #expect(partner["key"] as? String == "Partner Hotline DE")
        #expect(partner["urls"] as? Int == 2 && partner["removed"] as? Int == 1 && partner["online_now"] as? Int == 1)
        #expect((forwardFigures["countries"] as? [[String: Any]])?.first?["key"] as? String == "DE")
        #expect((forwardFigures["networks"] as? [[String: Any]])?.count == 1)
        #expect((figures["total"] as? [String: Any])?["urls"] as? Int == 0, "no notice went to a hoster")
        let onlineNow = try gateway.run(["stats", "online", "--format", "json", "--at", at])
        let now = try #require(try JSONSerialization.jsonObject(with: Data(onlineNow.stdout.utf8)) as? [String: Any])
        let all = try #require(now["total"] as? [String: Any])
        #expect(all["urls"] as? Int == 1 && all["forwards"] as? Int == 1 && all["over_7d"] as? Int == 1, "\(onlineNow.stdout)")
        #expect((now["countries"] as? [[String: Any]])?.first?["key"] as? String == "DE")
        let survival = try gateway.run(["stats", "survival", "--format", "json", "--since", "30d", "--at", at])
        let curves = try #require((try JSONSerialization.jsonObject(with: Data(survival.stdout.utf8)) as? [String: Any])?["curves"] as? [[String: Any]])
        let forwardCurve = try #require(curves.first { $0["dimension"] as? String == "channel" && $0["key"] as? String == "forward" })
        #expect(forwardCurve["urls"] as? Int == 2 && forwardCurve["removed"] as? Int == 1 && forwardCurve["censored"] as? Int == 1)
        // Half removed (6.1 hours after the forward, at the first check that found it gone): the median is reached, the 90th percentile is not.
        let median = try #require((forwardCurve["median"] as? [String: Any])?["hours"] as? Double)
        #expect(median > 6.0 && median < 6.2, "\(forwardCurve)")
        #expect((forwardCurve["p90"] as? [String: Any])?["hours"] is NSNull)
    }

    /// Issue 21.5: drafting the public list tells each listed hoster, through the outbox.
    @Test func aHosterOnTheDraftListIsToldWhyAndUntilWhenItMayRespond() throws {
        let smtp = try TestSMTPServer()
        let hoster = try TestHosterServer(secret: "unused", removeAfter: 1000)
        let contacts = """
            version: 1
            contacts:
              - id: loopback-hosting
                name: Loopback Hosting B.V.
                prefixes: ["127.0.0.0/8"]
                country: NL
                abuse: [abuse@loopback-hosting.test]
                language: en
                ntd_member: true
            """
        let gateway = try Gateway(
            smtpPort: smtp.port, contacts: contacts, knownMD5s: [try md5(of: hoster, "slow")], extra: "monitor: { min_notices: 1, review_window: 7d }")
        defer { gateway.remove() }
        let report = #"{"url": "\#(hoster.url("/content/slow"))", "source": {"type": "crawler"}}"# + "\n"
        _ = try gateway.run(["ingest", "--wait", "--at", Gateway.at(0), "-"], stdin: report)
        _ = try gateway.run(["work", "--at", Gateway.at(1.01)])
        #expect(smtp.messages().count == 1)
        let site = gateway.directory.appendingPathComponent("site").path
        let drafted = try gateway.run(["stats", "publish", "--since", "30d", "--out", site, "--at", Gateway.at(30)])
        #expect(drafted.status == 0, "\(drafted.stderr)")
        #expect(drafted.stdout.contains(#""listed":["loopback-hosting"]"#), "\(drafted.stdout)")
        #expect(drafted.stderr.contains("1 listed hoster(s) will be told by the next hotline work"))
        _ = try gateway.run(["work", "--at", Gateway.at(30.1)])
        let told = try #require(smtp.messages().first { $0.contains("comply-or-explain") }, "\(smtp.messages().count) messages")
        #expect(told.contains("X-Envelope-To: abuse@loopback-hosting.test"))
        let text = mimeParts(told).first?.body ?? told
        #expect(text.contains("listed on the draft of edition 1"), "\(text)")
        #expect(text.contains("0% removed within 24 hours (threshold 90%)"))
        #expect(text.contains("you may respond until \(Gateway.at(30 + 7 * 24))"))
        #expect(!text.contains(hoster.url("/content/slow")), "the message names no URL")
        // Running it again while in review tells nobody twice.
        let again = try gateway.run(["stats", "publish", "--since", "30d", "--out", site, "--at", Gateway.at(31)])
        #expect(again.stdout.hasPrefix(#"{"step":"in-review""#) && !again.stderr.contains("will be told"))
    }
}
