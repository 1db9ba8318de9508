import Foundation

/// A hash the gateway cannot compute itself (PhotoDNA, licensed), kept for an external
/// matcher that compares them: value, list and classification, as the list file gave them.
public struct ExternalHashEntry: Hashable, Sendable {
    /// The kinds stored.
    public enum Algorithm: String, Hashable, Sendable, CaseIterable {
        /// PhotoDNA: 144 bytes, written as base64 in VICS files.
        case photodna
    }

    /// Its kind.
    public var algorithm: Algorithm
    /// The value, in canonical base64.
    public var value: String
    /// The entry's classification.
    public var classification: HashClassification?

    /// Creates an entry.
    public init(algorithm: Algorithm, value: String, classification: HashClassification?) {
        self.algorithm = algorithm
        self.value = value
        self.classification = classification
    }

    /// The canonical base64 of a PhotoDNA value, or `nil` unless it decodes to 144 bytes.
    public static func photoDNA(_ text: String) -> String? {
        guard let data = Data(base64Encoded: text.trimmingCharacters(in: .whitespaces)), data.count == 144 else { return nil }
        return data.base64EncodedString()
    }
}

/// Storage of hashes for external matchers, by list.
public protocol ExternalHashStore: Sendable {
    /// Adds `entries` to `list` (a value already there keeps one row, with the new
    /// classification); returns how many were new.
    func importExternalHashes(_ entries: [ExternalHashEntry], into list: String, at date: Date) throws -> Int
    /// Stored values per list and algorithm, for `hashes stats`.
    func externalHashCounts() throws -> [String: Int]
    /// Whether `value` is stored (in any list, or in `list`), for a matcher that compares hashes.
    func externalHashLists(_ algorithm: ExternalHashEntry.Algorithm, _ value: String) throws -> [String]
}
