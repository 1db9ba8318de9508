import Foundation
import HotlineConfig
import HotlineCore
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import PostgresNIO

/// One connection, used by one thread at a time. The store's ports are synchronous (the
/// pipeline and the worker run on their own threads), so each statement waits for its
/// answer; the waiting happens off the event loop that talks to the server.
///
/// Writes whose result nobody reads (``send(_:_:)``) are not waited for: they are pipelined on
/// the connection, which runs statements in order, so a later read sees them; ``flush()``
/// (before COMMIT, and before any statement after a failure) collects their outcome.
public final class PostgresSession: @unchecked Sendable {
    let connection: PostgresConnection
    let logger: Logger
    private var pending: [EventLoopFuture<PostgresQueryResult>] = []

    init(connection: PostgresConnection, logger: Logger) {
        self.connection = connection
        self.logger = logger
    }

    /// Rows of `sql`, whose parameters are written `?` in order (as for SQLite).
    public func rows(_ sql: String, _ values: [SQLValue] = []) throws -> [PostgresRandomAccessRow] {
        try waited { try connection.query(Self.query(sql, values), logger: logger).wait().rows.map { $0.makeRandomAccess() } }
    }

    /// Runs `sql`; returns the number of rows it changed.
    @discardableResult
    public func execute(_ sql: String, _ values: [SQLValue] = []) throws -> Int {
        try waited { try connection.query(Self.query(sql, values), logger: logger).wait().metadata.rows ?? 0 }
    }

    /// Sends a write without waiting for it.
    public func send(_ sql: String, _ values: [SQLValue]) throws {
        pending.append(connection.query(try Self.query(sql, values), logger: logger))
        // Bounded, so a long transaction does not pile up futures.
        if pending.count >= 256 { try flush() }
    }

    /// Waits for every write sent; throws the first one's error (the cause, rather than the
    /// "transaction is aborted" the statements after it get).
    public func flush() throws {
        let sent = pending
        pending = []
        var first: (any Error)?
        for future in sent {
            do { _ = try future.wait() } catch { if first == nil { first = error } }
        }
        if let first { throw first }
    }

    /// Runs a statement after the writes sent before it; if one of them failed, that error.
    private func waited<T>(_ body: () throws -> T) throws -> T {
        if pending.isEmpty { return try body() }
        do {
            let result = try body()
            try flush()
            return result
        } catch {
            try flush()
            throw error
        }
    }

    /// Runs several statements without parameters (migrations, setup), one at a time: the extended
    /// protocol takes one statement per message. Statements end at a `;` that ends a line.
    public func script(_ sql: String) throws {
        for statement in sql.components(separatedBy: ";\n") where !statement.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            try execute(statement.trimmingCharacters(in: CharacterSet(charactersIn: ";").union(.whitespacesAndNewlines)))
        }
    }

    /// `?` placeholders become `$1`, `$2`…; the SQL in this target has no `?` inside literals.
    static func query(_ sql: String, _ values: [SQLValue]) throws -> PostgresQuery {
        var text = ""
        text.reserveCapacity(sql.utf8.count + values.count * 2)
        var index = 0
        for character in sql {
            if character == "?" {
                index += 1
                text += "$\(index)"
            } else {
                text.append(character)
            }
        }
        precondition(index == values.count, "\(index) placeholders for \(values.count) values in \(sql)")
        var bindings = PostgresBindings(capacity: values.count)
        for value in values {
            switch value {
            case .null: bindings.appendNull()
            case .text(let text): bindings.append(text)
            case .integer(let number): bindings.append(number)
            case .real(let number): bindings.append(number)
            case .blob(let bytes): bindings.append(ByteBuffer(bytes: bytes))
            case .texts(let texts): bindings.append(texts)
            }
        }
        return PostgresQuery(unsafeSQL: text, binds: bindings)
    }
}

extension PostgresSession: SQLExecutor {
    /// Which database it is.
    public var dialect: SQLDialect { .postgres }
}

extension PostgresRandomAccessRow: SQLRow {
    /// Text, or nil for NULL.
    public func optionalText(_ column: String) throws -> String? { try self[column].decode(String?.self) }
    /// An integer, or nil for NULL.
    public func optionalInteger(_ column: String) throws -> Int64? { try self[column].decode(Int64?.self) }
    /// A floating-point number, or nil for NULL.
    public func optionalDouble(_ column: String) throws -> Double? { try self[column].decode(Double?.self) }
    /// Bytes, or nil for NULL.
    public func optionalBlob(_ column: String) throws -> [UInt8]? {
        guard var buffer = try self[column].decode(ByteBuffer?.self) else { return nil }
        return buffer.readBytes(length: buffer.readableBytes) ?? []
    }
}

/// A few connections shared by the threads of one gateway process.
final class PostgresConnectionPool: @unchecked Sendable {
    let settings: PostgresSettings
    private let group: MultiThreadedEventLoopGroup
    private let lock = NSCondition()
    private var idle: [PostgresSession] = []
    private var open = 0
    private var nextID = 0
    private let logger: Logger

    init(settings: PostgresSettings) {
        self.settings = settings
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        var logger = Logger(label: "hotline.postgres")
        logger.logLevel = .critical
        self.logger = logger
    }

    deinit {
        for session in idle { try? session.connection.close().wait() }
        try? group.syncShutdownGracefully()
    }

    /// Runs `body` with a connection of its own; waits while all are in use.
    func withSession<T>(_ body: (PostgresSession) throws -> T) throws -> T {
        let session = try checkOut()
        do {
            let result = try body(session)
            checkIn(session)
            return result
        } catch {
            // A connection that failed mid-statement may be unusable: closed, not reused.
            if session.connection.isClosed { discard(session) } else { checkIn(session) }
            throw error
        }
    }

    private func checkOut() throws -> PostgresSession {
        lock.lock()
        while idle.isEmpty && open >= settings.connections { lock.wait() }
        if let session = idle.popLast() {
            lock.unlock()
            return session
        }
        open += 1
        nextID += 1
        let id = nextID
        lock.unlock()
        do {
            return try connect(id: id)
        } catch {
            lock.lock()
            open -= 1
            lock.signal()
            lock.unlock()
            throw error
        }
    }

    private func checkIn(_ session: PostgresSession) {
        lock.lock()
        idle.append(session)
        lock.signal()
        lock.unlock()
    }

    private func discard(_ session: PostgresSession) {
        lock.lock()
        open -= 1
        lock.signal()
        lock.unlock()
    }

    private func connect(id: Int) throws -> PostgresSession {
        let tls: PostgresConnection.Configuration.TLS = settings.requireTLS ? .require(try .init(configuration: .makeClientConfiguration())) : .disable
        let configuration = PostgresConnection.Configuration(
            host: settings.host, port: settings.port, username: settings.username, password: try settings.password?.reveal(), database: settings.database,
            tls: tls)
        let connection = try PostgresConnection.connect(on: group.next(), configuration: configuration, id: id, logger: logger).wait()
        return PostgresSession(connection: connection, logger: logger)
    }
}
