/// The outcome of checking a report's hashes against the known-hash lists.
public struct HashMatchResult: Hashable, Sendable {
    /// What was found.
    public enum Kind: String, Hashable, Sendable, CaseIterable {
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
    /// The PDQ quality of the image that matched, when an image was hashed.
    public var quality: Int?
    /// An external matcher's score, when it gave one.
    public var score: Double? = nil
    /// An external matcher's own classification text (checked to be a plain token).
    public var externalClassification: String? = nil
    /// How a fetched video compared with the closest listed one, when one was compared.
    public var video: VideoComparison? = nil

    /// Creates a result.
    public init(
        kind: Kind, list: String? = nil, classification: HashClassification? = nil, algorithm: HashAlgorithm? = nil, distance: Int? = nil, quality: Int? = nil
    ) {
        self.quality = quality
        self.kind = kind
        self.list = list
        self.classification = classification
        self.algorithm = algorithm
        self.distance = distance
    }

    /// Where a `hash.*` match comes from.
    public enum Source: String, Hashable, Sendable, CaseIterable {
        /// The gateway fetched the content and hashed it.
        case observed
        /// A trusted submitter reported the hash (the config names whose reports count).
        case reported
        /// An external matcher (PhotoDNA, Arachnid Shield) matched a file the gateway fetched.
        case external
    }

    /// Writes `hash.*` facts: what decides.
    public func apply(to facts: inout Facts, source: Source) {
        facts[.hashMatch] = .string(kind.rawValue)
        facts[.hashSource] = .string(source.rawValue)
        if let list { facts[.hashList] = .string(list) }
        if let classification { facts[.hashClassification] = .string(classification.rawValue) }
        if let algorithm { facts[.hashAlgorithm] = .string(algorithm.rawValue) }
        if let distance { facts[.hashDistance] = .number(Double(distance)) }
        if let quality { facts[.hashQuality] = .number(Double(quality)) }
        if let score { facts[.hashScore] = .number(score) }
        if let externalClassification { facts[.hashExternalClassification] = .string(externalClassification) }
        if let video {
            facts[.hashVideoMatch] = .bool(video.matched)
            facts[.hashVideoQueryShare] = .number(video.queryShare)
            facts[.hashVideoTargetShare] = .number(video.targetShare)
            if video.matched, algorithm == nil { facts[.hashAlgorithm] = .string("vpdq") }
        }
    }

    /// Writes `report.hashes.*` facts: what the reporter claimed, kept apart.
    public func applyClaimed(to facts: inout Facts) {
        facts[.reportHashesMatch] = .string(kind.rawValue)
        if let list { facts[.reportHashesList] = .string(list) }
        if let classification { facts[.reportHashesClassification] = .string(classification.rawValue) }
    }
}

/// A fetched video beside the closest listed video, by vPDQ.
public struct VideoComparison: Hashable, Sendable {
    /// Whether the shares reach the match thresholds.
    public var matched: Bool
    /// Percentage of the fetched video's frames that match.
    public var queryShare: Double
    /// Percentage of the listed video's frames that match.
    public var targetShare: Double
    /// The listed video (``VideoListEntry/id``).
    public var id: String

    /// Creates one.
    public init(matched: Bool, queryShare: Double, targetShare: Double, id: String) {
        self.matched = matched
        self.queryShare = queryShare
        self.targetShare = targetShare
        self.id = id
    }
}

/// Checks hashes against the known-hash lists; the in-memory index implements it, tests
/// use fakes.
public protocol HashMatching: Sendable {
    /// The best match for a report's hashes, or `nil` when the report carries no hash.
    func match(_ hashes: ReportHashes) -> HashMatchResult?
    /// The best match for what the gateway hashed, or `nil` when it hashed nothing.
    func match(observed media: [ObservedMedia]) -> HashMatchResult?
}
