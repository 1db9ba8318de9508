import Foundation
import HTTPTypes
import HotlineCore
import HotlineServer
import HotlineTesting
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// Issue 17's findings against the API, each tried as the attacker did.
@Suite struct TrustBoundaryTests {
    @Test func aReporterCannotReadAnotherReportersReport() async throws {
        let fixture = try ServerFixture()
        defer { fixture.remove() }
        let app = Application(router: fixture.server.router())
        try await app.test(.router) { client in
            let posted = try await client.execute(
                uri: "/v1/reports", method: .post, headers: fixture.headers("reporter"), body: body(#"{"id":"a-1","url":"https://example.com/a.jpg"}"#))
            let id = try #require(posted.json.object?["report_id"]?.stringValue, Comment(rawValue: posted.text))
            let own = try await client.execute(uri: "/v1/reports/\(id)", method: .get, headers: fixture.headers("reporter"))
            #expect(own.status == .ok)
            // Another reporter gets what a report that does not exist gets: nothing to tell them apart.
            let other = try await client.execute(uri: "/v1/reports/\(id)", method: .get, headers: fixture.headers("other-reporter"))
            #expect(other.status == .notFound)
            #expect(other.text == #"{"type":"about:blank","title":"Not Found","status":404,"detail":"no report \"\#(id)\""}"#)
            #expect(!other.text.contains("example.com"))
            // Tokens of one organisation share its reports; analysts see every report.
            let member = try await client.execute(
                uri: "/v1/reports", method: .post, headers: fixture.headers("member-reporter"), body: body(#"{"url":"https://example.com/m.jpg"}"#))
            let memberID = try #require(member.json.object?["report_id"]?.stringValue)
            #expect(try await client.execute(uri: "/v1/reports/\(memberID)", method: .get, headers: fixture.headers("member2-reporter")).status == .ok)
            #expect(try await client.execute(uri: "/v1/reports/\(memberID)", method: .get, headers: fixture.headers("reporter")).status == .notFound)
            #expect(try await client.execute(uri: "/v1/reports/\(id)", method: .get, headers: fixture.headers("analyst")).status == .ok)
        }
    }

    @Test func clientIDsAreScopedToTheSubmittersOrganisationNotToTheSourceNameInTheBody() async throws {
        let fixture = try ServerFixture()
        defer { fixture.remove() }
        let app = Application(router: fixture.server.router())
        try await app.test(.router) { client in
            let victim = #"{"id":"next-7","url":"https://example.com/listed.jpg","source":{"type":"member","name":"Member Hotline"}}"#
            // The attacker registers the victim's next id, under the victim's source name, first.
            let squat = try await client.execute(
                uri: "/v1/reports", method: .post, headers: fixture.headers("other-reporter"),
                body: body(#"{"id":"next-7","url":"https://example.com/innocent.jpg","source":{"type":"member","name":"Member Hotline"}}"#))
            #expect(squat.status == .created)
            let squatID = try #require(squat.json.object?["report_id"]?.stringValue)
            // The victim's real report is stored as a new report, not answered "existing".
            let real = try await client.execute(uri: "/v1/reports", method: .post, headers: fixture.headers("member-reporter"), body: body(victim))
            #expect(real.status == .created, Comment(rawValue: real.text))
            #expect(real.json.object?["existing"] == nil)
            let realID = try #require(real.json.object?["report_id"]?.stringValue)
            #expect(realID != squatID)
            // Replaying the victim's id from outside its organisation gets the attacker nothing of the victim's.
            let replay = try await client.execute(uri: "/v1/reports", method: .post, headers: fixture.headers("other-reporter"), body: body(victim))
            #expect(replay.json.object?["report_id"]?.stringValue == squatID)
            // Within the organisation, another token's retry is the same report.
            let retry = try await client.execute(uri: "/v1/reports", method: .post, headers: fixture.headers("member2-reporter"), body: body(victim))
            #expect(retry.status == .ok)
            #expect(retry.json.object?["report_id"]?.stringValue == realID)
            #expect(retry.json.object?["existing"] == .bool(true))
        }
        let stored = try fixture.store.report(id: try #require(fixture.store.allDecisions.last?.reportID))
        #expect(stored?.submittedBy == "token:t-member-reporter")
        #expect(stored?.clientScope == "org:member-hotline")
        #expect(try fixture.store.counts().reports == 2)
    }
}
