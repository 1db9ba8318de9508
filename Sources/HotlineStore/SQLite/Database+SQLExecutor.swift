import Foundation
import GRDB
import GRDBSQLite

/// A result row of the embedded store: its values by position, found by name in the
/// statement's column names, which its rows share.
///
/// Not GRDB's `Row` from `fetchAll`: that lowercases every column name it compares on every
/// access by name, which was a quarter of loading the hash index at startup and showed in
/// every batch's read-ahead.
public struct SQLiteRow: SQLRow {
    let names: [String]
    let values: [DatabaseValue]

    private func value(_ column: String) throws -> DatabaseValue {
        // Exact first (the queries name their columns); then as SQLite does, ignoring case.
        if let index = names.firstIndex(of: column) { return values[index] }
        let lowercased = column.lowercased()
        if let index = names.firstIndex(where: { $0.lowercased() == lowercased }) { return values[index] }
        throw SQLRowError(column: column)
    }

    /// Text, or nil for NULL.
    public func optionalText(_ column: String) throws -> String? {
        switch try value(column).storage {
        case .null: return nil
        case .string(let text): return text
        case .blob(let data): return String(decoding: data, as: UTF8.self)
        case .int64, .double: throw SQLRowError(column: column)
        }
    }

    /// An integer, or nil for NULL.
    public func optionalInteger(_ column: String) throws -> Int64? {
        switch try value(column).storage {
        case .null: return nil
        case .int64(let number): return number
        case .double(let number):
            guard let exact = Int64(exactly: number) else { throw SQLRowError(column: column) }
            return exact
        case .string, .blob: throw SQLRowError(column: column)
        }
    }

    /// Bytes, or nil for NULL.
    public func optionalBlob(_ column: String) throws -> [UInt8]? {
        switch try value(column).storage {
        case .null: return nil
        case .blob(let data): return [UInt8](data)
        case .string(let text): return Array(text.utf8)
        case .int64, .double: throw SQLRowError(column: column)
        }
    }

    /// A floating-point number, or nil for NULL.
    public func optionalDouble(_ column: String) throws -> Double? {
        switch try value(column).storage {
        case .null: return nil
        case .double(let number): return number
        case .int64(let number): return Double(number)
        case .string, .blob: throw SQLRowError(column: column)
        }
    }
}

extension Statement {
    /// Binds `values` through SQLite's C functions, then leaves the statement for GRDB to
    /// run as it would a statement bound by ``StatementArguments``.
    ///
    /// Going through `StatementArguments` meant boxing every value as an existential, then
    /// unboxing, validating and binding it inside nested closures: 12% of an ingest's writing
    /// thread in a profile, for rows of a dozen values each. The count is still checked.
    func bind(_ values: [SQLValue]) throws {
        let statement = sqliteStatement
        guard values.count == Int(sqlite3_bind_parameter_count(statement)) else {
            throw DatabaseError(
                resultCode: .SQLITE_MISUSE, message: "\(values.count) values for \(sqlite3_bind_parameter_count(statement)) parameters", sql: sql)
        }
        // A reset answers the previous step's failure (one a caller caught); after it, the reset
        // inside GRDB's unchecked binding, which would trap on that, succeeds.
        sqlite3_reset(statement)
        // No values: this resets, clears the bindings and marks them valid, so GRDB's
        // execution and fetching below use the ones bound here.
        setUncheckedArguments(StatementArguments())
        for (index, value) in zip(Int32(1)..., values) {
            let code: Int32
            switch value {
            case .null: code = sqlite3_bind_null(statement, index)
            case .text(var text):
                // With its length: a NUL inside the text is kept, not taken as its end.
                code = text.withUTF8 { bytes in
                    guard let base = bytes.baseAddress, !bytes.isEmpty else { return sqlite3_bind_text(statement, index, "", 0, transientBinding) }
                    return sqlite3_bind_text(statement, index, UnsafeRawPointer(base).assumingMemoryBound(to: CChar.self), Int32(bytes.count), transientBinding)
                }
            case .integer(let number): code = sqlite3_bind_int64(statement, index, number)
            case .real(let number): code = sqlite3_bind_double(statement, index, number)
            case .blob(let bytes):
                code = bytes.withUnsafeBytes { raw in
                    guard let base = raw.baseAddress, !raw.isEmpty else { return sqlite3_bind_zeroblob(statement, index, 0) }
                    return sqlite3_bind_blob(statement, index, base, Int32(raw.count), transientBinding)
                }
            case .texts: preconditionFailure("text arrays are for PostgreSQL's queries only")
            }
            guard code == SQLITE_OK else {
                throw DatabaseError(resultCode: ResultCode(rawValue: code), message: "binding value \(index) failed", sql: sql)
            }
        }
    }
}

/// SQLite copies the bytes before the bind returns (`SQLITE_TRANSIENT`), so a value's
/// storage need not outlive the call.
private let transientBinding = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

extension Database: SQLExecutor {
    /// Which database it is.
    public var dialect: SQLDialect { .sqlite }

    /// The rows of `sql`.
    public func rows(_ sql: String, _ values: [SQLValue]) throws -> [SQLiteRow] {
        try rows(sql, values, limit: .max)
    }

    /// Steps through GRDB's cursor (which keeps its bookkeeping of running statements) and
    /// copies each row's values by position.
    private func rows(_ sql: String, _ values: [SQLValue], limit: Int) throws -> [SQLiteRow] {
        let statement = try cachedStatement(sql: sql)
        try statement.bind(values)
        let names = statement.columnNames
        let handle = statement.sqliteStatement
        let cursor = try GRDB.Row.fetchCursor(statement)
        var rows: [SQLiteRow] = []
        while rows.count < limit, try cursor.next() != nil {
            rows.append(SQLiteRow(names: names, values: (0..<Int32(names.count)).map { Self.value(handle, $0) }))
        }
        return rows
    }

    /// A column's value, text with its length: GRDB's `DatabaseValue(sqliteStatement:index:)`
    /// reads text as a C string, so a NUL inside it (which binding keeps) cut it short.
    private static func value(_ statement: SQLiteStatement, _ index: Int32) -> DatabaseValue {
        switch sqlite3_column_type(statement, index) {
        case SQLITE_NULL: return .null
        case SQLITE_INTEGER: return sqlite3_column_int64(statement, index).databaseValue
        case SQLITE_FLOAT: return sqlite3_column_double(statement, index).databaseValue
        case SQLITE_TEXT:
            // The text first, then its length in bytes: the order SQLite documents.
            guard let text = sqlite3_column_text(statement, index) else { return "".databaseValue }
            return String(decoding: UnsafeBufferPointer(start: text, count: Int(sqlite3_column_bytes(statement, index))), as: UTF8.self).databaseValue
        default:
            guard let bytes = sqlite3_column_blob(statement, index) else { return Data().databaseValue }
            return Data(bytes: bytes, count: Int(sqlite3_column_bytes(statement, index))).databaseValue
        }
    }

    /// Runs several statements without parameters.
    public func script(_ sql: String) throws { try execute(sql: sql) }

    /// The first row of `sql`, if any.
    public func row(_ sql: String, _ values: [SQLValue]) throws -> SQLiteRow? {
        try rows(sql, values, limit: 1).first
    }

    /// Runs `sql`; returns the number of rows changed.
    @discardableResult
    public func execute(_ sql: String, _ values: [SQLValue]) throws -> Int {
        let statement = try cachedStatement(sql: sql)
        try statement.bind(values)
        try statement.execute()
        return changesCount
    }

    /// `data_version` changes when another connection (another process, or the pool's
    /// checkpointer) commits; the total of changed rows, when this one writes anything.
    public func writeMark() throws -> SQLWriteMark? {
        guard let version = try row("PRAGMA data_version", []).flatMap({ try $0.optionalInteger("data_version") }) else { return nil }
        return SQLWriteMark(dataVersion: version, changes: sqlite3_total_changes64(sqliteConnection))
    }
}
