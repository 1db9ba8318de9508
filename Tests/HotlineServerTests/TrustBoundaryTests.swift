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

    @Test func dashboardSessionsAreRandomRevocableAndSignInIsGuardedAndLimited() async throws {
        let fixture = try ServerFixture()
        defer { fixture.remove() }
        let tests = MonitorServerTests()
        let app = Application(router: fixture.server.router())
        try await app.test(.router) { client in
            // A cross-site post is refused, whatever it carries.
            let crossSite = try await tests.signIn(client, token: fixture.tokens["analyst"]!, origin: "https://evil.example")
            #expect(crossSite.response.status == .forbidden)
            #expect(crossSite.session == nil)
            // Without the form's own CSRF value, too.
            var bare = HTTPFields()
            bare[.contentType] = "application/x-www-form-urlencoded"
            let forged = try await client.execute(
                uri: "/dashboard/login", method: .post, headers: bare, body: body("csrf=x&token=\(fixture.tokens["analyst"]!)"))
            #expect(forged.status == .forbidden)
            // Framing is refused on every dashboard page.
            let form = try await client.execute(uri: "/dashboard/login", method: .get)
            #expect(form.headers[.contentSecurityPolicy]?.hasSuffix("frame-ancestors 'none'") == true)
            #expect(form.headers[HTTPField.Name("X-Frame-Options")!] == "DENY")
            // Signed in: the session works until signed out, and the token itself is no cookie.
            let signed = try await tests.signIn(client, token: fixture.tokens["analyst"]!)
            let session = try #require(signed.session)
            var cookie = HTTPFields()
            cookie[.cookie] = "hg_session=\(session)"
            let page = try await client.execute(uri: "/dashboard", method: .get, headers: cookie)
            #expect(page.status == .ok)
            var tokenAsCookie = HTTPFields()
            tokenAsCookie[.cookie] = "hg_session=\(fixture.tokens["analyst"]!)"
            #expect(try await client.execute(uri: "/dashboard", method: .get, headers: tokenAsCookie).status == .seeOther)
            let csrf = try #require(page.text.firstRange(of: #"name="csrf" value=""#).map { String(page.text[$0.upperBound...].prefix { $0 != "\"" }) })
            var logout = cookie
            logout[.contentType] = "application/x-www-form-urlencoded"
            #expect(try await client.execute(uri: "/dashboard/logout", method: .post, headers: logout, body: body("csrf=wrong")).status == .forbidden)
            let out = try await client.execute(uri: "/dashboard/logout", method: .post, headers: logout, body: body("csrf=\(csrf)"))
            #expect(out.status == .seeOther)
            #expect(try await client.execute(uri: "/dashboard", method: .get, headers: cookie).status == .seeOther, "ended by sign-out")
            // Revoking the token ends its sessions.
            let again = try #require(try await tests.signIn(client, token: fixture.tokens["analyst"]!).session)
            _ = try fixture.store.revokeToken(id: "t-analyst", at: Date(), actor: "test")
            var revoked = HTTPFields()
            revoked[.cookie] = "hg_session=\(again)"
            #expect(try await client.execute(uri: "/dashboard", method: .get, headers: revoked).status == .seeOther)
            // Ten failed sign-ins, then 429: the form is limited like tokens are.
            var statuses: [HTTPResponse.Status] = []
            for _ in 0..<11 { statuses.append(try await tests.signIn(client, token: "hg_wrong").response.status) }
            #expect(statuses.prefix(10).allSatisfy { $0 == .unauthorized })
            #expect(statuses.last == .tooManyRequests)
        }
    }

    @Test func aValidTokenIsNeverRefusedForOthersGuessesAndOnlyATrustedProxyNamesTheClient() async throws {
        let fixture = try ServerFixture(extra: "  trusted_proxies: [127.0.0.1]")
        defer { fixture.remove() }
        // Live, over loopback: the peer address is the proxy's, 127.0.0.1.
        let app = Application(router: fixture.server.router(), configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in
            func queue(_ token: String, forwardedFor: String?) async throws -> HTTPResponse.Status {
                var headers = HTTPFields()
                headers[.authorization] = "Bearer \(token)"
                if let forwardedFor { headers[HTTPField.Name("X-Forwarded-For")!] = forwardedFor }
                return try await client.execute(uri: "/v1/queue", method: .get, headers: headers).status
            }
            // One client behind the proxy guesses; another's valid token is served throughout.
            var guesses: [HTTPResponse.Status] = []
            for _ in 0..<12 { guesses.append(try await queue("hg_guess", forwardedFor: "198.51.100.7")) }
            #expect(guesses.last == .tooManyRequests)
            #expect(try await queue(fixture.tokens["analyst"]!, forwardedFor: "198.51.100.7") == .ok, "a valid token from the guessing client itself")
            #expect(try await queue("hg_guess2", forwardedFor: "203.0.113.9") == .unauthorized, "another client behind the proxy has its own count")
            // Scheme in lower case (RFC 9110).
            var lower = HTTPFields()
            lower[.authorization] = "bearer \(fixture.tokens["analyst"]!)"
            #expect(try await client.execute(uri: "/v1/queue", method: .get, headers: lower).status == .ok)
        }
    }

    @Test func aRefusedRuleFileIsNotReloadedAgainUntilItChanges() throws {
        let rules = "version: 1\nrules:\n  - name: all\n    when: report.host exists\n    then: [{ close: test }]\ndefault: [{ escalate: { reason: none } }]\n"
        let fixture = try ServerFixture(rules: rules)
        defer { fixture.remove() }
        let file = fixture.directory.appendingPathComponent("rules/rules.yaml")
        try rules.replacingOccurrences(of: "report.host", with: "report.hots").write(to: file, atomically: true, encoding: .utf8)
        #expect(fixture.runtime.filesChanged)
        #expect(fixture.runtime.reload(actor: "test").digest == nil)
        // It was reloaded, audited and logged every 2 s forever.
        #expect(!fixture.runtime.filesChanged, "the refused file is remembered")
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(5)], ofItemAtPath: file.path)
        #expect(fixture.runtime.filesChanged, "and tried again once it changes")
    }

    @Test func fullWidthDigitsAreNoHexAndReadinessTellsNoInternals() async throws {
        let fixture = try ServerFixture()
        defer { fixture.remove() }
        let app = Application(router: fixture.server.router())
        try await app.test(.router) { client in
            // "０" (U+FF10) is a hex digit to Character.isHexDigit.
            let fullWidth = String(repeating: "\u{FF10}", count: 32)
            let check = try await client.execute(
                uri: "/v1/hashcheck", method: .post, headers: fixture.headers("provider"), body: body(#"{"md5":"\#(fullWidth)"}"#))
            #expect(check.status == .badRequest)
            #expect(check.json.object?["detail"] == .string("\"md5\" must be 32 hex digits"))
            fixture.store.failReads = StoreFailure.busy
            let ready = try await client.execute(uri: "/readyz", method: .get)
            #expect(ready.status == .serviceUnavailable)
            #expect(ready.text == #"{"status":"not ready","error":"the store does not answer; see the gateway's log"}"#)
        }
    }
}
