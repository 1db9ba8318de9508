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
    let exact: [HashAlgorithm: DigestTable]
    /// Per exact entry: list index << 8 | classification index, and the next entry with the same digest.
    let exactMeta: [UInt32]
    let exactNext: [UInt32]
    let pdq: PDQIndex
    let pdqMeta: [UInt32]
    let allowed: Set<String>

    static let classifications = HashClassification.allCases

    /// Entry counts per algorithm.
    public var counts: [HashAlgorithm: Int] {
        var counts: [HashAlgorithm: Int] = [:]
        for (algorithm, table) in exact { counts[algorithm] = table.count }
        counts[.pdq] = pdq.count
        return counts
    }

    /// Approximate memory held by the tables, in bytes.
    public var memoryBytes: Int {
        exact.values.reduce(0) { $0 + $1.memoryBytes } + exactMeta.count * 8 + pdq.memoryBytes + pdqMeta.count * 4
    }

    private func meta(_ packed: UInt32) -> (list: String, classification: HashClassification) {
        (lists[Int(packed >> 8)], HashIndex.classifications[Int(packed & 0xFF)])
    }

    /// Every entry listing this exact digest (none when it is allow-listed).
    public func matches(_ algorithm: HashAlgorithm, _ value: String) -> [HashMatch] {
        guard algorithm != .pdq, let normalized = algorithm.normalize(value), !allowed.contains(algorithm.rawValue + ":" + normalized),
              let table = exact[algorithm], let bytes = hexBytes(normalized, count: algorithm.hexLength / 2) else { return [] }
        var results: [HashMatch] = []
        var entry = bytes.withUnsafeBytes { table.lookup($0) }
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
        if allowed.contains("pdq:" + hash.description) { return [] }
        var best: [Int: HashMatch] = [:]
        for (variant, query) in ([hash] + variants).enumerated() {
            for found in pdq.search(query, threshold: threshold ?? pdqThreshold) {
                let (list, classification) = meta(pdqMeta[found.position])
                if let existing = best[found.position], existing.distance <= found.distance { continue }
                best[found.position] = HashMatch(list: list, classification: classification, algorithm: .pdq, value: "", distance: found.distance, variant: variant)
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
        algorithm.normalize(value).map { allowed.contains(algorithm.rawValue + ":" + $0) } ?? false
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

/// Collects entries and builds a ``HashIndex``.
public struct HashIndexBuilder {
    private var lists: [String] = []
    private var listIndex: [String: UInt32] = [:]
    private var exact: [HashAlgorithm: DigestTable] = [:]
    private var exactMeta: [UInt32] = []
    private var exactNext: [UInt32] = []
    private var pdqHashes: [PDQHash] = []
    private var pdqMeta: [UInt32] = []
    private var allowed = Set<String>()

    /// An empty builder; `expectedExact` sizes the exact tables up front.
    public init(expectedExact: Int = 0) {
        for algorithm in [HashAlgorithm.md5, .sha1, .sha256] {
            exact[algorithm] = DigestTable(width: algorithm.hexLength / 2, capacity: expectedExact)
        }
    }

    /// Adds an active entry; malformed values are ignored (imports validate them).
    public mutating func add(_ entry: ActiveHashEntry) {
        let list: UInt32
        if let existing = listIndex[entry.list] { list = existing } else {
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
        if let existing = listIndex[list] { index = existing } else {
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
        let existing = bytes.withUnsafeBytes { exact[algorithm]!.insert($0, entry: entry) }
        if var current = existing {
            // Same digest in another list: chain the entries.
            while exactNext[Int(current)] != UInt32.max { current = exactNext[Int(current)] }
            exactNext[Int(current)] = entry
        }
    }

    /// Adds many PDQ hashes of one list at once.
    public mutating func addPDQ(_ hashes: [PDQHash], list: String, classification: HashClassification) {
        let index: UInt32
        if let existing = listIndex[list] { index = existing } else {
            index = UInt32(lists.count)
            lists.append(list)
            listIndex[list] = index
        }
        pdqHashes.append(contentsOf: hashes)
        pdqMeta.append(contentsOf: repeatElement(index << 8 | UInt32(HashIndex.classifications.firstIndex(of: classification)!), count: hashes.count))
    }

    /// Puts a value on the allow-list.
    public mutating func allow(_ algorithm: HashAlgorithm, _ value: String) {
        if let normalized = algorithm.normalize(value) { allowed.insert(algorithm.rawValue + ":" + normalized) }
    }

    /// The index.
    public func build(pdqThreshold: Int = 31) -> HashIndex {
        HashIndex(
            pdqThreshold: pdqThreshold, lists: lists, exact: exact, exactMeta: exactMeta,
            exactNext: exactNext, pdq: PDQIndex(pdqHashes), pdqMeta: pdqMeta, allowed: allowed)
    }
}
