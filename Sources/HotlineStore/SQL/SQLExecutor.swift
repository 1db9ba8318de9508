import Foundation

/// A value bound to a statement.
public enum SQLValue: Sendable, Hashable {
    case null
    case text(String)
    case integer(Int64)
    case real(Double)
    case blob([UInt8])
    /// A text array (PostgreSQL only: `= ANY(?)`, `unnest(?)`).
    case texts([String])

    /// `text`, or `null` for nil.
    public static func optional(_ text: String?) -> SQLValue { text.map(SQLValue.text) ?? .null }
    /// `integer`, or `null` for nil.
    public static func optional(_ number: Int?) -> SQLValue { number.map { .integer(Int64($0)) } ?? .null }
    /// `integer`.
    public static func int(_ number: Int) -> SQLValue { .integer(Int64(number)) }
}

/// A result row, read by column name the same way from SQLite and PostgreSQL.
public protocol SQLRow: SendableMetatype {
    /// Text, or nil for NULL.
    func optionalText(_ column: String) throws -> String?
    /// An integer, or nil for NULL.
    func optionalInteger(_ column: String) throws -> Int64?
    /// Bytes, or nil for NULL.
    func optionalBlob(_ column: String) throws -> [UInt8]?
    /// A floating-point number, or nil for NULL.
    func optionalDouble(_ column: String) throws -> Double?
}

extension SQLRow {
    func text(_ column: String) throws -> String {
        guard let value = try optionalText(column) else { throw SQLRowError(column: column) }
        return value
    }

    func integer(_ column: String) throws -> Int {
        guard let value = try optionalInteger(column) else { throw SQLRowError(column: column) }
        return Int(value)
    }

    func optionalInt(_ column: String) throws -> Int? { try optionalInteger(column).map(Int.init) }

    func double(_ column: String) throws -> Double {
        guard let value = try optionalDouble(column) else { throw SQLRowError(column: column) }
        return value
    }

    func blob(_ column: String) throws -> [UInt8] {
        guard let value = try optionalBlob(column) else { throw SQLRowError(column: column) }
        return value
    }
}

/// A column that was missing or NULL where a value must be.
struct SQLRowError: Error, CustomStringConvertible {
    var column: String
    var description: String { "column \(column) is missing or NULL" }
}

/// Where the two databases differ in the few places the shared queries care about.
public enum SQLDialect: Sendable {
    /// SQLite through GRDB.
    case sqlite
    /// PostgreSQL through PostgresNIO.
    case postgres

    /// The column that orders rows of `decisions`, `dispatch_items` and `notice_events` as they were written.
    var insertionOrder: String { self == .sqlite ? "rowid" : "seq" }
    /// Appended to a claim's SELECT so concurrent claimers skip each other's rows.
    var skipLocked: String { self == .sqlite ? "" : " FOR UPDATE SKIP LOCKED" }
}

/// Runs statements inside one transaction (or one read): the shared queries of both stores
/// are written against this, with `?` parameters.
public protocol SQLExecutor: SendableMetatype {
    /// The rows it returns.
    associatedtype Row: SQLRow
    /// Which database it is.
    var dialect: SQLDialect { get }
    /// The rows of `sql`.
    func rows(_ sql: String, _ values: [SQLValue]) throws -> [Row]
    /// Runs `sql`; returns the number of rows changed.
    @discardableResult
    func execute(_ sql: String, _ values: [SQLValue]) throws -> Int
    /// A write whose result is not needed: PostgreSQL pipelines it (see ``PostgresSession``);
    /// SQLite runs it at once. A failure surfaces by the end of the transaction.
    func send(_ sql: String, _ values: [SQLValue]) throws
    /// The first row of `sql`, if any.
    func row(_ sql: String, _ values: [SQLValue]) throws -> Row?
    /// Runs several statements without parameters (migrations, test and benchmark setup).
    func script(_ sql: String) throws
    /// Where the database stands as this connection sees it, inside a write transaction:
    /// two marks differ if anything was written between them, by this connection or by
    /// another. Nil where that cannot be told (PostgreSQL, with several writers at once).
    func writeMark() throws -> SQLWriteMark?
}

/// What ``SQLExecutor/writeMark()`` answers: SQLite's `data_version` (it changes when another
/// connection commits) and the rows this connection has changed since it opened.
public struct SQLWriteMark: Hashable, Sendable {
    /// `PRAGMA data_version`.
    public var dataVersion: Int64
    /// `sqlite3_total_changes64`.
    public var changes: Int64
}

extension SQLExecutor {
    /// Runs it at once (SQLite).
    public func send(_ sql: String, _ values: [SQLValue]) throws { try execute(sql, values) }

    /// Cannot be told.
    public func writeMark() throws -> SQLWriteMark? { nil }

    /// The first row of `sql`, if any.
    public func row(_ sql: String, _ values: [SQLValue]) throws -> Row? { try rows(sql, values).first }
}
