import Foundation
import GRDB
import HotlineCore
import HotlineTesting
import Testing

@testable import HotlineStore

/// The two databases are built by one list of migrations; their live schemas must say the
/// same: tables, columns and types, keys, indexes, constraints and append-only triggers.
@Suite struct SchemaComparisonTests {
    @Test func sqliteAndPostgresHaveTheSameSchema() throws {
        guard Backend.available.contains(.postgres) else { return }
        let directory = NSTemporaryDirectory() + "hotline-schema-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let sqlite = try SQLiteStore(directory: directory)
        let postgres = try PostgresStore(settings: try Backend.postgresDatabase())
        let left = try sqlite.reading { try SchemaDescription.read($0) }
        let right = try postgres.reading { try SchemaDescription.read($0) }
        #expect(left.tables.count == 39, Comment(rawValue: left.description))
        let differences = left.differences(from: right, names: ("SQLite", "PostgreSQL"))
        #expect(differences.isEmpty, Comment(rawValue: "\n" + differences.joined(separator: "\n")))
    }

    @Test func bothDatabasesRecordTheSameMigrationNames() throws {
        guard Backend.available.contains(.postgres) else { return }
        let directory = NSTemporaryDirectory() + "hotline-schema-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let sqlite = try SQLiteStore(directory: directory)
        let postgres = try PostgresStore(settings: try Backend.postgresDatabase())
        let names = { (db: any SQLExecutor) in try db.rows("SELECT name FROM schema_migrations ORDER BY name", []).map { try $0.text("name") } }
        let onSQLite = try sqlite.reading { try names($0) }
        #expect(onSQLite == Migrations.names)
        #expect(try postgres.reading { try names($0) } == onSQLite)
    }

    @Test func aDatabaseOfAnEarlierVersionFinishesItsHistoryAndGoesOnFromTheBaseline() throws {
        let directory = NSTemporaryDirectory() + "hotline-schema-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = directory + "/hotline.sqlite"
        do {
            // As an earlier release left it: part of the old history, with an audit entry.
            let pool = try DatabasePool(path: path)
            try SQLiteMigrations.migrator.migrate(pool, upTo: "v7-api-tokens-queue")
            try pool.write { try $0.execute(sql: "INSERT INTO audit_log (at, actor, event, detail) VALUES ('2026-11-01T00:00:00.000Z', 'cli', 'old', '{}')") }
        }
        let store = try SQLiteStore(path: path)
        #expect(try store.reading { try String.fetchAll($0, sql: "SELECT name FROM schema_migrations ORDER BY name") } == Migrations.names)
        #expect(try store.verifyAuditLog().problems == [])
        #expect(try store.verifyAuditLog().entries == 1)
        let fresh = try SQLiteStore(directory: directory + "/fresh")
        let differences = try store.reading { try SchemaDescription.read($0) }.differences(
            from: try fresh.reading { try SchemaDescription.read($0) }, names: ("upgraded", "fresh"))
        #expect(differences.isEmpty, Comment(rawValue: "\n" + differences.joined(separator: "\n")))
    }
}
