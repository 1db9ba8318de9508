import Foundation
import GRDB

extension Row: SQLRow {
    public func optionalText(_ column: String) throws -> String? { self[column] }
    public func optionalInteger(_ column: String) throws -> Int64? { self[column] }
    public func optionalBlob(_ column: String) throws -> [UInt8]? { (self[column] as Data?).map { [UInt8]($0) } }
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
}

extension Database: SQLExecutor {
    public var dialect: SQLDialect { .sqlite }

    public func rows(_ sql: String, _ values: [SQLValue]) throws -> [Row] {
        try Row.fetchAll(cachedStatement(sql: sql), arguments: StatementArguments(values.map(\.databaseValue)))
    }

    public func row(_ sql: String, _ values: [SQLValue]) throws -> Row? {
        try Row.fetchOne(cachedStatement(sql: sql), arguments: StatementArguments(values.map(\.databaseValue)))
    }

    @discardableResult
    public func execute(_ sql: String, _ values: [SQLValue]) throws -> Int {
        try cachedStatement(sql: sql).execute(arguments: StatementArguments(values.map(\.databaseValue)))
        return changesCount
    }
}
