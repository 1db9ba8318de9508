import HotlineCore

/// One list entry that matched a query.
public struct HashMatch: Hashable, Sendable {
    /// The list.
    public var list: String
    /// The entry's effective classification.
    public var classification: HashClassification
    /// The algorithm.
    public var algorithm: HashAlgorithm
    /// The listed value, lowercase hex.
    public var value: String
    /// Hamming distance for PDQ, 0 for exact digests.
    public var distance: Int
    /// For PDQ queries with dihedral variants: which variant matched (0 = as is).
    public var variant: Int
}

/// The known-hash lists in memory: exact tables for MD5, SHA-1 and SHA-256, a PDQ index,
/// and the allow-list. Built once at start (and on reload); read by many threads.
public struct HashIndex: HashMatching, Sendable {
    /// The PDQ distance at or under which hashes match (Meta's default 31).
    public var pdqThreshold: Int

    let lists: [String]
    /// Exact tables by `slot(of:)`: an array, since a dictionary lookup hashed the key on
    /// every query.
    let exact: [DigestTable]
    /// Per exact entry: list index << 8 | classification index, and the next entry with the same digest.
    let exactMeta: [UInt32]
    let exactNext: [UInt32]
    let pdq: PDQIndex
    let pdqMeta: [UInt32]
    /// The allow-list: digests as tables like the lists themselves, PDQ values as text.
    let allowedExact: [DigestTable]
    let allowedPDQ: Set<PDQHash>
    /// The listed videos (vPDQ).
    public internal(set) var videos = VideoIndex()

    static let classifications = HashClassification.allCases
    static let exactAlgorithms: [HashAlgorithm] = [.md5, .sha1, .sha256]

    @inline(__always)
    static func slot(of algorithm: HashAlgorithm) -> Int {
        switch algorithm {
        case .md5: 0
        case .sha1: 1
        case .sha256: 2
        case .pdq: -1
        }
    }

    /// Entry counts per algorithm.
    public var counts: [HashAlgorithm: Int] {
        var counts: [HashAlgorithm: Int] = [:]
        for (algorithm, table) in zip(HashIndex.exactAlgorithms, exact) { counts[algorithm] = table.count }
        counts[.pdq] = pdq.count
        return counts
    }

    /// Approximate memory held by the tables, in bytes.
    public var memoryBytes: Int {
        exact.reduce(0) { $0 + $1.memoryBytes } + exactMeta.count * 8 + pdq.memoryBytes + pdqMeta.count * 4
    }

    private func meta(_ packed: UInt32) -> (list: String, classification: HashClassification) {
        (lists[Int(packed >> 8)], HashIndex.classifications[Int(packed & 0xFF)])
    }

    /// Calls `body` with the digest's bytes, parsed from hex of either case without
    /// allocating; `nil` when the text is not a digest of this algorithm.
    @inline(__always)
    static func withDigest<T>(_ algorithm: HashAlgorithm, _ text: String, _ body: (UnsafeRawBufferPointer) -> T?) -> T? {
        let width = algorithm.hexLength / 2
        var text = text
        return text.withUTF8 { hex -> T? in
            guard hex.count == width * 2 else { return nil }
            return withUnsafeTemporaryAllocation(byteCount: width, alignment: 8) { buffer -> T? in
                // Table lookups with one validity check at the end: no branch per digit.
                var invalid: UInt8 = 0
                HexTable.values.withUnsafeBufferPointer { table in
                    for index in 0..<width {
                        let high = table[Int(hex[index * 2])]
                        let low = table[Int(hex[index * 2 + 1])]
                        invalid |= (high | low) & 0xF0
                        buffer[index] = high << 4 | (low & 0x0F)
                    }
                }
                return invalid == 0 ? body(UnsafeRawBufferPointer(buffer)) : nil
            }
        }
    }

    /// The first entry listing this exact digest, or `nil` (also when it is allow-listed):
    /// the lookup the pipeline makes, with no allocation.
    public func firstMatch(_ algorithm: HashAlgorithm, _ value: String) -> (list: String, classification: HashClassification)? {
        let slot = HashIndex.slot(of: algorithm)
        guard slot >= 0 else { return nil }
        let entry: UInt32? = HashIndex.withDigest(algorithm, value) { bytes in
            if allowedExact[slot].count > 0, allowedExact[slot].lookup(bytes) != nil { return nil }
            return exact[slot].lookup(bytes)
        }
        return entry.map { meta(exactMeta[Int($0)]) }
    }

    /// Every entry listing this exact digest, or for PDQ every entry within `pdqThreshold`
    /// (default the index's), nearest first; none when the value is allow-listed.
    public func matches(_ algorithm: HashAlgorithm, _ value: String, pdqThreshold: Int? = nil) -> [HashMatch] {
        if algorithm == .pdq {
            guard let normalized = algorithm.normalize(value), let hash = PDQHash(hex: normalized) else { return [] }
            return pdqMatches(hash, threshold: pdqThreshold)
        }
        let slot = HashIndex.slot(of: algorithm)
        guard slot >= 0, let normalized = algorithm.normalize(value) else { return [] }
        var entry: UInt32? = HashIndex.withDigest(algorithm, normalized) { bytes in
            allowedExact[slot].lookup(bytes) != nil ? nil : exact[slot].lookup(bytes)
        }
        var results: [HashMatch] = []
        while let current = entry {
            let (list, classification) = meta(exactMeta[Int(current)])
            results.append(HashMatch(list: list, classification: classification, algorithm: algorithm, value: normalized, distance: 0, variant: 0))
            let next = exactNext[Int(current)]
            entry = next == UInt32.max ? nil : next
        }
        return results
    }

    /// Every PDQ entry within `threshold` of `hash` (or of any of `variants`), nearest first.
    public func pdqMatches(_ hash: PDQHash, threshold: Int? = nil, variants: [PDQHash] = []) -> [HashMatch] {
        if allowedPDQ.contains(hash) { return [] }
        var best: [Int: HashMatch] = [:]
        for (variant, query) in ([hash] + variants).enumerated() {
            for found in pdq.search(query, threshold: threshold ?? pdqThreshold) {
                let (list, classification) = meta(pdqMeta[found.position])
                if let existing = best[found.position], existing.distance <= found.distance { continue }
                best[found.position] = HashMatch(
                    list: list, classification: classification, algorithm: .pdq, value: "", distance: found.distance, variant: variant)
            }
        }
        return best.sorted { ($0.value.distance, $0.key) < ($1.value.distance, $1.key) }.map { position, match in
            var match = match
            match.value = pdq.hash(at: position).description
            return match
        }
    }

    /// Whether this value is on the allow-list.
    public func isAllowed(_ algorithm: HashAlgorithm, _ value: String) -> Bool {
        if algorithm == .pdq { return PDQHash(hex: value).map { allowedPDQ.contains($0) } ?? false }
        return HashIndex.withDigest(algorithm, value) { allowedExact[HashIndex.slot(of: algorithm)].lookup($0) } != nil
    }

    /// The most severe match for a report's hashes: exact digests make `known`, PDQ within
    /// the threshold `similar`; a hash on the allow-list never matches.
    public func match(_ hashes: ReportHashes) -> HashMatchResult? {
        let candidates: [(HashAlgorithm, String?)] = [(.md5, hashes.md5), (.sha1, hashes.sha1), (.sha256, hashes.sha256), (.pdq, hashes.pdq)]
        let supplied = candidates.compactMap { pair in pair.1.map { (pair.0, $0) } }
        if supplied.isEmpty { return nil }
        func rank(_ match: HashMatch) -> (Int, Int, String) {
            (HashIndex.classifications.firstIndex(of: match.classification)!, match.distance, match.list)
        }
        let exactMatches = supplied.filter { $0.0 != .pdq }.flatMap { matches($0.0, $0.1) }
        if let best = exactMatches.min(by: { rank($0) < rank($1) }) {
            return HashMatchResult(kind: .known, list: best.list, classification: best.classification, algorithm: best.algorithm, distance: 0)
        }
        // A reported PDQ is matched as is: rotated copies need the image, whose eight
        // dihedral hashes `pdqMatches(_:variants:)` takes.
        if let text = hashes.pdq, let query = PDQHash(hex: text) {
            if let best = pdqMatches(query).min(by: { rank($0) < rank($1) }) {
                return HashMatchResult(kind: .similar, list: best.list, classification: best.classification, algorithm: .pdq, distance: best.distance)
            }
        }
        if supplied.contains(where: { isAllowed($0.0, $0.1) }) { return HashMatchResult(kind: .allowlisted) }
        return HashMatchResult(kind: .none)
    }
}

extension HashIndex {
    /// PDQ hashes of images below this quality are not matched: flat or tiny images give
    /// hashes that match too much (Meta's guidance).
    public static let minimumPDQQuality = 50

    /// The most severe match among what the gateway hashed: an exact digest of any file
    /// makes `known`, the PDQ of an image of usable quality within the threshold `similar`;
    /// allow-listed values never match.
    public func match(observed media: [ObservedMedia]) -> HashMatchResult? {
        guard !media.isEmpty else { return nil }
        func rank(_ match: HashMatch) -> (Int, Int, String) {
            (HashIndex.classifications.firstIndex(of: match.classification)!, match.distance, match.list)
        }
        var best: (match: HashMatch, quality: Int?)?
        for medium in media {
            for (algorithm, value) in medium.digests {
                for found in matches(algorithm, value) where best.map({ rank(found) < rank($0.match) }) ?? true { best = (found, medium.quality) }
            }
        }
        if let best {
            return HashMatchResult(
                kind: .known, list: best.match.list, classification: best.match.classification, algorithm: best.match.algorithm, distance: 0,
                quality: best.quality)
        }
        // A video is compared with every listed video; its closest one is reported even when
        // it does not match, so that rules can send a near one to an analyst.
        var video: (comparison: VideoComparison, list: String, classification: HashClassification)?
        for medium in media {
            guard let hashed = medium.video, let found = videos.closest(to: hashed) else { continue }
            if let current = video, current.comparison.matched && !found.comparison.matched || current.comparison.queryShare >= found.comparison.queryShare {
                continue
            }
            video = found
        }
        if let video, video.comparison.matched {
            var result = HashMatchResult(kind: .similar, list: video.list, classification: video.classification)
            result.video = video.comparison
            return result
        }
        var similar: (match: HashMatch, quality: Int?)?
        for medium in media {
            guard let pdq = medium.pdq, let quality = medium.quality, quality >= Self.minimumPDQQuality else { continue }
            for found in pdqMatches(pdq) where similar.map({ rank(found) < rank($0.match) }) ?? true { similar = (found, quality) }
        }
        if let similar {
            var result = HashMatchResult(
                kind: .similar, list: similar.match.list, classification: similar.match.classification, algorithm: .pdq, distance: similar.match.distance,
                quality: similar.quality)
            result.video = video?.comparison
            return result
        }
        let allowed = media.contains { medium in
            medium.digests.contains { isAllowed($0.0, $0.1) } || (medium.pdq.map { isAllowed(.pdq, $0.description) } ?? false)
        }
        var result = HashMatchResult(kind: allowed ? .allowlisted : .none)
        result.video = video?.comparison
        return result
    }
}

/// Collects entries and builds a ``HashIndex``.
public struct HashIndexBuilder {
    private var lists: [String] = []
    private var listIndex: [String: UInt32] = [:]
    private var exact: [DigestTable] = []
    private var exactMeta: [UInt32] = []
    private var exactNext: [UInt32] = []
    private var pdqHashes: [PDQHash] = []
    private var pdqMeta: [UInt32] = []
    private var allowedExact: [DigestTable] = []
    private var allowedPDQ = Set<PDQHash>()
    private var videos: [ActiveVideoEntry] = []

    /// An empty builder; `expected` sizes the exact tables up front (they grow as needed).
    public init(expected: [HashAlgorithm: Int] = [:]) {
        for algorithm in HashIndex.exactAlgorithms {
            exact.append(DigestTable(width: algorithm.hexLength / 2, capacity: expected[algorithm] ?? 0))
            allowedExact.append(DigestTable(width: algorithm.hexLength / 2))
        }
    }

    /// Adds an active entry; malformed values are ignored (imports validate them).
    public mutating func add(_ entry: ActiveHashEntry) {
        let list: UInt32
        if let existing = listIndex[entry.list] {
            list = existing
        } else {
            list = UInt32(lists.count)
            lists.append(entry.list)
            listIndex[entry.list] = list
        }
        let packed = list << 8 | UInt32(HashIndex.classifications.firstIndex(of: entry.classification)!)
        if entry.algorithm == .pdq {
            guard let hash = PDQHash(hex: entry.value) else { return }
            pdqHashes.append(hash)
            pdqMeta.append(packed)
            return
        }
        guard let bytes = hexBytes(entry.value, count: entry.algorithm.hexLength / 2) else { return }
        addExact(entry.algorithm, bytes, packed: packed)
    }

    /// Adds a raw digest (for bulk loads that already hold bytes).
    public mutating func addExact(_ algorithm: HashAlgorithm, _ bytes: [UInt8], list: String, classification: HashClassification) {
        let index: UInt32
        if let existing = listIndex[list] {
            index = existing
        } else {
            index = UInt32(lists.count)
            lists.append(list)
            listIndex[list] = index
        }
        addExact(algorithm, bytes, packed: index << 8 | UInt32(HashIndex.classifications.firstIndex(of: classification)!))
    }

    private mutating func addExact(_ algorithm: HashAlgorithm, _ bytes: [UInt8], packed: UInt32) {
        let entry = UInt32(exactMeta.count)
        exactMeta.append(packed)
        exactNext.append(UInt32.max)
        let existing = bytes.withUnsafeBytes { exact[HashIndex.slot(of: algorithm)].insert($0, entry: entry) }
        if var current = existing {
            // Same digest in another list: chain the entries.
            while exactNext[Int(current)] != UInt32.max { current = exactNext[Int(current)] }
            exactNext[Int(current)] = entry
        }
    }

    /// Adds many PDQ hashes of one list at once.
    public mutating func addPDQ(_ hashes: [PDQHash], list: String, classification: HashClassification) {
        let index: UInt32
        if let existing = listIndex[list] {
            index = existing
        } else {
            index = UInt32(lists.count)
            lists.append(list)
            listIndex[list] = index
        }
        pdqHashes.append(contentsOf: hashes)
        pdqMeta.append(contentsOf: repeatElement(index << 8 | UInt32(HashIndex.classifications.firstIndex(of: classification)!), count: hashes.count))
    }

    /// Puts a value on the allow-list.
    public mutating func allow(_ algorithm: HashAlgorithm, _ value: String) {
        if algorithm == .pdq {
            if let hash = PDQHash(hex: value) { allowedPDQ.insert(hash) }
            return
        }
        guard let bytes = hexBytes(value, count: algorithm.hexLength / 2) else { return }
        _ = bytes.withUnsafeBytes { allowedExact[HashIndex.slot(of: algorithm)].insert($0, entry: 0) }
    }

    /// Adds a listed video.
    public mutating func addVideo(_ entry: ActiveVideoEntry) { videos.append(entry) }

    /// The index.
    public func build(pdqThreshold: Int = 31) -> HashIndex {
        HashIndex(
            pdqThreshold: pdqThreshold, lists: lists, exact: exact, exactMeta: exactMeta,
            exactNext: exactNext, pdq: PDQIndex(pdqHashes), pdqMeta: pdqMeta, allowedExact: allowedExact, allowedPDQ: allowedPDQ,
            videos: VideoIndex(videos))
    }
}

/// Hex digit values, 0xFF for bytes that are not hex digits.
enum HexTable {
    static let values: [UInt8] = (0..<256).map { byte in HexDigit.value(UInt8(byte)) ?? 0xFF }
}
