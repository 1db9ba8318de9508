/// `WHERE` clauses of optional equalities, for the list queries that filter by whatever the
/// caller gave (an organisation, a status, a case).
enum SQLFilter {
    /// `WHERE a = ? AND b = ?` for the columns whose value is given (in column order, so the
    /// SQL is the same for the same filters), with the values to bind; empty when none is.
    static func equal(_ columns: [String: String?]) -> (clause: String, values: [SQLValue]) {
        let given = columns.sorted { $0.key < $1.key }.compactMap { column, value in value.map { (column, $0) } }
        guard !given.isEmpty else { return ("", []) }
        return ("WHERE " + given.map { "\($0.0) = ?" }.joined(separator: " AND "), given.map { .text($0.1) })
    }
}
