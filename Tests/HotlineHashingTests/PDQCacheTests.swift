import Foundation
import HotlineCore
import Testing

@testable import HotlineHashing

@Suite struct PDQCacheTests {
    @Test func aFileSeenBeforeIsNotDecodedAgainAndGivesTheSameHash() throws {
        let jpeg = try #require(ImageEncoder.jpeg(GeneratedImages.rectangles(width: 640, height: 480, seed: 11), quality: 90))
        let cache = PDQCache()
        let uncached = MediaHasher.observe(jpeg, url: "https://example.com/a.jpg", declaredType: nil)
        let first = MediaHasher.observe(jpeg, url: "https://example.com/a.jpg", declaredType: nil, cache: cache)
        let second = MediaHasher.observe(jpeg, url: "https://mirror.example.net/b.jpg", declaredType: nil, cache: cache)
        #expect(cache.counts == (hits: 1, misses: 1))
        #expect(first.pdq != nil && first.pdq == uncached.pdq && second.pdq == first.pdq && second.quality == first.quality)
        // The rest is observed afresh: where it was, its digests.
        #expect(second.url == "https://mirror.example.net/b.jpg" && second.sha256 == first.sha256)
        // Another file (one byte more after the image) is a miss, even with the same pixels.
        _ = MediaHasher.observe(jpeg + [0], url: "https://example.com/c.jpg", declaredType: nil, cache: cache)
        #expect(cache.counts == (hits: 1, misses: 2))
    }

    @Test func whatDoesNotDecodeIsRememberedAsSuchAndMemoryIsBounded() {
        let cache = PDQCache(capacity: 2)
        // A JPEG signature and nothing after it: not decodable, and remembered as "no PDQ".
        let broken: [UInt8] = [0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10]
        #expect(MediaHasher.observe(broken, url: "https://example.com/x.jpg", declaredType: nil, cache: cache).pdq == nil)
        #expect(MediaHasher.observe(broken, url: "https://example.com/x.jpg", declaredType: nil, cache: cache).pdq == nil)
        #expect(cache.counts.hits == 1)
        for index in 0..<10 { cache.store(PDQCache.Entry(pdq: nil, quality: nil), sha256: "k\(index)") }
        // Two generations of two: the last four survive at most, the oldest are gone.
        #expect(cache.entry(sha256: "k9") != nil && cache.entry(sha256: "k8") != nil)
        #expect(cache.entry(sha256: "k0") == nil)
    }
}
