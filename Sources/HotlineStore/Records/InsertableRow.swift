/// A row written by one INSERT: its table, columns and values. PostgreSQL's ingest buffers
/// such rows and writes each table's rows of a batch in one statement.
protocol InsertableRow {
    static var table: String { get }
    static var columns: [String] { get }
    var values: [SQLValue] { get throws }
}

extension InsertableRow {
    /// Writes the row at once (a pipelined write on PostgreSQL).
    func insert(_ db: some SQLExecutor) throws {
        try db.send("INSERT INTO \(Self.table) (\(Self.columns.joined(separator: ", "))) VALUES (\(Array(repeating: "?", count: Self.columns.count).joined(separator: ", ")))", try values)
    }
}
