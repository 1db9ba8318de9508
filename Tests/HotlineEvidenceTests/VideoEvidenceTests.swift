import Foundation
import HotlineCore
import HotlineEvidence
import HotlineHashing
import HotlineNet
import HotlineTesting
import HotlineVideo
import Testing

/// Fetched videos: hashed with vPDQ in memory and matched against listed videos.
@Suite(.serialized, .enabled(if: TestHosterServer.available && FileManager.default.isExecutableFile(atPath: "/usr/bin/ffmpeg")))
struct VideoEvidenceTests {
    let hoster: TestHosterServer
    let collector = EvidenceCollector(
        fetcher: SafeFetcher(resolver: nil, policy: AddressPolicy(allowed: [IPNetwork("127.0.0.0/8")!]), maximumBytes: 8 << 20, timeout: 20),
        policy: EvidencePolicy(enabled: true))

    init() throws { hoster = try TestHosterServer(secret: "unused") }

    @Test func aFetchedVideoMatchesTheListedOneAndAnotherDoesNot() throws {
        let listedBytes = try HTTPClient(timeout: 20).get(hoster.url("/video/listed.mp4?seconds=8"), accept: "*/*").body
        let listed = try VideoHasher.hash(listedBytes)
        #expect(listed.frames.count >= 6)
        let store = InMemoryStore()
        try store.saveList(HashList(name: "videos", source: "test", defaultClassification: .A1))
        _ = try store.importVideos([VideoListEntry(id: listed.id, video: listed)], into: "videos")
        let index = try HashIndex.load(from: store)
        #expect(index.videos.count == 1)

        // The same clip, trimmed to its first six seconds by the hoster.
        let found = collector.gather(try URLCanonicalizer.canonicalize(hoster.url("/video/listed.mp4?seconds=6")))
        #expect(found.status == .ok && found.mediaType == "video/mp4", "\(found)")
        let medium = try #require(found.media.first)
        #expect(medium.video?.frames.count == 6)
        let result = try #require(index.match(observed: found.media))
        #expect(result.kind == .similar && result.list == "videos" && result.classification == .A1)
        var facts = Facts()
        result.apply(to: &facts, source: .observed)
        #expect(facts[.hashVideoMatch] == .bool(true))
        #expect(facts[.hashAlgorithm] == .string("vpdq"))
        #expect(facts[.hashVideoQueryShare] == .number(100))
        // Six of the eight listed seconds are in the fetched clip.
        guard case .number(let targetShare)? = facts[.hashVideoTargetShare] else {
            Issue.record("no hash.video_target_share")
            return
        }
        #expect(targetShare >= 70 && targetShare < 100, "\(targetShare)")

        let other = collector.gather(try URLCanonicalizer.canonicalize(hoster.url("/video/unrelated.mp4")))
        let none = try #require(index.match(observed: other.media))
        #expect(none.kind == .none)
        facts = Facts()
        none.apply(to: &facts, source: .observed)
        #expect(facts[.hashVideoMatch] == .bool(false))
        #expect(facts[.hashAlgorithm] == nil)

        // A retracted video no longer matches.
        #expect(try store.retractVideo(id: listed.id, list: nil, reason: "false positive", at: Date()) == 1)
        #expect(try HashIndex.load(from: store).match(observed: found.media)?.kind == HashMatchResult.Kind.none)
    }

    /// The config's video limits (`fetch.intake.video`) bound what the intake decodes: a
    /// longer video keeps its digests and is not hashed with vPDQ.
    @Test func aVideoBeyondThePolicysLimitsKeepsItsDigestsOnly() throws {
        var policy = EvidencePolicy(enabled: true)
        policy.videoLimits.maximumSeconds = 5
        let bounded = EvidenceCollector(fetcher: collector.fetcher, policy: policy)
        let url = try URLCanonicalizer.canonicalize(hoster.url("/video/listed.mp4?seconds=8"))
        let medium = try #require(bounded.gather(url).media.first)
        #expect(medium.video == nil && medium.sha256.count == 64 && medium.mediaType == "video/mp4")
        #expect(try #require(collector.gather(url).media.first).video?.frames.count == 8)
    }
}
