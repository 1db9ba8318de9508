import Foundation
import HotlineTesting
import Hummingbird
import HummingbirdTesting
import Testing

/// The API's intake is the fetch service's foreground: its writes wait while a request is being
/// stored, and never longer than they asked.
@Suite struct IntakePrecedenceTests {
    @Test func aBackgroundWriterWaitsWhileARequestIsStoredButNoLongerThanItsLimit() async throws {
        let fixture = try ServerFixture()
        defer { fixture.remove() }
        let intake = fixture.server.intake
        let store = fixture.store
        let gate = DispatchSemaphore(value: 0)
        store.holdWrites = gate
        let app = Application(router: fixture.server.router())
        try await app.test(.router) { client in
            async let posted = client.execute(
                uri: "/v1/reports", method: .post, headers: fixture.headers("reporter"), body: body(#"{"url":"https://example.com/a.jpg"}"#))
            while store.heldWrites == 0 { try await Task.sleep(for: .milliseconds(10)) }
            // Its limit reached, the writer goes on while the request is still stuck.
            intake.waitUntilIdle(atMost: 0.05)
            #expect(store.heldWrites == 1)
            #expect(try store.counts().reports == 0)
            // One with a long limit is woken once the report is stored, not at its limit.
            let started = Date()
            let woken = Locked<Int?>(nil)
            let waiter = Thread {
                intake.waitUntilIdle(atMost: 60)
                woken.set((try? store.counts().reports) ?? -1)
            }
            waiter.start()
            try await Task.sleep(for: .milliseconds(200))
            #expect(woken.value == nil, "it waits while the request is held")
            gate.signal()
            #expect(try await posted.status == .created)
            while woken.value == nil { try await Task.sleep(for: .milliseconds(10)) }
            #expect(woken.value == 1, "woken with the report stored")
            #expect(Date().timeIntervalSince(started) < 30, "woken by the drain, not by its limit")
        }
        // Idle, it does not wait at all: a limit this long would hang the test.
        intake.waitUntilIdle(atMost: 3600)
    }
}
