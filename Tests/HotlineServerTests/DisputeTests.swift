import Foundation
import HTTPTypes
import HotlineCore
import HotlineServer
import Hummingbird
import HummingbirdTesting
import Testing

/// Hosters contest a false match: the dispute goes to the analysts, and accepted, the hash
/// goes on the allow-list with the lists that held it named.
@Suite struct DisputeTests {
    static let listed = "0123456789abcdef0123456789abcdef"

    @Test func aHosterDisputesAMatchAndAnAnalystAcceptsItOntoTheAllowList() async throws {
        let fixture = try ServerFixture()
        defer { fixture.remove() }
        let app = Application(router: fixture.server.router())
        try await app.test(.router) { client in
            let dispute =
                #"{"hash": {"algorithm": "md5", "value": "\#(Self.listed)"}, "reason": "our own logo", "evidence": "the file is our company logo, served since 2019"}"#
            // Only providers file disputes; a hash no list holds cannot be disputed.
            let analyst = try await client.execute(uri: "/v1/provider/disputes", method: .post, headers: fixture.headers("analyst"), body: body(dispute))
            #expect(analyst.status == .forbidden)
            let unlisted = try await client.execute(
                uri: "/v1/provider/disputes", method: .post, headers: fixture.headers("provider"),
                body: body(#"{"hash": {"algorithm": "md5", "value": "\#(String(repeating: "9", count: 32))"}, "reason": "x"}"#))
            #expect(unlisted.status == .unprocessableContent, "\(unlisted.text)")
            let filed = try await client.execute(uri: "/v1/provider/disputes", method: .post, headers: fixture.headers("provider"), body: body(dispute))
            #expect(filed.status == .created, "\(filed.text)")
            guard case .string(let id)? = filed.json.object?["id"] else { return }
            #expect(filed.json.object?["status"] == .string("open"))
            #expect(filed.json.object?["lists"] == .array([.string("police")]))

            // The analysts see it in the queue; the other hoster does not see it at all.
            let queue = try await client.execute(uri: "/v1/queue", method: .get, headers: fixture.headers("analyst"))
            #expect(queue.text.contains(#""kind":"dispute""#) && queue.text.contains(id), "\(queue.text)")
            let mine = try await client.execute(uri: "/v1/provider/disputes", method: .get, headers: fixture.headers("provider"))
            #expect(mine.text.contains(id))
            let theirs = try await client.execute(uri: "/v1/provider/disputes", method: .get, headers: fixture.headers("other-provider"))
            #expect(!theirs.text.contains(id))
            let byProvider = try await client.execute(
                uri: "/v1/disputes/\(id)/accept", method: .post, headers: fixture.headers("provider"), body: body(#"{"reason": "x"}"#))
            #expect(byProvider.status == .forbidden, "a hoster cannot accept its own dispute")
            let noReason = try await client.execute(uri: "/v1/disputes/\(id)/accept", method: .post, headers: fixture.headers("analyst"), body: body("{}"))
            #expect(noReason.status == .badRequest)

            #expect(fixture.runtime.parts.hashIndex.matches(.md5, Self.listed).map(\.list) == ["police"])
            let accepted = try await client.execute(
                uri: "/v1/disputes/\(id)/accept", method: .post, headers: fixture.headers("analyst"), body: body(#"{"reason": "checked: the hoster's logo"}"#))
            #expect(accepted.status == .ok, "\(accepted.text)")
            #expect(accepted.json.object?["status"] == .string("accepted"))
            #expect(fixture.runtime.parts.hashIndex.matches(.md5, Self.listed).isEmpty, "allow-listed: no longer a match")
            let allowed = try fixture.store.allowedHashes()
            #expect(allowed.map(\.value) == [Self.listed])
            let again = try await client.execute(
                uri: "/v1/disputes/\(id)/reject", method: .post, headers: fixture.headers("analyst"), body: body(#"{"reason": "x"}"#))
            #expect(again.status == .conflict)
            let status = try await client.execute(uri: "/v1/provider/disputes", method: .get, headers: fixture.headers("provider"))
            #expect(status.text.contains(#""status":"accepted""#))
            let events = fixture.store.auditLog.filter { $0.subject == id }.map(\.event)
            #expect(events == ["dispute.filed", "dispute.accepted"])
            let entry = try #require(fixture.store.auditLog.last { $0.event == "dispute.accepted" })
            #expect(entry.detail["lists"] == .array([.string("police")]))
        }
    }

    @Test func anAnalystRejectsANoticeDisputeOnTheWorkbench() async throws {
        let fixture = try ServerFixture()
        defer { fixture.remove() }
        try seedNotices(fixture.store, now: fixture.runtime.time.now())
        let app = Application(router: fixture.server.router())
        try await app.test(.router) { client in
            let notice = try #require(try fixture.store.notices(status: nil, limit: 100).first { $0.recipient.contactID == "hoster-a" })
            let unlisted = try await client.execute(
                uri: "/v1/provider/disputes", method: .post, headers: fixture.headers("provider"),
                body: body(#"{"notice": "\#(notice.reference)", "reason": "x"}"#))
            #expect(unlisted.status == .unprocessableContent || unlisted.status == .created, "\(unlisted.text)")
            let foreign = try await client.execute(
                uri: "/v1/provider/disputes", method: .post, headers: fixture.headers("other-provider"),
                body: body(#"{"notice": "\#(notice.reference)", "reason": "x"}"#))
            #expect(foreign.status == .notFound, "another hoster's notice")
            let filed = try await client.execute(
                uri: "/v1/provider/disputes", method: .post, headers: fixture.headers("provider"),
                body: body(#"{"hash": {"algorithm": "md5", "value": "\#(Self.listed)"}, "reason": "not ours"}"#))
            guard case .string(let id)? = filed.json.object?["id"] else { return }
            let session = try #require(try await MonitorServerTests().signIn(client, token: fixture.tokens["analyst"]!).session)
            var headers = HTTPFields()
            headers[.cookie] = "hg_session=\(session)"
            let page = try await client.execute(uri: "/dashboard/disputes", method: .get, headers: headers)
            #expect(page.text.contains("not ours") && page.text.contains(Self.listed))
            let csrf = try #require(page.text.firstRange(of: #"name="csrf" value=""#).map { String(page.text[$0.upperBound...].prefix { $0 != "\"" }) })
            headers[.contentType] = "application/x-www-form-urlencoded"
            let rejected = try await client.execute(
                uri: "/dashboard/disputes/\(id)/reject", method: .post, headers: headers, body: body("csrf=\(csrf)&reason=the+match+is+right"))
            #expect(rejected.status == .seeOther && rejected.headers[.location] == "/dashboard/disputes?done=disputerejected")
            #expect(try fixture.store.dispute(id: id)?.status == .rejected)
            #expect(try fixture.store.allowedHashes().isEmpty)
            #expect(fixture.runtime.parts.hashIndex.matches(.md5, Self.listed).map(\.list) == ["police"], "the match stands")
        }
    }
}
