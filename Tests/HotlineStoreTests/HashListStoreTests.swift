import Foundation
import HotlineCore
import Testing

@testable import HotlineStore

/// Hash lists on every backend.
@Suite struct HashListStoreTests {
    func active(_ store: some HashListStore) throws -> [String] {
        var found: [String] = []
        try store.forEachActiveEntry { found.append("\($0.list) \($0.algorithm.rawValue) \($0.value) \($0.classification.rawValue)") }
        return found.sorted()
    }

    @Test(arguments: Backend.available) func reimportIsIdempotentAndUpdatesClassifications(_ backend: Backend) throws {
        try backend.run(reimport, reimport)
    }

    func reimport<S: SQLStore & GatewayStorage>(_ open: () throws -> S) throws {
        let store = try open()
        try store.saveList(HashList(name: "police", source: "police.csv", defaultClassification: .A1))
        let entries = [
            HashListEntry(algorithm: .md5, value: "0123456789abcdef0123456789abcdef"),
            HashListEntry(algorithm: .sha1, value: "a9993e364706816aba3e25717850c26c9cd0d89d", classification: .baseline),
        ]
        #expect(try store.importEntries(entries, into: "police") == HashImportCounts(added: 2))
        #expect(try store.importEntries(entries, into: "police") == HashImportCounts(unchanged: 2))
        var changed = entries
        changed[1].classification = .B2
        #expect(try store.importEntries(changed, into: "police") == HashImportCounts(updated: 1, unchanged: 1))
        #expect(
            try active(store) == [
                "police md5 0123456789abcdef0123456789abcdef A1",
                "police sha1 a9993e364706816aba3e25717850c26c9cd0d89d B2",
            ])
        #expect(throws: (any Error).self) { try store.importEntries(entries, into: "nope") }
    }

    @Test(arguments: Backend.available) func retractionsStickThroughReimportsAndDisabledListsAreNotActive(_ backend: Backend) throws {
        try backend.run(retractions, retractions)
    }

    func retractions<S: SQLStore & GatewayStorage>(_ open: () throws -> S) throws {
        let store = try open()
        try store.saveList(HashList(name: "a", source: "s", defaultClassification: .baseline))
        try store.saveList(HashList(name: "b", source: "s", defaultClassification: .A2))
        let entry = HashListEntry(algorithm: .md5, value: "0123456789abcdef0123456789abcdef")
        _ = try store.importEntries([entry], into: "a")
        _ = try store.importEntries([entry], into: "b")
        #expect(try store.retract(.md5, entry.value, list: "a", reason: "false positive: logo", at: Date()) == 1)
        #expect(try store.retract(.md5, entry.value, list: "a", reason: "again", at: Date()) == 0)
        _ = try store.importEntries([entry], into: "a")
        #expect(try active(store) == ["b md5 0123456789abcdef0123456789abcdef A2"])
        #expect(try store.setEnabled(false, list: "b"))
        #expect(try !store.setEnabled(false, list: "missing"))
        #expect(try active(store).isEmpty)
        let (lists, allowed) = try store.hashListStatistics()
        #expect(lists.map { "\($0.list.name) \($0.list.enabled) \($0.entries[.md5] ?? 0) \($0.retracted)" } == ["a true 0 1", "b false 1 0"])
        #expect(allowed == 0)
    }

    @Test(arguments: Backend.available) func allowListIsStoredOncePerHash(_ backend: Backend) throws {
        try backend.run(allowList, allowList)
    }

    func allowList<S: SQLStore & GatewayStorage>(_ open: () throws -> S) throws {
        let store = try open()
        try store.allow(.pdq, String(repeating: "ab", count: 32), reason: "logo", at: Date())
        try store.allow(.pdq, String(repeating: "ab", count: 32), reason: "logo, confirmed", at: Date())
        #expect(try store.allowedHashes().map { "\($0.algorithm.rawValue) \($0.value)" } == ["pdq " + String(repeating: "ab", count: 32)])
    }

    @Test(arguments: Backend.available) func largeImportsGoInChunksAndCountEachEntryOnce(_ backend: Backend) throws {
        try backend.run(largeImport, largeImport)
    }

    func largeImport<S: SQLStore & GatewayStorage>(_ open: () throws -> S) throws {
        let store = try open()
        try store.saveList(HashList(name: "big", source: "s", defaultClassification: .A1))
        var entries = (0..<2500).map { HashListEntry(algorithm: .md5, value: String(format: "%032x", $0)) }
        entries.append(HashListEntry(algorithm: .md5, value: String(format: "%032x", 7), classification: .B2))
        #expect(try store.importEntries(entries, into: "big") == HashImportCounts(added: 2500, unchanged: 1))
        #expect(try active(store).count == 2500)
        #expect(try active(store).contains("big md5 \(String(format: "%032x", 7)) B2"), "the last of an entry listed twice wins")
        entries[1].classification = .baseline
        #expect(try store.importEntries(entries, into: "big") == HashImportCounts(updated: 1, unchanged: 2500))
    }
}

/// Issue 17.11: a date past what RFC 3339 writes is stored as the latest it can, not as 1970.
@Suite struct StoredDateTests {
    @Test func datesPastYear9999AreHeldAtItsEnd() {
        let far = Date(timeIntervalSince1970: 1e13)
        let stored = StoredDate.date(StoredDate.text(far))
        #expect(stored > Date(timeIntervalSince1970: 253_402_300_000))
        #expect(StoredDate.text(far) == "9999-12-31T23:59:59.999Z")
    }

    @Test(arguments: Backend.available) func listedVideosImportRetractAndCount(_ backend: Backend) throws {
        try backend.run(videos, videos)
    }

    func videos<S: SQLStore & GatewayStorage>(_ open: () throws -> S) throws {
        let store = try open()
        try store.saveList(HashList(name: "clips", source: "partner", defaultClassification: .A2))
        try store.saveList(HashList(name: "other", source: "partner", defaultClassification: .B1))
        let frames = (0..<3).map { VideoFrameHash(frame: $0 * 30, pdq: PDQHash(parts: (UInt64($0), 1, 2, 3)), quality: 90, timestamp: Double($0)) }
        let entry = VideoListEntry(id: String(repeating: "ab", count: 32), video: VideoHash(frames: frames))
        #expect(try store.importVideos([entry, entry], into: "clips") == HashImportCounts(added: 1))
        #expect(try store.importVideos([entry], into: "clips") == HashImportCounts(unchanged: 1))
        var changed = entry
        changed.classification = .A1
        #expect(try store.importVideos([changed], into: "clips") == HashImportCounts(updated: 1))
        _ = try store.importVideos([entry], into: "other")
        var active: [ActiveVideoEntry] = []
        try store.forEachActiveVideo { active.append($0) }
        #expect(active.map { "\($0.list) \($0.classification.rawValue)" } == ["clips A1", "other B1"])
        // Timestamps to the millisecond and the frames themselves come back as stored.
        #expect(active[0].video.frames.map(\.pdq) == frames.map(\.pdq))
        #expect(active[0].video.frames.map(\.timestamp) == [0, 1, 2])
        #expect(try store.retractVideo(id: entry.id, list: "clips", reason: "false positive", at: Date()) == 1)
        _ = try store.importVideos([entry], into: "clips")
        active = []
        try store.forEachActiveVideo { active.append($0) }
        #expect(active.map(\.list) == ["other"])
        #expect(try store.hashListStatistics().lists.map(\.videos) == [0, 1])
        #expect(throws: (any Error).self) { try store.importVideos([entry], into: "nope") }
    }
}
