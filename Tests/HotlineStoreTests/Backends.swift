import Foundation
import HotlineConfig
import HotlineCore
import HotlineTesting
import Testing

@testable import HotlineStore

/// The backends every store test runs against: SQLite always; PostgreSQL where it is
/// installed (and always on CI, which installs it).
enum Backend: String, CaseIterable, CustomTestStringConvertible {
    case sqlite
    case postgres

    static let available: [Backend] = TestPostgres.available || TestPostgres.required ? [.sqlite, .postgres] : [.sqlite]

    var testDescription: String { rawValue }

    /// Runs a test on a fresh store of this backend; its body gets a way to open the store
    /// (again, as after a restart). Pass the same generic function twice:
    /// `try backend.run(body, body)`.
    func run(_ onSQLite: (() throws -> SQLiteStore) throws -> Void, _ onPostgres: (() throws -> PostgresStore) throws -> Void) throws {
        switch self {
        case .sqlite:
            let directory = NSTemporaryDirectory() + "hotline-store-" + UUID().uuidString
            defer { try? FileManager.default.removeItem(atPath: directory) }
            try onSQLite { try SQLiteStore(directory: directory) }
        case .postgres:
            let settings = try Self.postgresDatabase()
            try onPostgres { try PostgresStore(settings: settings) }
        }
    }

    /// A new database on the test server.
    static func postgresDatabase() throws -> PostgresSettings {
        let server = try #require(TestPostgres.shared, "PostgreSQL did not start (see the log above)")
        var settings = try PostgresSettings.parse(try server.createDatabase()).get()
        settings.password = .value(server.password)
        return settings
    }
}
