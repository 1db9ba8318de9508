import Foundation
import HotlineConfig
import HotlineCore
import HotlineEvidence
import HotlineHashing
import HotlineNet
import HotlineTesting
import Testing

/// The collector against the loopback hoster, which serves generated images and pages.
@Suite(.serialized, .enabled(if: TestHosterServer.available)) struct EvidenceCollectorTests {
    let hoster: TestHosterServer
    let loopback = AddressPolicy(allowed: [IPNetwork("127.0.0.0/8")!])

    init() throws { hoster = try TestHosterServer(secret: "unused") }

    func collector(policy: AddressPolicy? = nil, maximumBytes: Int = 8 << 20, timeout: TimeInterval = 5, mediaPerPage: Int = 50) -> EvidenceCollector {
        EvidenceCollector(
            fetcher: SafeFetcher(resolver: nil, policy: policy ?? loopback, maximumBytes: maximumBytes, timeout: timeout),
            policy: EvidencePolicy(enabled: true, mediaPerPage: mediaPerPage))
    }

    func url(_ path: String) throws -> CanonicalURL { try URLCanonicalizer.canonicalize(hoster.url(path)) }

    func bytes(_ path: String) throws -> [UInt8] { try HTTPClient(timeout: 5).get(hoster.url(path), accept: "*/*").body }

    @Test func aPageIsReadForEveryMediumItShowsAndEachIsHashedInMemory() throws {
        let found = collector().gather(try url("/page/p1?images=a,b,c,d"))
        #expect(found.status == .ok && found.httpStatus == 200 && found.mediaType == "text/html", "\(found)")
        let byURL = Dictionary(found.media.map { ($0.url, $0) }, uniquingKeysWith: { first, _ in first })
        // Relative (../image/a.jpg), absolute, srcset, picture/source, video poster, og:image, CSS backgrounds.
        #expect(
            Set(byURL.keys) == Set([hoster.url("/page/p1?images=a,b,c,d")] + ["a.jpg", "a.png", "b.png", "c.gif", "d.webp"].map { hoster.url("/image/\($0)") }))
        #expect(found.mediaFound == 5)
        for name in ["a.jpg", "a.png", "b.png", "c.gif", "d.webp"] {
            let medium = try #require(byURL[hoster.url("/image/\(name)")])
            let served = try bytes("/image/\(name)")
            #expect(medium.md5 == ContentDigests(of: served).md5, "\(name)")
            #expect(medium.sha256 == ContentDigests(of: served).sha256, "\(name)")
            #expect(medium.bytes == served.count)
            #expect(medium.pdq != nil && (medium.quality ?? 0) > 0, "\(name): PDQ for every image format")
        }
        var facts = Facts()
        found.apply(to: &facts)
        #expect(facts[.fetchMediaHashed] == .number(5))
        #expect(facts[.fetchBytes] == .number(Double(found.media.map(\.bytes).reduce(0, +))))
    }

    /// Knows one MD5.
    struct OneListedMD5: HashMatching {
        let md5: String
        func match(_ hashes: ReportHashes) -> HashMatchResult? { nil }
        func match(observed media: [ObservedMedia]) -> HashMatchResult? {
            media.contains { $0.md5 == md5 } ? HashMatchResult(kind: .known, list: "police") : HashMatchResult(kind: .none)
        }
    }

    @Test func onlyMediaTheListsDoNotKnowGoToTheExternalMatcherAsBytesInMemory() throws {
        let listed = ContentDigests(of: try bytes("/image/a.jpg")).md5
        let matchBytes = try bytes("/image/b.png")
        let matcher = FakeExternalMatcher(name: "photodna") { $0 == matchBytes ? .match(classification: "A1", score: nil, source: "Test") : .noMatch }
        let collector = EvidenceCollector(
            fetcher: SafeFetcher(resolver: nil, policy: loopback, maximumBytes: 8 << 20, timeout: 5), policy: EvidencePolicy(enabled: true),
            matcher: matcher, lists: OneListedMD5(md5: listed))
        let found = collector.gather(try url("/page/p2?images=a,b"))
        let byURL = Dictionary(found.media.map { ($0.url, $0) }, uniquingKeysWith: { first, _ in first })
        // The page is no image, and a.jpg is listed already: neither goes out.
        #expect(byURL[hoster.url("/page/p2?images=a,b")]?.external == nil)
        #expect(byURL[hoster.url("/image/a.jpg")]?.external == nil)
        #expect(byURL[hoster.url("/image/b.png")]?.external?.answer == .match(classification: "A1", score: nil, source: "Test"))
        #expect(byURL[hoster.url("/image/b.png")]?.external?.matcher == "photodna")
        #expect(matcher.askedSizes.contains(matchBytes.count) && !matcher.askedSizes.isEmpty)
        #expect(matcher.askedSizes.count == found.media.filter { ($0.mediaType ?? "").hasPrefix("image/") && $0.md5 != listed }.count)
    }

    @Test func anImageURLIsHashedAsItIsAndItsPDQIsCloseToTheFullSizeDecode() throws {
        let found = collector().gather(try url("/image/photo.jpg?w=1600&h=1200"))
        #expect(found.status == .ok && found.media.count == 1 && found.mediaFound == 0)
        let medium = try #require(found.media.first)
        #expect(medium.mediaType == "image/jpeg")
        let full = PDQ.hash(try ImageDecoder.decode(try bytes("/image/photo.jpg?w=1600&h=1200")))
        #expect(try #require(medium.pdq).distance(to: full.hash) <= 10)
    }

    @Test func aRedirectToAPrivateAddressIsRefused() throws {
        let found = collector().gather(try url("/redirect?to=http://169.254.169.254/latest/meta-data/"))
        #expect(found.status == .refused)
        #expect(found.detail == "refused: 169.254.169.254 is in special-purpose network 169.254.0.0/16")
        #expect(found.media.isEmpty)
    }

    @Test func numericHostFormsAreTheAddressesTheyNameAndRefused() throws {
        let strict = collector(policy: AddressPolicy())
        for host in ["2130706433", "0x7f000001", "0177.0.0.1", "127.1", "0x7f.1"] {
            let found = strict.gather(try URLCanonicalizer.canonicalize("http://\(host):\(hoster.port)/image/a.jpg"))
            #expect(found.status == .refused, "\(host)")
            #expect(found.detail == "refused: 127.0.0.1 is in special-purpose network 127.0.0.0/8", "\(host)")
        }
        #expect(strict.gather(try URLCanonicalizer.canonicalize("http://0/")).detail == "refused: 0.0.0.0 is in special-purpose network 0.0.0.0/8")
        #expect(throws: HotlineCore.URLError.self) { try URLCanonicalizer.canonicalize("http://4294967296/") }
        #expect(throws: HotlineCore.URLError.self) { try URLCanonicalizer.canonicalize("http://1.2.3.4.5/") }
        #expect(throws: HotlineCore.URLError.self) { try URLCanonicalizer.canonicalize("http://1.256.0.1/") }
        #expect(try URLCanonicalizer.canonicalize("http://0x7f000001/a").canonical == "http://127.0.0.1/a")
        #expect(try URLCanonicalizer.canonicalize("http://example.1a/").host == "example.1a", "a name whose last label is no number stays a name")
    }

    @Test(.enabled(if: TestDNSServer.available)) func numericHostFormsAreNeverAskedOfDNS() throws {
        // This DNS server answers for "2130706433" and "0x7f000001" (127.0.0.2): were they
        // names, the fetcher would see 127.0.0.2; it reads them as the address 127.0.0.1.
        let dns = try TestDNSServer()
        let fetcher = SafeFetcher(resolver: DNSClient(servers: [dns.server], timeout: 1, attempts: 1), policy: AddressPolicy(), timeout: 3)
        for host in ["2130706433", "0x7f000001"] {
            guard case .refused(let why) = fetcher.get("http://\(host):\(hoster.port)/image/a.jpg") else {
                Issue.record("\(host) was not refused")
                continue
            }
            #expect(why == "refused: 127.0.0.1 is in special-purpose network 127.0.0.0/8")
        }
    }

    @Test(.enabled(if: TestHosterServer.ipv6Available)) func anIPv6LiteralIsPinnedAndCheckedLikeAnyAddress() throws {
        let six = try TestHosterServer(secret: "unused", address: "::1")
        // Refused unless allowed, like any special-purpose address.
        let refused = collector().gather(try URLCanonicalizer.canonicalize(six.url("/image/v6.png")))
        #expect(refused.status == .refused && refused.detail == "refused: ::1 is in special-purpose network ::1/128", "\(refused)")
        // Allowed, it is fetched through the pin (it used to fail with "Malformed option").
        let allowed = collector(policy: AddressPolicy(allowed: [IPNetwork("::1/128")!])).gather(try URLCanonicalizer.canonicalize(six.url("/image/v6.png")))
        #expect(allowed.status == .ok && allowed.media.first?.pdq != nil, "\(allowed)")
    }

    @Test func aPageWithTenThousandImagesIsCappedAtTheMediaLimit() throws {
        let found = collector(mediaPerPage: 5).gather(try url("/links/10000"))
        #expect(found.status == .ok)
        #expect(found.mediaFound == 10_000)
        #expect(found.media.count == 6, "the page and five media")
        #expect(found.detail == "10000 media on the page, the first 5 fetched")
    }

    @Test func slowOversizedMislabelledAndBrokenBodies() throws {
        let slow = collector(timeout: 1).gather(try url("/slow/s.jpg"))
        #expect(slow.status == .failed && slow.detail.hasPrefix("Timeout was reached"), "\(slow)")

        let big = collector(maximumBytes: 1 << 20).gather(try url("/big"))
        #expect(big.status == .ok && big.media.isEmpty && big.detail == "larger than 1048576 bytes: not hashed", "\(big)")

        let mislabelled = collector().gather(try url("/mislabelled/m.jpg"))
        #expect(mislabelled.mediaType == "image/jpeg", "what the bytes are, not what the header says")
        #expect(mislabelled.media.first?.pdq != nil)

        let broken = collector().gather(try url("/broken.jpg"))
        #expect(broken.status == .ok && broken.media.count == 1)
        #expect(broken.media.first?.md5 == ContentDigests(of: try bytes("/broken.jpg")).md5)
        #expect(broken.media.first?.pdq == nil, "a truncated JPEG gets digests, not a PDQ")

        let gone = collector().gather(try url("/gone/x"))
        #expect(gone.status == .gone && gone.httpStatus == 404)
    }
}
