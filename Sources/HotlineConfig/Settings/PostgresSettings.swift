import Foundation

/// Where the PostgreSQL store is and how to log in: `postgres://USER@HOST:PORT/DATABASE`,
/// with the password from an environment variable or a file, never from the URL or the
/// config itself (configs are committed and shared; secrets are not).
public struct PostgresSettings: Sendable, Hashable {
    /// The server's host name or address.
    public var host: String
    /// Its port.
    public var port: Int
    /// The role to log in as.
    public var username: String
    /// The password, when the server asks for one.
    public var password: Secret?
    /// The database.
    public var database: String
    /// Whether TLS is required: on for every host but loopback unless the URL says
    /// `sslmode=disable` (a database on another machine is reached across a network).
    public var requireTLS: Bool
    /// Connections kept per instance.
    public var connections: Int

    /// Creates settings.
    public init(host: String, port: Int = 5432, username: String, password: Secret? = nil, database: String, requireTLS: Bool = false, connections: Int = 4) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
        self.requireTLS = requireTLS
        self.connections = connections
    }

    /// Reads `postgres://USER@HOST[:PORT]/DATABASE[?sslmode=disable|require&connections=N]`;
    /// the error says what is wrong with it.
    public static func parse(_ url: String) -> Result<PostgresSettings, StoreConfigurationError> {
        guard let components = URLComponents(string: url), ["postgres", "postgresql"].contains(components.scheme ?? "") else {
            return .failure(StoreConfigurationError("a PostgreSQL store is named postgres://USER@HOST:PORT/DATABASE, got \(url)"))
        }
        guard components.password == nil else {
            return .failure(
                StoreConfigurationError("the storage URL must not hold the password; name an environment variable in password_env or a file in password_file"))
        }
        guard let host = components.host, !host.isEmpty, let user = components.user, !user.isEmpty else {
            return .failure(StoreConfigurationError("the storage URL needs a user and a host: postgres://USER@HOST:PORT/DATABASE, got \(url)"))
        }
        let database = String(components.path.drop { $0 == "/" })
        guard !database.isEmpty, !database.contains("/") else {
            return .failure(StoreConfigurationError("the storage URL needs a database name after the host: postgres://USER@HOST:PORT/DATABASE, got \(url)"))
        }
        var settings = PostgresSettings(
            host: host, port: components.port ?? 5432, username: user, database: database, requireTLS: !LoopbackHost.contains(host))
        for item in components.queryItems ?? [] {
            switch (item.name, item.value) {
            case ("sslmode", "disable"): settings.requireTLS = false
            case ("sslmode", "require"): settings.requireTLS = true
            case ("connections", let value?) where Int(value).map({ (1...64).contains($0) }) == true: settings.connections = Int(value)!
            default:
                return .failure(
                    StoreConfigurationError("unknown storage URL option \(item.name)=\(item.value ?? ""); known: sslmode=disable|require, connections=1…64"))
            }
        }
        return .success(settings)
    }
}

/// A storage setting that cannot be used, and why.
public struct StoreConfigurationError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What is wrong.
    public var message: String
    /// Creates an error.
    public init(_ message: String) { self.message = message }
    /// The message.
    public var description: String { message }
}

/// Where the gateway keeps its data: `storage:` in the config.
public enum StorageSetting: Hashable, Sendable {
    /// SQLite in the data directory: the embedded default, one instance.
    case sqlite
    /// PostgreSQL, for several instances on one database.
    case postgres(PostgresSettings)
}
