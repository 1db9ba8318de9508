import Foundation

/// The hash algorithms lists carry.
public enum HashAlgorithm: String, Hashable, Sendable, CaseIterable, Comparable {
    /// MD5, 32 hex digits.
    case md5
    /// SHA-1, 40 hex digits.
    case sha1
    /// SHA-256, 64 hex digits.
    case sha256
    /// PDQ, 64 hex digits, compared by Hamming distance.
    case pdq

    /// Hex digits in a value.
    public var hexLength: Int {
        switch self {
        case .md5: 32
        case .sha1: 40
        case .sha256, .pdq: 64
        }
    }

    /// The value normalized to lowercase hex, or `nil` when it is not a value of this algorithm.
    public func normalize(_ text: String) -> String? {
        // Already normalized, as stored lists and most reports give it: returned as is, without
        // Foundation's trimming and a lowercased copy (a visible part of each ingested report).
        if text.utf8.count == hexLength, text.utf8.allSatisfy(Self.isLowercaseHex) { return text }
        let lower = text.trimmingCharacters(in: .whitespaces).lowercased()
        guard lower.utf8.count == hexLength, lower.utf8.allSatisfy(Self.isLowercaseHex) else { return nil }
        return lower
    }

    private static func isLowercaseHex(_ byte: UInt8) -> Bool { (48...57).contains(byte) || (97...102).contains(byte) }

    /// Whether the left one sorts first.
    public static func < (lhs: HashAlgorithm, rhs: HashAlgorithm) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// What a list says about a hash: the classification values rules see as `hash.classification`.
public enum HashClassification: String, Hashable, Sendable, CaseIterable {
    /// INTERPOL baseline.
    case baseline
    /// INHOPE categories.
    case A1, A2, B1, B2
    /// Illegal in some countries only.
    case nationallyIllegal = "nationally_illegal"
    /// Known to the list but without a category.
    case unclassified
}

/// One hash as a list holds it.
public struct HashListEntry: Hashable, Sendable {
    /// The algorithm.
    public var algorithm: HashAlgorithm
    /// Lowercase hex.
    public var value: String
    /// The entry's classification, or the list's default when `nil`.
    public var classification: HashClassification?

    /// Creates an entry.
    public init(algorithm: HashAlgorithm, value: String, classification: HashClassification? = nil) {
        self.algorithm = algorithm
        self.value = value
        self.classification = classification
    }
}

/// A named hash list: where it came from, what its entries are by default, whether it is used.
public struct HashList: Hashable, Sendable {
    /// Unique name, e.g. `nl-police`.
    public var name: String
    /// Who supplied it.
    public var source: String
    /// Classification of entries that carry none.
    public var defaultClassification: HashClassification
    /// Disabled lists stay stored but are not matched.
    public var enabled: Bool

    /// Creates a list.
    public init(name: String, source: String, defaultClassification: HashClassification, enabled: Bool = true) {
        self.name = name
        self.source = source
        self.defaultClassification = defaultClassification
        self.enabled = enabled
    }
}

/// An entry loaded for matching: the hash with the list it belongs to and its effective classification.
public struct ActiveHashEntry: Hashable, Sendable {
    /// The algorithm.
    public var algorithm: HashAlgorithm
    /// Lowercase hex.
    public var value: String
    /// The list.
    public var list: String
    /// Entry classification, else the list default.
    public var classification: HashClassification

    /// Creates an entry.
    public init(algorithm: HashAlgorithm, value: String, list: String, classification: HashClassification) {
        self.algorithm = algorithm
        self.value = value
        self.list = list
        self.classification = classification
    }
}

/// Counts from one import.
public struct HashImportCounts: Hashable, Sendable {
    /// Entries not stored before.
    public var added = 0
    /// Entries whose classification changed.
    public var updated = 0
    /// Entries already stored as they are.
    public var unchanged = 0

    /// Creates counts.
    public init(added: Int = 0, updated: Int = 0, unchanged: Int = 0) {
        self.added = added
        self.updated = updated
        self.unchanged = unchanged
    }
}

/// One list's figures for `hashes stats`.
public struct HashListStatistics: Hashable, Sendable {
    /// The list.
    public var list: HashList
    /// Active entries per algorithm.
    public var entries: [HashAlgorithm: Int]
    /// Retracted entries.
    public var retracted: Int
    /// Active listed videos (vPDQ).
    public var videos: Int

    /// Creates figures.
    public init(list: HashList, entries: [HashAlgorithm: Int], retracted: Int, videos: Int = 0) {
        self.list = list
        self.entries = entries
        self.retracted = retracted
        self.videos = videos
    }
}

/// A hash-list operation on a list that does not exist.
public struct NoSuchHashList: Error, Hashable, Sendable, CustomStringConvertible {
    /// The name asked for.
    public var name: String
    /// Creates the error.
    public init(_ name: String) { self.name = name }
    /// The message.
    public var description: String { "no hash list named \(name)" }
}

/// Storage of hash lists, retractions and the allow-list.
public protocol HashListStore: Sendable {
    /// Creates the list or updates its source and default classification.
    func saveList(_ list: HashList) throws
    /// The list named `name`.
    func list(named name: String) throws -> HashList?
    /// Stores entries in a list: new ones added, changed classifications updated, retracted ones left retracted.
    func importEntries(_ entries: [HashListEntry], into list: String) throws -> HashImportCounts
    /// Turns a list on or off; returns whether the list exists.
    func setEnabled(_ enabled: Bool, list: String) throws -> Bool
    /// Marks a hash as a false positive in one list or all; returns how many entries were retracted.
    func retract(_ algorithm: HashAlgorithm, _ value: String, list: String?, reason: String, at: Date) throws -> Int
    /// Puts a hash on the allow-list: never a match, whatever list holds it.
    func allow(_ algorithm: HashAlgorithm, _ value: String, reason: String, at: Date) throws
    /// Visits every entry of every enabled list that is not retracted, for the in-memory
    /// index; a visitor rather than an array, since police lists run to tens of millions.
    func forEachActiveEntry(_ body: (ActiveHashEntry) throws -> Void) throws
    /// The allow-list.
    func allowedHashes() throws -> [(algorithm: HashAlgorithm, value: String)]
    /// Figures per list.
    func hashListStatistics() throws -> (lists: [HashListStatistics], allowed: Int)
    /// How many times the lists changed; an instance whose index was built at another
    /// value loads them again.
    func hashListGeneration() throws -> Int
    /// Stores listed videos: new ones added, changed classifications updated, retracted ones
    /// left retracted.
    func importVideos(_ entries: [VideoListEntry], into list: String) throws -> HashImportCounts
    /// Visits every listed video of every enabled list that is not retracted.
    func forEachActiveVideo(_ body: (ActiveVideoEntry) throws -> Void) throws
    /// Marks a listed video as a false positive in one list or all; returns how many entries
    /// were retracted.
    func retractVideo(id: String, list: String?, reason: String, at: Date) throws -> Int
}
