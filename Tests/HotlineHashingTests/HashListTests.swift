import Foundation
import HotlineCore
import Testing

@testable import HotlineHashing

@Suite struct HashListParserTests {
    func parse(_ text: String, _ format: HashListFormat, map: [String: HashClassification?]? = nil) -> HashListParseResult {
        HashListParser.parse(Array(text.utf8), format: format, categoryMap: map, listDefault: .A1)
    }

    @Test func vpdqLinesAsPythonThreatExchangeWritesThemWithErrorsByRow() throws {
        let frame = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22"
        let text = """
            # videos from a partner
            vpdq ["\(frame),100,0.000","\(frame.replacingOccurrences(of: "f8", with: "0f")),90,1.000"]
            ["\(frame),80,0.0"]
            pdq \(frame)
            vpdq ["\(frame),101,0"]
            vpdq ["nothex,90,0"]
            vpdq {"not": "an array"}
            vpdq ["\(frame),20,0"]
            """
        let result = HashListParser.parse(Array(text.utf8), format: .vpdq)
        #expect(result.videos.count == 2)
        #expect(result.videos[0].video.frames.map(\.quality) == [100, 90])
        #expect(result.videos[0].video.frames[1].timestamp == 1)
        #expect(result.videos[0].id == result.videos[0].video.id && result.videos[0].id.count == 64)
        #expect(result.videos[0].id != result.videos[1].id)
        #expect(result.errors.map(\.row) == [4, 5, 6, 7])
        #expect(result.errors[0].message.contains("is not vpdq"))
        #expect(result.errors[1].message.contains("quality"))
        #expect(result.errors[2].message.contains("64 hex digits"))
        #expect(result.errors[3].message.contains("JSON array"))
        #expect(result.skipped.values.reduce(0, +) == 1)
        #expect(result.entries.isEmpty)
        // What we write, python-threatexchange's form, reads back as the same video.
        let again = try VideoHash.parse(signal: result.videos[0].video.signalString).get()
        #expect(again == result.videos[0].video)
    }

    @Test func vpdqComparisonFollowsPythonThreatExchange() {
        func frame(_ hex: String, _ quality: Int = 100) -> VideoFrameHash {
            VideoFrameHash(frame: 0, pdq: PDQHash(hex: String(repeating: hex, count: 64))!, quality: quality, timestamp: 0)
        }
        // Repeats count once, frames under quality 50 not at all, distance 31 still matches.
        let near = PDQHash(hex: String(repeating: "0", count: 56) + "ffffffff")!  // 32 bits from zero
        let query = [frame("0"), frame("0"), frame("f"), frame("a", 10)]
        let target = [frame("0"), VideoFrameHash(frame: 1, pdq: near, quality: 90, timestamp: 1)]
        let shares = VPDQ.compare(query, target)
        #expect(shares.query == 50 && shares.target == 50)
        #expect(!shares.matches())
        #expect(VPDQ.compare([frame("0")], target).matches())
        #expect(VPDQ.compare([frame("a", 10)], target) == VPDQ.Shares(query: 0, target: 0))
        var within = PDQHash.zero
        for bit in 0..<31 { within.setBit(bit) }
        #expect(VPDQ.compare(prepared: [PDQHash.zero], [within]).query == 100)
    }

    @Test func csvRowsWithSeveralHashesAndErrorsByRow() {
        let result = parse(
            #"""
            MD5,sha1,classification,comment,quality,pdq
            0123456789ABCDEF0123456789ABCDEF,A9993E364706816ABA3E25717850C26C9CD0D89D,b1,"a, quoted ""comment""",,
            zz,,A1,,,
            ,,baseline,,,
            ,,,,20,\#(String(repeating: "ab", count: 32))
            ,,x,,,
            """#, .csv)
        #expect(
            result.entries == [
                HashListEntry(algorithm: .md5, value: "0123456789abcdef0123456789abcdef", classification: .B1),
                HashListEntry(algorithm: .sha1, value: "a9993e364706816aba3e25717850c26c9cd0d89d", classification: .B1),
            ])
        #expect(
            result.errors.map(\.description) == [
                "row 3: md5 must be 32 hex digits, got \"zz\"",
                "row 4: no hash (expected one of md5, sha1, sha256, pdq)",
                "row 6: unknown classification \"x\"; expected one of baseline, A1, A2, B1, B2, nationally_illegal, unclassified",
            ])
        #expect(result.skipped == ["pdq quality under 50": 1])
        #expect(result.notes == ["column \"comment\" ignored"])
    }

    @Test func jsonLinesWithWrongTypes() {
        let result = parse(
            """
            {"sha256": "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855", "classification": "baseline", "seen": 3}
            {"md5": 5}
            not json
            """, .jsonl)
        #expect(
            result.entries == [
                HashListEntry(algorithm: .sha256, value: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", classification: .baseline)
            ])
        #expect(result.errors.map(\.description) == ["row 2: md5 must be a string", "row 3: not a JSON object"])
        #expect(result.notes == ["field \"seen\" ignored"])
    }

    @Test func vicsMediaWithCategoriesAndNestedMedia() {
        // A made-up PhotoDNA value: 144 generated bytes, as VICS writes them (base64).
        let photoDNA = Data((0..<144).map { UInt8(($0 * 7) % 256) }).base64EncodedString()
        let text = """
            {"@odata.context": "x", "value": [
              {"MediaID": 1, "Category": 1, "MD5": "FEDCBA9876543210FEDCBA9876543210", "SHA1": "", "IsPrecategorized": "true", "PhotoDNA": "\(photoDNA)"},
              {"MediaID": 2, "Category": 0, "MD5": "00000000000000000000000000000001"},
              {"MediaID": 3, "Category": "2", "MD5": "22222222222222222222222222222222", "PhotoDNA": "AAAA"},
              {"CaseID": 9, "Media": [{"Category": "1", "SHA1": "A9993E364706816ABA3E25717850C26C9CD0D89D"}]},
              {"MediaID": 5, "Category": 1, "MD5": "XYZ"}
            ]}
            """
        let result = parse(text, .vics)
        #expect(
            result.entries == [
                HashListEntry(algorithm: .md5, value: "fedcba9876543210fedcba9876543210", classification: .A1),
                HashListEntry(algorithm: .md5, value: "22222222222222222222222222222222", classification: .nationallyIllegal),
                HashListEntry(algorithm: .sha1, value: "a9993e364706816aba3e25717850c26c9cd0d89d", classification: .A1),
            ])
        #expect(
            result.errors.map(\.description) == [
                "row 3: PhotoDNA value is not 144 bytes of base64; the other hashes of the row are kept", "row 5: md5 must be 32 hex digits, got \"XYZ\"",
            ])
        #expect(result.skipped == ["category 0": 1])
        // PhotoDNA cannot be computed here: the value is kept for an external matcher, not counted away.
        #expect(result.external == [ExternalHashEntry(algorithm: .photodna, value: photoDNA, classification: .A1)])
        #expect(result.notes == ["1 PhotoDNA values kept for an external matcher (they cannot be computed here)"])
        let mapped = parse(text, .vics, map: HashListParser.parseCategoryMap("1=baseline,2=skip"))
        #expect(mapped.entries.map(\.classification) == [.baseline, .baseline])
        #expect(mapped.skipped == ["category 0": 1, "category 2 mapped to skip": 1])
        #expect(HashListParser.parseCategoryMap("1=nope") == nil)
    }

    @Test func vicsCategoriesThatAreNotSmallWholeNumbersAreSkippedNotTrapped() {
        // Found by fuzzing (Fuzz/regressions/hashlist-vics): a category too large for Int trapped.
        let text =
            #"{"value": [{"MD5": "0123456789abcdef0123456789abcdef", "Category": 21111111111111111111111111}, {"MD5": "0123456789abcdef0123456789abcdee", "Category": 2.5}]}"#
        let result = parse(text, .vics)
        #expect(result.entries.isEmpty)
        #expect(result.skipped == ["category 2.111111111111111e+25": 1, "category 2.5": 1])
    }

    @Test func md5ListsWithCommentsAndMd5sumOutput() {
        let result = parse("# list\n\n33333333333333333333333333333333  some file.jpg\n44444444444444444444444444444444\nnothex\n", .md5list)
        #expect(result.entries.map(\.value) == ["33333333333333333333333333333333", "44444444444444444444444444444444"])
        #expect(result.errors.map(\.description) == ["row 5: md5 must be 32 hex digits, got \"nothex\""])
    }
}

@Suite struct HashIndexTests {
    func randomHash(_ generator: inout some RandomNumberGenerator) -> PDQHash {
        PDQHash(parts: (generator.next(), generator.next(), generator.next(), generator.next()))
    }

    /// `hash` with the bits at `positions` (0..<256) flipped.
    func flipping(_ hash: PDQHash, _ positions: some Sequence<Int>) -> PDQHash {
        var result = hash
        for bit in positions {
            let mask = UInt64(1) << UInt64(bit & 63)
            switch bit >> 6 {
            case 0: result.parts.0 ^= mask
            case 1: result.parts.1 ^= mask
            case 2: result.parts.2 ^= mask
            default: result.parts.3 ^= mask
            }
        }
        return result
    }

    func flip(_ hash: PDQHash, bits: Int, _ generator: inout some RandomNumberGenerator) -> PDQHash {
        var chosen = Set<Int>()
        while chosen.count < bits { chosen.insert(Int.random(in: 0..<256, using: &generator)) }
        return flipping(hash, chosen)
    }

    @Test func multiIndexFindsExactlyWhatALinearScanFinds() {
        var generator = SystemRandomNumberGenerator()
        var hashes = (0..<30_000).map { _ in randomHash(&generator) }
        let base = hashes[0]
        // Plant near neighbours of hashes[0] at known distances.
        for (offset, distance) in [1, 5, 15, 16, 17, 31, 32, 40, 47].enumerated() { hashes[100 + offset] = flip(base, bits: distance, &generator) }
        let index = PDQIndex(hashes)
        #expect(index.memoryBytes > hashes.count * 32)
        for threshold in [0, 10, 31, 47, 64] {
            for query in [base, flip(base, bits: 3, &generator), randomHash(&generator)] {
                let expected = hashes.enumerated().map { ($0.offset, $0.element.distance(to: query)) }.filter { $0.1 <= threshold }.sorted {
                    ($0.1, $0.0) < ($1.1, $1.0)
                }
                let found = index.search(query, threshold: threshold)
                #expect(found.map(\.position) == expected.map(\.0), "threshold \(threshold)")
                #expect(found.map(\.distance) == expected.map(\.1))
            }
        }
    }

    /// `bits` flipped at evenly spaced positions from `offset`: the distance is spread over the
    /// chunks, so that each differs by about the same, the case the pigeonhole bound is tight on.
    func spread(_ hash: PDQHash, bits: Int, offset: Int) -> PDQHash {
        flipping(hash, (0..<bits).map { (offset + $0 * 256 / bits) % 256 })
    }

    /// Every layout (10 chunks crossing the 64-bit words, probed to radius 3; 12 of unequal radii;
    /// 16 of 16 bits), with keys narrower than the chunks on this small set, finds what a
    /// linear scan finds, with the distance spread evenly or not.
    @Test(arguments: [10, 12, 14, 16]) func everyLayoutFindsExactlyWhatALinearScanFinds(chunks: Int) {
        var generator = SystemRandomNumberGenerator()
        var hashes = (0..<25_000).map { _ in randomHash(&generator) }
        let base = hashes[0]
        var slot = 100
        for distance in 1...40 {
            hashes[slot] = spread(base, bits: distance, offset: distance)
            hashes[slot + 1] = flip(base, bits: distance, &generator)
            slot += 2
        }
        let index = PDQIndex(hashes, chunks: chunks, alwaysProbe: true)
        #expect(index.chunkCount == chunks)
        for threshold in [0, 1, 9, 20, 31, 35] {
            for query in [base, spread(base, bits: 5, offset: 3), randomHash(&generator)] {
                let expected = hashes.enumerated().map { ($0.offset, $0.element.distance(to: query)) }.filter { $0.1 <= threshold }.sorted {
                    ($0.1, $0.0) < ($1.1, $1.0)
                }
                let found = index.search(query, threshold: threshold)
                #expect(found.map(\.position) == expected.map(\.0), "\(chunks) chunks, threshold \(threshold)")
                #expect(found.map(\.distance) == expected.map(\.1))
            }
        }
    }

    @Test func theChunkCountFollowsTheSetsSize() {
        #expect(PDQIndex.chunkCount(for: 30_000) == 16)
        #expect(PDQIndex.chunkCount(for: 10_000_000) == 12)
        #expect(PDQIndex.chunkCount(for: 100_000_000) == 10)
        // Under the cut-off a set is scanned, without tables.
        #expect(PDQIndex((0..<100).map { PDQHash(parts: (UInt64($0), 0, 0, 0)) }).chunkCount == 0)
    }

    @Test func exactMatchesAcrossListsAndTheAllowList() {
        var builder = HashIndexBuilder()
        builder.add(ActiveHashEntry(algorithm: .md5, value: "0123456789abcdef0123456789abcdef", list: "police", classification: .baseline))
        builder.add(ActiveHashEntry(algorithm: .md5, value: "0123456789abcdef0123456789abcdef", list: "partner", classification: .A2))
        builder.add(
            ActiveHashEntry(
                algorithm: .sha256, value: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", list: "partner",
                classification: .nationallyIllegal))
        builder.add(ActiveHashEntry(algorithm: .md5, value: "33333333333333333333333333333333", list: "police", classification: .A1))
        builder.allow(.md5, "33333333333333333333333333333333")
        let pdq = PDQ.hash(GeneratedImages.rectangles(width: 200, height: 200, seed: 1)).hash
        builder.add(ActiveHashEntry(algorithm: .pdq, value: pdq.description, list: "pdq-list", classification: .B2))
        let index = builder.build(pdqThreshold: 31)

        #expect(index.matches(.md5, "0123456789ABCDEF0123456789ABCDEF").map(\.list) == ["police", "partner"])
        #expect(index.matches(.md5, "33333333333333333333333333333333").isEmpty)
        #expect(index.matches(.md5, "not hex").isEmpty)
        #expect(index.match(ReportHashes()) == nil)
        #expect(
            index.match(ReportHashes(md5: "0123456789abcdef0123456789abcdef", sha256: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"))
                == HashMatchResult(kind: .known, list: "police", classification: .baseline, algorithm: .md5, distance: 0))
        #expect(index.match(ReportHashes(md5: "33333333333333333333333333333333")) == HashMatchResult(kind: .allowlisted))
        #expect(index.match(ReportHashes(md5: "44444444444444444444444444444444")) == HashMatchResult(kind: .none))

        var near = pdq
        near.parts.0 ^= 0b1011
        #expect(
            index.match(ReportHashes(pdq: near.description))
                == HashMatchResult(kind: .similar, list: "pdq-list", classification: .B2, algorithm: .pdq, distance: 3))
        #expect(index.pdqMatches(near, threshold: 2).isEmpty)
    }

    @Test func rotatedImagesMatchThroughTheirDihedralHashes() {
        let image = GeneratedImages.rectangles(width: 256, height: 256, seed: 8)
        var builder = HashIndexBuilder()
        builder.add(ActiveHashEntry(algorithm: .pdq, value: PDQ.hash(image).hash.description, list: "l", classification: .A1))
        let index = builder.build()
        let rotated = GeneratedImages.rotatedClockwise(image)
        let asIs = PDQ.hash(rotated).hash
        #expect(index.pdqMatches(asIs).isEmpty)
        let found = index.pdqMatches(asIs, variants: Array(PDQ.dihedralHashes(rotated).all.dropFirst()))
        #expect(found.count == 1 && found[0].variant > 0 && found[0].distance <= 31, "\(found)")
    }
}
