import Foundation
import HTTPTypes
import HotlineApp
import HotlineCore
import HotlineServer
import HotlineTesting
import Hummingbird
import HummingbirdTesting
import Testing

/// Hosters keep their own contact details; operators approve; unconfirmed ones are reminded.
@Suite struct ContactChangeTests {
    @Test func aHostersChangeWaitsForApprovalThenOverridesTheDirectoryAndUnconfirmedContactsAreReminded() async throws {
        let fixture = try ServerFixture()
        defer { fixture.remove() }
        let app = Application(router: fixture.server.router())
        try await app.test(.router) { client in
            var put = fixture.headers("provider")
            let shown = try await client.execute(uri: "/v1/provider/contact", method: .get, headers: put)
            #expect(shown.json.object?["abuse"] == .array([.string("abuse@hoster-a.test")]), "\(shown.text)")
            put[.contentType] = "application/json"
            let foreign = try await client.execute(uri: "/v1/provider/contact", method: .put, headers: put, body: body(#"{"abuse": ["noc@elsewhere.test"]}"#))
            #expect(foreign.status == .unprocessableContent, "not its own domain: \(foreign.text)")
            let privateHook = try await client.execute(
                uri: "/v1/provider/contact", method: .put, headers: put, body: body(#"{"abuse": ["noc@hoster-a.test"], "webhook": "https://10.0.0.8/hook"}"#))
            #expect(privateHook.status == .unprocessableContent)
            let plainHook = try await client.execute(
                uri: "/v1/provider/contact", method: .put, headers: put,
                body: body(#"{"abuse": ["noc@hoster-a.test"], "webhook": "http://hooks.hoster-a.test/"}"#))
            #expect(plainHook.status == .unprocessableContent)
            let asked = try await client.execute(
                uri: "/v1/provider/contact", method: .put, headers: put,
                body: body(#"{"abuse": ["noc@hoster-a.test", "abuse@noc.hoster-a.test"], "language": "nl"}"#))
            #expect(asked.status == .accepted, "\(asked.text)")
            guard case .string(let id)? = asked.json.object?["id"] else { return }
            // Nothing changes before an operator approves.
            #expect(fixture.runtime.parts.resolver.directory.contact(id: "hoster-a")?.abuse == ["abuse@hoster-a.test"])
            let byProvider = try await client.execute(
                uri: "/v1/admin/contact-changes/\(id)/approve", method: .post, headers: fixture.headers("provider"), body: body("{}"))
            #expect(byProvider.status == .forbidden)
            let approved = try await client.execute(
                uri: "/v1/admin/contact-changes/\(id)/approve", method: .post, headers: fixture.headers("admin"), body: body(#"{"reason": "checked by phone"}"#)
            )
            #expect(approved.status == .ok, "\(approved.text)")
            let contact = fixture.runtime.parts.resolver.directory.contact(id: "hoster-a")
            #expect(contact?.abuse == ["noc@hoster-a.test", "abuse@noc.hoster-a.test"] && contact?.language == "nl")
            let again = try await client.execute(
                uri: "/v1/admin/contact-changes/\(id)/reject", method: .post, headers: fixture.headers("admin"), body: body(#"{"reason": "x"}"#))
            #expect(again.status == .conflict)
            let events = fixture.store.auditLog.filter { $0.subject == id }.map(\.event)
            #expect(events == ["contact.change_requested", "contact.change_approved"])

            // Ninety days without a confirmation: one reminder, to the new addresses, in Dutch.
            let time = fixture.runtime.time as! ManualTimeSource
            let reminders = ContactReminders(assembly: fixture.runtime.assembly)
            #expect(try reminders.run(store: fixture.store, parts: fixture.runtime.parts) == 0, "approved just now counts as confirmed")
            time.advance(by: 91 * 86_400)
            #expect(try reminders.run(store: fixture.store, parts: fixture.runtime.parts) >= 1)
            #expect(try reminders.run(store: fixture.store, parts: fixture.runtime.parts) == 0, "once")
            let reminder = try #require(try fixture.store.notices(contactID: "hoster-a", limit: 10).first)
            let message = String(decoding: try #require(try fixture.store.messages(noticeID: reminder.id).first).payload, as: UTF8.self)
            #expect(message.contains("To: noc@hoster-a.test, abuse@noc.hoster-a.test"))
            #expect(message.contains("Bevestig uw abuse-contactgegevens"))
            let confirmed = try await client.execute(uri: "/v1/provider/contact/confirm", method: .post, headers: fixture.headers("provider"))
            #expect(confirmed.status == .ok)
            time.advance(by: 89 * 86_400)
            #expect(try reminders.run(store: fixture.store, parts: fixture.runtime.parts) == 0)
        }
    }
}
