/// The outcome of checking a report's hashes against the known-hash lists.
public struct HashMatchResult: Hashable, Sendable {
    /// What was found.
    public enum Kind: String, Hashable, Sendable {
        /// An exact digest (MD5, SHA-1, SHA-256) is on a list.
        case known
        /// A PDQ hash is within the match threshold of a listed one.
        case similar
        /// Nothing matched.
        case none
        /// A hash matched only through an allow-listed value (a known false match).
        case allowlisted
    }

    /// What was found.
    public var kind: Kind
    /// The list that matched.
    public var list: String?
    /// The matched entry's classification.
    public var classification: HashClassification?
    /// Which hash matched.
    public var algorithm: HashAlgorithm?
    /// Hamming distance for PDQ, 0 for exact digests.
    public var distance: Int?

    /// Creates a result.
    public init(kind: Kind, list: String? = nil, classification: HashClassification? = nil, algorithm: HashAlgorithm? = nil, distance: Int? = nil) {
        self.kind = kind
        self.list = list
        self.classification = classification
        self.algorithm = algorithm
        self.distance = distance
    }

    /// Writes `hash.*` facts.
    public func apply(to facts: inout Facts) {
        facts[.hashMatch] = .string(kind.rawValue)
        if let list { facts[.hashList] = .string(list) }
        if let classification { facts[.hashClassification] = .string(classification.rawValue) }
        if let algorithm { facts[.hashAlgorithm] = .string(algorithm.rawValue) }
        if let distance { facts[.hashDistance] = .number(Double(distance)) }
    }
}

/// Checks report hashes against the known-hash lists; the in-memory index implements it,
/// tests use fakes.
public protocol HashMatching: Sendable {
    /// The best match for `hashes`, or `nil` when the report carries no hash to check.
    func match(_ hashes: ReportHashes) -> HashMatchResult?
}
