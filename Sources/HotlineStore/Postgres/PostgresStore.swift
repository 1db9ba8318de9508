import Foundation
import HotlineConfig
import HotlineCore
import PostgresNIO

/// The store on PostgreSQL, for several gateway instances on one database. The same ports and
/// the same queries as ``SQLiteStore``; what differs is concurrency:
///
/// - Intake transactions of different instances run side by side. Each batch first locks its
///   URLs, client ids and content hashes (advisory locks, in one order), so a batch touching
///   the same keys as another waits for its commit and then sees its cases; it reads those
///   keys ahead and writes its rows one multi-row INSERT per table (``SQLTransaction``).
///   Should two writers still collide on a unique index, or deadlock, or fail to serialize,
///   the later transaction is rolled back and run again.
/// - The audit chain is extended under an advisory lock held to commit.
/// - Workers claim due messages and notices with `FOR UPDATE SKIP LOCKED` and a lease.
public final class PostgresStore: SQLStore, Sendable {
    let connections: PostgresConnectionPool
    /// Transactions run again at most this often after a conflict with another instance.
    static let attempts = 8

    /// Batches lock and read ahead their keys (several instances write at once).
    public var usesIntakeKeys: Bool { true }

    /// Connects and migrates (instances starting together migrate once).
    public init(settings: PostgresSettings) throws {
        connections = PostgresConnectionPool(settings: settings)
        try connections.withSession { try Migrations.migrate($0) }
    }

    /// Runs `body` in a transaction, again when it lost a race with another instance.
    @discardableResult
    public func writing<T>(_ body: (PostgresSession) throws -> T) throws -> T {
        try connections.withSession { session in
            var attempt = 0
            while true {
                attempt += 1
                try session.execute("BEGIN")
                do {
                    let result = try body(session)
                    try session.flush()
                    try session.execute("COMMIT")
                    return result
                } catch {
                    _ = try? session.flush()
                    _ = try? session.execute("ROLLBACK")
                    guard attempt < Self.attempts, Self.isRace(error) else { throw Self.translated(error) }
                    // Back off a little, differently each time, so the racers do not meet again.
                    usleep(useconds_t.random(in: 1_000...(5_000 * useconds_t(attempt))))
                }
            }
        }
    }

    /// A read outside any explicit transaction.
    public func reading<T>(_ body: (PostgresSession) throws -> T) throws -> T {
        do {
            return try connections.withSession(body)
        } catch {
            throw Self.translated(error)
        }
    }

    /// Unique violation, serialization failure, deadlock: another instance got there first.
    static func isRace(_ error: any Error) -> Bool {
        guard let error = error as? PSQLError, let code = error.serverInfo?[.sqlState] else { return false }
        return ["23505", "40001", "40P01"].contains(code)
    }

    /// The server's answer with its SQLSTATE (which ``StoreFailure`` reads: disk full is
    /// answered like SQLite's).
    static func translated(_ error: any Error) -> any Error {
        guard let psql = error as? PSQLError, let code = psql.serverInfo?[.sqlState] else { return error }
        return PostgresStoreError(code: code, message: psql.serverInfo?[.message] ?? "\(psql)")
    }
}

/// An error PostgreSQL answered, with its SQLSTATE.
public struct PostgresStoreError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The SQLSTATE code (`23505`, …).
    public var code: String
    /// The server's message.
    public var message: String
    /// `message (SQLSTATE code)`.
    public var description: String { "\(message) (SQLSTATE \(code))" }
}
