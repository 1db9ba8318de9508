import Foundation
import GRDB

extension Row: SQLRow {
    /// Text, or nil for NULL.
    public func optionalText(_ column: String) throws -> String? { self[column] }
    /// An integer, or nil for NULL.
    public func optionalInteger(_ column: String) throws -> Int64? { self[column] }
    /// Bytes, or nil for NULL.
    public func optionalBlob(_ column: String) throws -> [UInt8]? { (self[column] as Data?).map { [UInt8]($0) } }
    /// A floating-point number, or nil for NULL.
    public func optionalDouble(_ column: String) throws -> Double? { self[column] }
}

extension SQLValue {
    var databaseValue: DatabaseValue {
        switch self {
        case .null: .null
        case .text(let text): text.databaseValue
        case .integer(let number): number.databaseValue
        case .real(let number): number.databaseValue
        case .blob(let bytes): Data(bytes).databaseValue
        case .texts: preconditionFailure("text arrays are for PostgreSQL's queries only")
        }
    }

    /// `values` as GRDB's arguments. Not `StatementArguments([DatabaseValue])`: that generic
    /// initializer projects a key path GRDB's module cannot specialize, instantiated again on
    /// every statement (7.8% of an ingest's time in a profile, most of it type metadata lookups).
    static func arguments(_ values: [SQLValue]) -> StatementArguments {
        StatementArguments(values.map { value -> (any DatabaseValueConvertible)? in value.databaseValue })
    }
}

extension Database: SQLExecutor {
    /// Which database it is.
    public var dialect: SQLDialect { .sqlite }

    /// The rows of `sql`.
    public func rows(_ sql: String, _ values: [SQLValue]) throws -> [Row] {
        try Row.fetchAll(cachedStatement(sql: sql), arguments: SQLValue.arguments(values))
    }

    /// Runs several statements without parameters.
    public func script(_ sql: String) throws { try execute(sql: sql) }

    /// The first row of `sql`, if any.
    public func row(_ sql: String, _ values: [SQLValue]) throws -> Row? {
        try Row.fetchOne(cachedStatement(sql: sql), arguments: SQLValue.arguments(values))
    }

    /// A transaction's type.
    @discardableResult
    public func execute(_ sql: String, _ values: [SQLValue]) throws -> Int {
        try cachedStatement(sql: sql).execute(arguments: SQLValue.arguments(values))
        return changesCount
    }
}
