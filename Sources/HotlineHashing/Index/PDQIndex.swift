import HotlineCore

/// Finds every stored PDQ hash within a Hamming distance of a query.
///
/// Multi-index hashing with the generalized pigeonhole principle: the 256 bits are cut into
/// `m` contiguous chunks, and each chunk has a table from its value to the hashes that have it.
/// If two hashes differ in at most `t` bits and chunk `i` is probed within radius `r_i`, with
/// the radii summing to `t - m + 1`, then some chunk differs in at most its radius (otherwise
/// the distances would add up to more than `t`), so probing each table at the values within
/// its radius finds every candidate; candidates are then checked in full. The radii need not
/// be equal, which lets the chunk count follow the set's size: wider chunks give smaller
/// buckets, the unequal radii keep the probes few. At 10M hashes and threshold 31 that is 12
/// chunks of 21–22 bits, 8 probed at radius 2 and 4 at radius 1: about 1,950 table probes
/// and 9,000 candidates, where 16 chunks of 16 bits at radius 1 give 272 probes but 42,000
/// candidates, each a random read of a stored hash.
/// Small sets, and thresholds whose probes would cost more than reading every hash, are
/// scanned linearly.
public struct PDQIndex: Sendable {
    /// Sets smaller than this are scanned linearly.
    public static let linearScanBelow = 20_000

    /// One chunk: bits `start..<start + width` of the 256 (word 0's bit 0 first). Its table is
    /// keyed by the chunk's low `keyBits` bits, fewer than `width` for a set too small to fill
    /// a table per value: a hash whose chunk is within a radius of the query's has its key
    /// within that radius too, so probing the keys still finds it, in a fuller bucket.
    struct Chunk: Sendable {
        let start: Int
        let width: Int
        let keyBits: Int
        /// Where this chunk's `2^keyBits + 1` offsets begin in `offsets`.
        let offsetBase: Int
        var mask: UInt64 { (1 << UInt64(keyBits)) - 1 }
    }

    private let words: [UInt64]
    private let chunks: [Chunk]
    private let alwaysProbe: Bool
    /// Per chunk: `2^keyBits + 1` offsets into that chunk's slice of `positions` (bucket b is
    /// offsets[b]..<offsets[b+1]).
    private let offsets: [UInt32]
    /// Per chunk, `count` positions grouped by the chunk's key.
    private let positions: [UInt32]
    /// Number of hashes.
    public let count: Int

    /// Chunk count for `count` hashes: widths near log2(count) − 2 bits, so that a bucket holds
    /// about four hashes and the offset tables stay a fraction of the positions.
    public static func chunkCount(for count: Int) -> Int {
        min(16, max(10, Int((256 / max(1, log2(count) - 2)).rounded())))
    }

    /// log2 of `count`, to within 0.09 (the significand's log taken as linear), for sizing.
    static func log2(_ count: Int) -> Double {
        let value = Double(max(1, count))
        return Double(value.exponent) + (value.significand - 1)
    }

    /// Builds the index; hash `i` is reported as position `i`.
    public init(_ hashes: [PDQHash]) {
        self.init(hashes, chunks: PDQIndex.chunkCount(for: hashes.count))
    }

    /// Builds the index with `chunks` chunks (8...16); hash `i` is reported as position `i`.
    /// `alwaysProbe` keeps the tables even where a linear scan would be cheaper, so that tests
    /// and benchmarks can check them on small sets.
    public init(_ hashes: [PDQHash], chunks chunkCount: Int, alwaysProbe: Bool = false) {
        precondition((8...16).contains(chunkCount), "PDQIndex takes 8 to 16 chunks")
        count = hashes.count
        self.alwaysProbe = alwaysProbe
        var words = [UInt64](repeating: 0, count: hashes.count * 4)
        for (index, hash) in hashes.enumerated() {
            words[index * 4] = hash.parts.0
            words[index * 4 + 1] = hash.parts.1
            words[index * 4 + 2] = hash.parts.2
            words[index * 4 + 3] = hash.parts.3
        }
        self.words = words
        guard hashes.count >= PDQIndex.linearScanBelow || alwaysProbe else {
            chunks = []
            offsets = []
            positions = []
            return
        }
        // The wider chunks first: 256 = wide × (w + 1) + narrow × w.
        let narrowWidth = 256 / chunkCount
        let wide = 256 - narrowWidth * chunkCount
        // Keys of at most ⌈log2(count)⌉ bits: a wider key leaves most buckets empty.
        let keyLimit = max(8, Int(PDQIndex.log2(hashes.count).rounded(.up)))
        var layout: [Chunk] = []
        var start = 0
        var offsetBase = 0
        for number in 0..<chunkCount {
            let width = narrowWidth + (number < wide ? 1 : 0)
            let keyBits = min(width, keyLimit)
            layout.append(Chunk(start: start, width: width, keyBits: keyBits, offsetBase: offsetBase))
            start += width
            offsetBase += (1 << keyBits) + 1
        }
        chunks = layout
        // Counting sort per chunk into one compressed table.
        var offsets = [UInt32](repeating: 0, count: offsetBase)
        let total = chunkCount * hashes.count
        let positions = [UInt32](unsafeUninitializedCapacity: total) { p, initialized in
            words.withUnsafeBufferPointer { w in
                offsets.withUnsafeMutableBufferPointer { o in
                    for (number, chunk) in layout.enumerated() {
                        let buckets = 1 << chunk.keyBits
                        let base = chunk.offsetBase
                        for index in 0..<hashes.count { o[base + 1 + PDQIndex.value(w.baseAddress! + index * 4, chunk)] += 1 }
                        for bucket in 0..<buckets { o[base + bucket + 1] += o[base + bucket] }
                        var fill = Array(o[base..<(base + buckets)])
                        let positionBase = number * hashes.count
                        fill.withUnsafeMutableBufferPointer { f in
                            for index in 0..<hashes.count {
                                let bucket = PDQIndex.value(w.baseAddress! + index * 4, chunk)
                                (p.baseAddress! + positionBase + Int(f[bucket])).initialize(to: UInt32(index))
                                f[bucket] += 1
                            }
                        }
                    }
                }
            }
            initialized = total
        }
        self.offsets = offsets
        self.positions = positions
    }

    /// The chunk's key in the four words at `hash`.
    @inline(__always)
    static func value(_ hash: UnsafePointer<UInt64>, _ chunk: Chunk) -> Int {
        let word = chunk.start >> 6
        let shift = chunk.start & 63
        var bits = hash[word] >> UInt64(shift)
        if shift + chunk.keyBits > 64 { bits |= hash[word + 1] << UInt64(64 - shift) }
        return Int(truncatingIfNeeded: bits & chunk.mask)
    }

    @inline(__always)
    static func distance(_ words: UnsafePointer<UInt64>, _ index: Int, _ query: UnsafePointer<UInt64>) -> Int {
        let stored = words + index * 4
        return (stored[0] ^ query[0]).nonzeroBitCount + (stored[1] ^ query[1]).nonzeroBitCount
            + (stored[2] ^ query[2]).nonzeroBitCount + (stored[3] ^ query[3]).nonzeroBitCount
    }

    /// Number of values within `radius` bits of a `width`-bit value.
    static func ballSize(_ width: Int, _ radius: Int) -> Int {
        guard radius >= 0 else { return 0 }
        var total = 1
        var term = 1
        for k in stride(from: 1, through: radius, by: 1) {
            term = term * (width - k + 1) / k
            total += term
        }
        return total
    }

    /// Probe radius per chunk for `threshold` (−1: not probed), or nil when a linear scan is
    /// cheaper. The radii sum to `threshold − m + 1`; the extra units go where they add the
    /// fewest reads.
    func radii(for threshold: Int) -> [Int]? {
        guard !chunks.isEmpty, threshold >= 0 else { return nil }
        let units = threshold + 1
        let base = units / chunks.count
        let extra = units % chunks.count
        // Past radius 3 the probes outnumber any set this holds (and are not enumerated).
        guard base + (extra > 0 ? 1 : 0) - 1 <= 3 else { return nil }
        func cost(_ chunk: Chunk, _ radius: Int) -> Double {
            Double(PDQIndex.ballSize(chunk.keyBits, radius)) * (2 + Double(count) / Double(1 << chunk.keyBits))
        }
        let order = chunks.indices.sorted {
            (cost(chunks[$0], base) - cost(chunks[$0], base - 1), $0) < (cost(chunks[$1], base) - cost(chunks[$1], base - 1), $1)
        }
        var radii = [Int](repeating: base - 1, count: chunks.count)
        for number in order.prefix(extra) { radii[number] = base }
        // A random read costs several sequential ones; past an eighth of the set, scan it all.
        let reads = zip(chunks, radii).reduce(0) { $0 + cost($1.0, $1.1) }
        return reads * 8 > Double(count) && !alwaysProbe ? nil : radii
    }

    /// Positions and distances of every hash within `threshold` of `query`, nearest first.
    public func search(_ query: PDQHash, threshold: Int) -> [(position: Int, distance: Int)] {
        var results: [(position: Int, distance: Int)] = []
        let radii = self.radii(for: threshold)
        withUnsafeTemporaryAllocation(of: UInt64.self, capacity: 4) { q in
            q[0] = query.parts.0
            q[1] = query.parts.1
            q[2] = query.parts.2
            q[3] = query.parts.3
            let queryWords = UnsafePointer(q.baseAddress!)
            words.withUnsafeBufferPointer { wb in
                guard let w = wb.baseAddress else { return }
                guard let radii else {
                    for index in 0..<count {
                        let d = PDQIndex.distance(w, index, queryWords)
                        if d <= threshold { results.append((index, d)) }
                    }
                    return
                }
                offsets.withUnsafeBufferPointer { ob in
                    positions.withUnsafeBufferPointer { pb in
                        let o = ob.baseAddress!
                        let p = pb.baseAddress!
                        for (number, chunk) in chunks.enumerated() where radii[number] >= 0 {
                            let scan = BucketScan(
                                words: w, offsets: o + chunk.offsetBase, positions: p + number * count, query: queryWords,
                                threshold: threshold, chunk: number, chunks: chunks, radii: radii)
                            let center = PDQIndex.value(queryWords, chunk)
                            let width = chunk.keyBits
                            scan.bucket(center, &results)
                            if radii[number] >= 1 {
                                for a in 0..<width {
                                    let one = center ^ (1 << a)
                                    scan.bucket(one, &results)
                                    guard radii[number] >= 2 else { continue }
                                    for b in (a + 1)..<width {
                                        let two = one ^ (1 << b)
                                        scan.bucket(two, &results)
                                        guard radii[number] >= 3 else { continue }
                                        for c in (b + 1)..<width { scan.bucket(two ^ (1 << c), &results) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        results.sort { ($0.distance, $0.position) < ($1.distance, $1.position) }
        return results
    }

    /// What one chunk's probes read; a candidate found here is kept only if no earlier chunk
    /// was within its radius, since that chunk's probes found it already.
    private struct BucketScan {
        let words: UnsafePointer<UInt64>
        let offsets: UnsafePointer<UInt32>
        let positions: UnsafePointer<UInt32>
        let query: UnsafePointer<UInt64>
        let threshold: Int
        let chunk: Int
        let chunks: [Chunk]
        let radii: [Int]

        @inline(__always)
        func bucket(_ value: Int, _ results: inout [(position: Int, distance: Int)]) {
            var slot = Int(offsets[value])
            let end = Int(offsets[value + 1])
            while slot < end {
                let index = Int(positions[slot])
                slot += 1
                let d = PDQIndex.distance(words, index, query)
                if d > threshold { continue }
                var seen = false
                var earlier = 0
                while earlier < chunk {
                    let stored = PDQIndex.value(words + index * 4, chunks[earlier])
                    if (stored ^ PDQIndex.value(query, chunks[earlier])).nonzeroBitCount <= radii[earlier] {
                        seen = true
                        break
                    }
                    earlier += 1
                }
                if !seen { results.append((index, d)) }
            }
        }
    }

    /// Number of chunks the tables cut a hash into (0 for a set scanned linearly).
    public var chunkCount: Int { chunks.count }

    /// Bytes of memory held.
    public var memoryBytes: Int { words.count * 8 + offsets.count * 4 + positions.count * 4 }

    /// The hash stored at `position`.
    public func hash(at position: Int) -> PDQHash {
        PDQHash(parts: (words[position * 4], words[position * 4 + 1], words[position * 4 + 2], words[position * 4 + 3]))
    }
}
