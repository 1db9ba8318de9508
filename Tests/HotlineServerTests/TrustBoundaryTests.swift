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

    @Test func negativeAndNonNumericLimitsAreHeldToTheirRange() async throws {
        let fixture = try ServerFixture()
        defer { fixture.remove() }
        let app = Application(router: fixture.server.router())
        try await app.test(.router) { client in
            for index in 0..<3 {
                _ = try await client.execute(
                    uri: "/v1/reports", method: .post, headers: fixture.headers("reporter"), body: body(#"{"url":"https://example.com/q\#(index).jpg"}"#))
            }
            // It trapped ("Can't take a prefix of negative length") and took intake, dispatch and mail down.
            let negative = try await client.execute(uri: "/v1/queue?limit=-1", method: .get, headers: fixture.headers("analyst"))
            #expect(negative.status == .ok)
            guard case .array(let items)? = negative.json.object?["items"] else {
                Issue.record(Comment(rawValue: negative.text))
                return
            }
            #expect(items.count == 1, "-1 is held to the least, 1")
            let huge = try await client.execute(uri: "/v1/queue?limit=99999999999", method: .get, headers: fixture.headers("analyst"))
            #expect(huge.status == .ok)
            let text = try await client.execute(uri: "/v1/queue?limit=ten", method: .get, headers: fixture.headers("analyst"))
            #expect(text.status == .badRequest)
            #expect(
                text.text
                    == #"{"type":"about:blank","title":"Bad Request","status":400,"detail":"query parameter \"limit\" must be a whole number, got \"ten\"","field":"limit"}"#
            )
            // "No limit" for providers, before.
            let provider = try await client.execute(uri: "/v1/provider/notices?limit=-1", method: .get, headers: fixture.headers("provider"))
            #expect(provider.status == .ok)
        }
        #expect(try fixture.store.notices(status: nil, limit: -1).isEmpty)
    }

    @Test func intakeRefusesReportsPastItsQueueWhileTheStoreIsStuck() async throws {
        let fixture = try ServerFixture(intakeQueue: 2)
        defer { fixture.remove() }
        let gate = DispatchSemaphore(value: 0)
        fixture.store.holdWrites = gate
        let app = Application(router: fixture.server.router())
        try await app.test(.router) { client in
            func post(_ name: String) async throws -> TestResponse {
                try await client.execute(
                    uri: "/v1/reports", method: .post, headers: fixture.headers("reporter"), body: body(#"{"url":"https://example.com/\#(name).jpg"}"#))
            }
            // One batch in the stuck store, two waiting behind it: the queue is full.
            async let first = post("a")
            while fixture.store.heldWrites == 0 { try await Task.sleep(for: .milliseconds(10)) }
            async let second = post("b")
            async let third = post("c")
            while fixture.server.intake.waiting < 2 { try await Task.sleep(for: .milliseconds(10)) }
            let refused = try await post("d")
            #expect(refused.status == .serviceUnavailable)
            #expect(refused.headers[.retryAfter] == "1")
            #expect(
                refused.text
                    == #"{"type":"about:blank","title":"Service Unavailable","status":503,"detail":"intake has 2 reports waiting: nothing from this request was stored; send it again shortly"}"#
            )
            gate.signal()
            let answered = try await [first, second, third].map(\.status)
            #expect(answered == [.created, .created, .created])
        }
        #expect(try fixture.store.counts().reports == 3)
    }
}
