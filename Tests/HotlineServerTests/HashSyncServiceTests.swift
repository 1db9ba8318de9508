import Foundation
import HotlineApp
import HotlineConfig
import HotlineCore
import HotlineHashing
import HotlineNet
import HotlineServer
import HotlineTesting
import Logging
import ServiceLifecycle
import Testing

/// `hashes.sync` as `hotline serve` runs it: on its schedule, audited, the index in force
/// following the list, and ending with the group, not before.
@Suite(.serialized) struct HashSyncServiceTests {
    static let logger = Logger(label: "test.hash-sync")

    func runtime(_ store: InMemoryStore) throws -> GatewayRuntime {
        try GatewayAssembly(config: .defaults, overrides: GatewayOverrides(offline: true)).runtime(store: store)
    }

    /// Polls `condition` for up to `seconds`.
    func eventually(_ seconds: Double, _ condition: () throws -> Bool) async throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try condition() { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return try condition()
    }

    /// Runs `group` around `body` and shuts it down however `body` ends, so that a failed
    /// expectation never leaves a service syncing in the background of later tests.
    func running(_ group: ServiceGroup, _ body: () async throws -> Void) async throws {
        let task = Task { try await group.run() }
        do {
            try await body()
        } catch {
            await group.triggerGracefulShutdown()
            _ = try? await task.value
            throw error
        }
        await group.triggerGracefulShutdown()
        try await task.value
    }

    /// Generous: the whole suite on 2 cores can hold up a task for tens of seconds.
    static let patience = 300.0

    /// The service with one NCMEC source on `server`, due every second, polled every 100 ms.
    func group(_ server: TestNCMECServer, password: String, runtime: GatewayRuntime) -> ServiceGroup {
        let settings = HashSyncSettings(name: "ncmec", url: server.baseURL, user: "hotline", password: .value(password), every: TimeSpan(seconds: 1))
        let source = NCMECHashSource(baseURL: server.baseURL, user: "hotline", password: password, timeout: 10)
        let service = HashSyncService(
            runtime: runtime, syncers: [(settings, HashSyncer(name: "ncmec", list: "ncmec", source: source, feedback: false))],
            interval: .milliseconds(100), logger: Self.logger)
        return ServiceGroup(services: [service], logger: Self.logger)
    }

    func md5(_ name: String) -> String { String(ContentDigests(of: Array(name.utf8)).sha256.prefix(32)) }

    @Test func syncsOnItsScheduleAuditsAndTheIndexFollows() async throws {
        let server = try TestNCMECServer(pageSize: 2)
        let store = InMemoryStore()
        let runtime = try runtime(store)
        let group = group(server, password: server.password, runtime: runtime)

        func indexed(_ name: String) -> Bool { !runtime.parts.hashIndex.matches(.md5, md5(name)).isEmpty }
        func syncs() -> [AuditEntry] { store.auditLog.filter { $0.event == "hashes.sync" } }

        try await running(group) {
            // The first run makes the list, imports it, and the index in force has it.
            #expect(try await eventually(Self.patience) { indexed("e1") && indexed("e2") })
            let first = try #require(syncs().first)
            #expect(first.subject == "ncmec")
            #expect(first.detail["entries"] == .number(5))
            // Polled every 100 ms but due once a second: at most a run per second, not one per poll.
            let started = Date()
            let before = syncs().count
            try await Task.sleep(for: .milliseconds(1500))
            #expect(syncs().count - before <= Int(Date().timeIntervalSince(started)) + 1)

            // The next generation deletes e2: on the next due run it leaves the index.
            try server.advance()
            #expect(try await eventually(Self.patience) { !indexed("e2") })
            #expect(indexed("e1"))
            #expect(syncs().contains { $0.detail["deleted"] == .number(2) })
        }
    }

    @Test func aFailingSourceIsLoggedAndTriedAgainNotFatal() async throws {
        let server = try TestNCMECServer(pageSize: 2)
        let store = InMemoryStore()
        let group = group(server, password: "wrong", runtime: try runtime(store))
        try await running(group) {
            // The server counts refused credentials: the service keeps trying (and keeps running).
            #expect(try await eventually(Self.patience) { try server.state()["bad_auth"].map { $0 != .number(0) && $0 != .number(1) } ?? false })
            var entries = 0
            try store.forEachActiveEntry { _ in entries += 1 }
            #expect(entries == 0)
        }
    }

    @Test func withNothingToSyncItWaitsForTheShutdown() async throws {
        let store = InMemoryStore()
        let service = HashSyncService(runtime: try runtime(store), syncers: [], interval: .milliseconds(10), logger: Self.logger)
        let group = ServiceGroup(services: [service], logger: Self.logger)
        let finished = Locked(false)
        let running = Task {
            try await group.run()
            finished.set(true)
        }
        // A service that returns ends the group, and with it `hotline serve`.
        try await Task.sleep(for: .milliseconds(300))
        #expect(!finished.value)
        await group.triggerGracefulShutdown()
        try await running.value
        #expect(finished.value)
    }
}
