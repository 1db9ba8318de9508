/// A row written by one INSERT: its table, columns and values. PostgreSQL's ingest buffers
/// such rows and writes each table's rows of a batch in one statement.
protocol InsertableRow {
    static var table: String { get }
    static var columns: [String] { get }
    /// `INSERT INTO table (columns) VALUES (?, …)`, built once per type (``insertStatement``).
    static var insertSQL: String { get }
    var values: [SQLValue] { get throws }
}

extension InsertableRow {
    /// Writes the row at once (a pipelined write on PostgreSQL).
    func insert(_ db: some SQLExecutor) throws {
        try db.send(Self.insertSQL, try values)
    }

    static func insertStatement() -> String {
        "INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES (\(Array(repeating: "?", count: columns.count).joined(separator: ", ")))"
    }
}
