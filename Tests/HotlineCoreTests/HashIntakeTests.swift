import Foundation
import HotlineTesting
import Testing

@testable import HotlineCore

/// A matcher that knows one MD5.
struct OneKnownMD5: HashMatching {
    func match(_ hashes: ReportHashes) -> HashMatchResult? {
        if hashes.isEmpty { return nil }
        if hashes.md5 == "0123456789abcdef0123456789abcdef" {
            return HashMatchResult(kind: .known, list: "police", classification: .baseline, algorithm: .md5, distance: 0)
        }
        return HashMatchResult(kind: .none)
    }

    func match(observed media: [ObservedMedia]) -> HashMatchResult? {
        if media.isEmpty { return nil }
        for medium in media where medium.md5 == "0123456789abcdef0123456789abcdef" {
            return HashMatchResult(kind: .known, list: "police", classification: .baseline, algorithm: .md5, distance: 0, quality: medium.quality)
        }
        return HashMatchResult(kind: .none)
    }
}

@Suite struct HashIntakeTests {
    let store = InMemoryStore()

    func pipeline(trusted: Bool = false) throws -> IngestPipeline<InMemoryStore> {
        let engine = try #require(
            TestRules.engine(
                file: "h.yaml",
                [TestRules.duplicatesClose, ("known", #"hash.match == "known" and hash.classification == "baseline""#, [.close(reason: "known")])]))
        return IngestPipeline(
            store: store, engine: engine, hashMatcher: OneKnownMD5(), time: ManualTimeSource(), ids: SequentialIDGenerator(),
            claimsAreEvidence: trusted)
    }

    func line(_ number: Int, _ text: String) -> IngestInput { IngestInput(IngestLine(number: number, bytes: ArraySlice(Array(text.utf8)))) }

    @Test func aTrustedSubmittersHashesReachTheRulesAsReportedEvidence() throws {
        let results = try pipeline(trusted: true).ingest([
            line(1, #"{"url": "https://example.com/a", "hashes": {"md5": "0123456789ABCDEF0123456789ABCDEF"}}"#),
            line(2, #"{"url": "https://example.com/b", "hashes": {"md5": "99999999999999999999999999999999"}}"#),
            line(3, #"{"url": "https://example.com/c"}"#),
        ])
        guard case .decided(_, _, let known, _) = results[0].outcome, case .decided(_, _, let unknown, _) = results[1].outcome else {
            Issue.record("\(results)")
            return
        }
        #expect(known.rule == "known")
        #expect(unknown.rule == "default")
        let facts = store.allDecisions.map { $0.facts }
        #expect(facts[0][.hashList] == .string("police"))
        #expect(facts[0][.hashDistance] == .number(0))
        #expect(facts[0][.hashSource] == .string("reported"))
        #expect(facts[1][.hashMatch] == .string("none"))
        #expect(facts[2][.hashMatch] == nil)
    }

    @Test func anyoneElsesHashesAreClaimsKeptApartFromWhatDecides() throws {
        let results = try pipeline().ingest([
            line(1, #"{"url": "https://example.com/a", "hashes": {"md5": "0123456789ABCDEF0123456789ABCDEF"}}"#),
            line(2, #"{"url": "https://example.com/b", "hashes": {"md5": "99999999999999999999999999999999"}}"#),
        ])
        #expect(results.map { if case .decided(_, _, let decision, _) = $0.outcome { decision.rule } else { "" } } == ["default", "default"])
        let facts = store.allDecisions.map { $0.facts }
        #expect(facts.map { $0[.hashMatch] } == [nil, nil])
        #expect(facts.map { $0[.reportHashesMatch] } == [.string("known"), .string("none")])
        #expect(facts[0][.reportHashesList] == .string("police"))
        #expect(facts.map { $0[.fetchStatus] } == [.string("skipped"), .string("skipped")])
    }

    @Test func theSameContentUnderAnotherURLJoinsTheOpenCase() throws {
        // Only hashes that count as evidence join cases: a stranger's claim could otherwise
        // pull any URL into someone else's case.
        let results = try pipeline(trusted: true).ingest([
            line(1, #"{"url": "https://example.com/a", "hashes": {"sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"}}"#),
            line(2, #"{"url": "https://mirror.example.net/z", "hashes": {"sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"}}"#),
            line(3, #"{"url": "https://mirror.example.net/z"}"#),
        ])
        let cases = results.compactMap { result -> String? in
            if case .decided(_, let caseID, _, _) = result.outcome { return caseID } else { return nil }
        }
        #expect(Set(cases).count == 1)
        #expect(store.urls(ofCase: cases[0]) == ["https://example.com/a", "https://mirror.example.net/z"])
        let facts = store.allDecisions.map { $0.facts }
        #expect(facts[1][.caseJoinedBy] == .string("hash"))
        // Another URL with the same content is a new place to act on, not a duplicate.
        #expect(facts[1][.caseDuplicate] == .bool(false))
        #expect(facts[2][.caseJoinedBy] == .string("url"))
        #expect(facts[2][.caseReportCount] == .number(3))
    }
}

/// A reported or listed hash is compared as lowercase hex of its algorithm's length, whether
/// it arrives that way (returned as is) or with capitals and surrounding blanks.
@Suite struct HashNormalizationTests {
    @Test func normalizedHexIsKeptAndOtherFormsAreNormalizedOrRefused() {
        let md5 = "0123456789abcdef0123456789abcdef"
        #expect(HashAlgorithm.md5.normalize(md5) == md5)
        #expect(HashAlgorithm.md5.normalize(" 0123456789ABCDEF0123456789abcdef\t") == md5)
        #expect(HashAlgorithm.md5.normalize("0123456789abcdef0123456789abcde") == nil, "one short")
        #expect(HashAlgorithm.md5.normalize("0123456789abcdef0123456789abcdeg") == nil, "not hex")
        #expect(HashAlgorithm.md5.normalize("0123456789abcdef 0123456789abcde") == nil, "a blank inside")
        #expect(HashAlgorithm.sha1.normalize(md5) == nil, "an MD5 is no SHA-1")
        #expect(HashAlgorithm.sha1.normalize(String(repeating: "A", count: 40)) == String(repeating: "a", count: 40))
    }
}
