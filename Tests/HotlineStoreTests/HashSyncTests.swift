import Foundation
import HotlineCore
import HotlineHashing
import HotlineNet
import HotlineTesting
import Testing

@testable import HotlineStore

/// Hash-list sync against the loopback NCMEC stand-in, on every backend; python-threatexchange's
/// own NCMEC client reads the same server and must see the same entries and deletions.
@Suite(.serialized) struct HashSyncTests {
    static var pytxAvailable: Bool { TestTools.pythonImports("threatexchange.exchanges.clients.ncmec.hash_api") }

    static var required: Bool { TestTools.required }

    func active(_ store: some HashListStore) throws -> Set<String> {
        var found = Set<String>()
        try store.forEachActiveEntry { if $0.list == "ncmec" { found.insert("\($0.algorithm.rawValue) \($0.value) \($0.classification.rawValue)") } }
        return found
    }

    /// Every entry and tombstone our client reads in the window, page by page.
    func readAll(_ source: NCMECHashSource, from: Date, to: Date) throws -> [HashSyncEntry] {
        var entries: [HashSyncEntry] = []
        var next: String?
        repeat {
            let page = try source.entries(from: from, to: to, next: next)
            entries += page.entries
            next = page.next
        } while next != nil
        return entries
    }

    @Test(arguments: Backend.available) func incrementalSyncWithDeletionsUpdatesAndVotes(_ backend: Backend) throws {
        try backend.run(sync, sync)
    }

    func sync<S: SQLStore & GatewayStorage>(_ open: () throws -> S) throws {
        let server = try TestNCMECServer(pageSize: 2)
        let store = try open()
        try store.saveList(HashList(name: "ncmec", source: "NCMEC", defaultClassification: .unclassified))
        let source = NCMECHashSource(baseURL: server.baseURL, user: "hotline", password: server.password, timeout: 10)
        let syncer = HashSyncer(name: "ncmec", list: "ncmec", source: source, feedback: true)
        func hex(_ name: String, _ length: Int) -> String {
            String(ContentDigests(of: Array(name.utf8)).sha256.prefix(length))
        }

        let first = try syncer.run(lists: store, owner: "a")
        // Five entries over three pages of two; e7's only fingerprint is malformed, e3's TMK+PDQF unsupported.
        #expect(first.pages == 3 && first.entries == 5 && first.deleted == 0)
        #expect(first.imported.added == 6 && first.external == 1 && first.unsupported == 2)
        #expect(
            try active(store) == [
                "md5 \(hex("e1", 32)) A1", "sha1 \(hex("e1s", 40)) A1", "pdq \(hex("e1p", 64)) A1", "md5 \(hex("e2", 32)) B1", "md5 \(hex("e3", 32)) A2",
                "md5 \(hex("shared", 32)) unclassified",
            ])
        #expect(try store.externalHashCounts()["ncmec/photodna"] == 1)

        // On a schedule, a source synced a moment ago (by any instance) waits for its turn.
        #expect(try syncer.run(lists: store, owner: "b", every: 3600).notDue)
        // Nothing new: one empty page, nothing imported.
        let quiet = try syncer.run(lists: store, owner: "a")
        #expect(quiet.entries == 0 && quiet.imported == HashImportCounts())

        try server.advance()
        // A local false positive and an analyst's confirmation, to be voted on.
        try store.allow(.md5, hex("e1", 32), reason: "logo", at: Date())
        try store.saveList(HashList(name: "assessed", source: "analysts", defaultClassification: .A1))
        _ = try store.importEntries([HashListEntry(algorithm: .md5, value: hex("shared", 32))], into: "assessed")
        let second = try syncer.run(lists: store, owner: "a")
        #expect(second.entries == 4 && second.deleted == 2)
        // e2's MD5 and e1's old PDQ are gone; the shared MD5 stays, e5 lists it now.
        #expect(second.retracted == 2)
        let now = try active(store)
        #expect(!now.contains("md5 \(hex("e2", 32)) B1") && !now.contains("pdq \(hex("e1p", 64)) A1"))
        #expect(now.contains("pdq \(hex("e1p2", 64)) A1") && now.contains("md5 \(hex("shared", 32)) A2"))
        #expect(second.downvotes == 1 && second.upvotes == 1)
        let votes = try #require(server.state()["votes"]?.arrayValue).compactMap { $0.objectValue }
        #expect(
            Set(votes.map { "\($0["member"]!.stringValue!)/\($0["id"]!.stringValue!) \($0["type"]!.stringValue!) \($0["vote"]!.stringValue!)" }) == [
                "42/e1 MD5 downvote", "44/e5 MD5 upvote",
            ])
        // Each vote goes once.
        let third = try syncer.run(lists: store, owner: "a")
        #expect(third.upvotes == 0 && third.downvotes == 0)
        #expect(try server.state()["votes"]?.arrayValue?.count == 2)

        // Another instance waits while one holds the lease.
        _ = try #require(try store.claimSync(source: "ncmec", owner: "b", seconds: 60, now: Date()))
        #expect(try syncer.run(lists: store, owner: "a").busy)
        try store.releaseSync(source: "ncmec", owner: "b")

        // Wrong credentials: a clear error, nothing changes.
        let wrong = HashSyncer(
            name: "ncmec", list: "ncmec", source: NCMECHashSource(baseURL: server.baseURL, user: "hotline", password: "wrong", timeout: 10), feedback: false)
        #expect(throws: HashSyncError.self) { try wrong.run(lists: store, owner: "a") }
    }

    @Test(.enabled(if: pytxAvailable || required, "python-threatexchange is not installed (make test installs it)"))
    func pythonThreatExchangeReadsTheSameEntriesAndDeletions() throws {
        try #require(Self.pytxAvailable, "CI must have python3 -m pip install threatexchange")
        let server = try TestNCMECServer(pageSize: 2)
        try server.advance()
        let source = NCMECHashSource(baseURL: server.baseURL, user: "hotline", password: server.password, timeout: 10)
        let to = Date().addingTimeInterval(5)
        let ours = try readAll(source, from: Date(timeIntervalSince1970: 0), to: to)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", TestNCMECServer.pytxReader, server.baseURL, server.password, "0", String(Int(to.timeIntervalSince1970))]
        var environment = ProcessInfo.processInfo.environment
        environment["TZ"] = "UTC"
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0)
        let theirs = try #require(try JSONValue.parse(data).arrayValue).map { value -> String in
            let object = value.objectValue!
            var fingerprints: [String] = []
            for member in object["fingerprints"]!.objectValue!.members { fingerprints.append("\(member.key)=\(member.value.stringValue!)") }
            let classification = object["classification"]?.stringValue ?? "-"
            guard case .number(let member) = object["member"]!, case .bool(let deleted) = object["deleted"]! else { return "" }
            return "\(Int(member))/\(object["id"]!.stringValue!) \(object["kind"]!.stringValue!) \(deleted) \(classification) \(fingerprints.sorted())"
        }
        let mine = ours.map { entry in
            "\(entry.key) \(entry.kind.rawValue) \(entry.deleted) \(entry.classification ?? "-") \(entry.fingerprints.map { "\($0.key)=\($0.value)" }.sorted())"
        }
        #expect(mine.count == 9)
        #expect(mine.filter { $0.contains(" true ") }.count == 2)
        #expect(mine.sorted() == theirs.sorted())
    }
}
