/// Counters of changes other instances must follow (`hash_lists`, `contacts`): bumped in the
/// transaction that made the change; every instance compares the value with the one its
/// parts were built at and reloads when it moved.
enum StoreGenerations {
    /// The hash lists (entries, retractions, the allow-list, enabled lists).
    static let hashLists = "hash_lists"
    /// The hosters' approved contact changes.
    static let contacts = "contacts"

    static func bump(_ name: String, in db: some SQLExecutor) throws {
        try db.execute(
            "INSERT INTO store_generations (name, value) VALUES (?, 1) ON CONFLICT (name) DO UPDATE SET value = store_generations.value + 1", [.text(name)])
    }

    static func value(_ name: String, in db: some SQLExecutor) throws -> Int {
        try db.row("SELECT value FROM store_generations WHERE name = ?", [.text(name)])?.integer("value") ?? 0
    }
}
