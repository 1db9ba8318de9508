import HotlineCore

/// Finds every stored PDQ hash within a Hamming distance of a query.
///
/// Multi-index hashing: the 256 bits are cut into 16 chunks of 16 bits, and each chunk has a
/// table from its value to the hashes that have it. If two hashes differ in at most `t` bits,
/// some chunk differs in at most ⌊t/16⌋ bits (pigeonhole), so probing each chunk's table at
/// the values within that radius finds every candidate; candidates are then checked in full.
/// At the usual threshold of 31 that is 16 × 17 table probes instead of a scan of every hash.
/// Small sets and wide thresholds (radius 3 and more) use a linear scan, which is faster there.
public struct PDQIndex: Sendable {
    /// Sets smaller than this are scanned linearly.
    public static let linearScanBelow = 20_000

    private let words: [UInt64]
    /// Per chunk: 65,537 offsets into `positions` (bucket b is offsets[b]..<offsets[b+1]).
    private let offsets: [UInt32]
    private let positions: [UInt32]
    /// Number of hashes.
    public let count: Int

    /// Builds the index; hash `i` is reported as position `i`.
    public init(_ hashes: [PDQHash]) {
        count = hashes.count
        var words = [UInt64](repeating: 0, count: hashes.count * 4)
        for (index, hash) in hashes.enumerated() {
            words[index * 4] = hash.parts.0
            words[index * 4 + 1] = hash.parts.1
            words[index * 4 + 2] = hash.parts.2
            words[index * 4 + 3] = hash.parts.3
        }
        self.words = words
        guard hashes.count >= PDQIndex.linearScanBelow else {
            offsets = []
            positions = []
            return
        }
        // Counting sort per chunk into one compressed table.
        var offsets = [UInt32](repeating: 0, count: 16 * 65_537)
        var positions = [UInt32](repeating: 0, count: 16 * hashes.count)
        words.withUnsafeBufferPointer { w in
            offsets.withUnsafeMutableBufferPointer { o in
                positions.withUnsafeMutableBufferPointer { p in
                    for chunk in 0..<16 {
                        let base = chunk * 65_537
                        for index in 0..<hashes.count { o[base + 1 + PDQIndex.chunk(w, index, chunk)] += 1 }
                        for bucket in 0..<65_536 { o[base + bucket + 1] += o[base + bucket] }
                        var fill = Array(o[base..<(base + 65_536)])
                        let positionBase = chunk * hashes.count
                        for index in 0..<hashes.count {
                            let bucket = PDQIndex.chunk(w, index, chunk)
                            p[positionBase + Int(fill[bucket])] = UInt32(index)
                            fill[bucket] += 1
                        }
                    }
                }
            }
        }
        self.offsets = offsets
        self.positions = positions
    }

    @inline(__always)
    static func chunk(_ words: UnsafeBufferPointer<UInt64>, _ index: Int, _ chunk: Int) -> Int {
        Int(truncatingIfNeeded: (words[index * 4 + chunk >> 2] >> UInt64((chunk & 3) * 16)) & 0xFFFF)
    }

    @inline(__always)
    static func chunk(_ hash: PDQHash, _ chunk: Int) -> Int {
        let word: UInt64
        switch chunk >> 2 {
        case 0: word = hash.parts.0
        case 1: word = hash.parts.1
        case 2: word = hash.parts.2
        default: word = hash.parts.3
        }
        return Int(truncatingIfNeeded: (word >> UInt64((chunk & 3) * 16)) & 0xFFFF)
    }

    @inline(__always)
    static func distance(_ words: UnsafeBufferPointer<UInt64>, _ index: Int, _ query: PDQHash) -> Int {
        (words[index * 4] ^ query.parts.0).nonzeroBitCount + (words[index * 4 + 1] ^ query.parts.1).nonzeroBitCount
            + (words[index * 4 + 2] ^ query.parts.2).nonzeroBitCount + (words[index * 4 + 3] ^ query.parts.3).nonzeroBitCount
    }

    /// Positions and distances of every hash within `threshold` of `query`, nearest first.
    public func search(_ query: PDQHash, threshold: Int) -> [(position: Int, distance: Int)] {
        var results: [(position: Int, distance: Int)] = []
        let radius = threshold / 16
        words.withUnsafeBufferPointer { w in
            if offsets.isEmpty || radius >= 3 {
                for index in 0..<count {
                    let d = PDQIndex.distance(w, index, query)
                    if d <= threshold { results.append((index, d)) }
                }
                return
            }
            let queryChunks = (0..<16).map { PDQIndex.chunk(query, $0) }
            offsets.withUnsafeBufferPointer { o in
                positions.withUnsafeBufferPointer { p in
                    for chunk in 0..<16 {
                        let base = chunk * 65_537
                        let positionBase = chunk * count
                        let center = queryChunks[chunk]
                        // The values within `radius` bits of this chunk: itself, one bit off, two bits off.
                        var probe = 0
                        let probes = radius == 0 ? 1 : radius == 1 ? 17 : 137
                        var a = 0
                        var b = 1
                        while probe < probes {
                            let value: Int
                            if probe == 0 {
                                value = center
                            } else if probe <= 16 {
                                value = center ^ (1 << (probe - 1))
                            } else {
                                value = center ^ (1 << a) ^ (1 << b)
                                b += 1
                                if b == 16 {
                                    a += 1
                                    b = a + 1
                                }
                            }
                            probe += 1
                            let end = Int(o[base + value + 1])
                            var slot = Int(o[base + value])
                            while slot < end {
                                let index = Int(p[positionBase + slot])
                                slot += 1
                                let d = PDQIndex.distance(w, index, query)
                                if d > threshold { continue }
                                // Found already through an earlier chunk within the radius?
                                var seen = false
                                var earlier = 0
                                while earlier < chunk {
                                    if (PDQIndex.chunk(w, index, earlier) ^ queryChunks[earlier]).nonzeroBitCount <= radius {
                                        seen = true
                                        break
                                    }
                                    earlier += 1
                                }
                                if !seen { results.append((index, d)) }
                            }
                        }
                    }
                }
            }
        }
        results.sort { ($0.distance, $0.position) < ($1.distance, $1.position) }
        return results
    }

    /// Bytes of memory held.
    public var memoryBytes: Int { words.count * 8 + offsets.count * 4 + positions.count * 4 }

    /// The hash stored at `position`.
    public func hash(at position: Int) -> PDQHash {
        PDQHash(parts: (words[position * 4], words[position * 4 + 1], words[position * 4 + 2], words[position * 4 + 3]))
    }

}
