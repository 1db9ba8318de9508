import GRDB
import HotlineCore

/// A row of `hash_lists`.
struct HashListRow: Codable, FetchableRecord, TableRecord {
    static let databaseTableName = "hash_lists"

    var id: Int64
    var name: String
    var source: String
    var default_classification: String
    var enabled: Bool
    var created_at: String
    var updated_at: String

    var list: HashList {
        HashList(name: name, source: source, defaultClassification: HashClassification(rawValue: default_classification) ?? .unclassified, enabled: enabled)
    }
}
