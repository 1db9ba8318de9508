import ArgumentParser
import Foundation
import HotlineApp
import HotlineCore
import HotlineServer
import Logging

/// `hotline serve`: the HTTP API with intake, dispatch and rules reload, until SIGTERM.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the gateway: HTTP API, intake, dispatch worker and rules reload, until SIGTERM or SIGINT.",
        discussion: """
            SIGTERM/SIGINT: stop accepting, finish requests in flight and the worker's pass, exit.
            SIGHUP, a changed rule, contact or template file, or POST /v1/admin/rules/reload reload
            rules and contacts; files with errors are refused and the running rules stay.
            Tokens: hotline tokens create --role reporter|provider|analyst|admin [--org ID].
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "Address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "Port to listen on (0: any free port, printed when listening).")
    var port = 8080

    @Option(help: "Seconds between dispatch worker passes.")
    var workInterval: Double = 10

    @Option(help: "Seconds between mailbox polls (when mailboxes are configured).")
    var mailInterval: Double = 60

    @Flag(help: "No DNS or RDAP lookups.")
    var offline = false

    @Option(help: "Log lines on standard error: text or json (one object per line).")
    var logFormat: GatewayLogHandler.Format = .text

    func validate() throws {
        try ArgumentChecks.port(port)
        try ArgumentChecks.interval(workInterval, option: "--work-interval")
        try ArgumentChecks.interval(mailInterval, option: "--mail-interval")
    }

    func run() async throws {
        let format = logFormat
        var logger = Logger(label: "hotline") { GatewayLogHandler(label: $0, format: format) }
        logger.logLevel = .info
        // Setup problems go through the logger too: with --log-format json every line on
        // standard error is one JSON record.
        func setup<T>(_ body: () throws(SetupError) -> T) throws -> T {
            do {
                return try body()
            } catch {
                for diagnostic in error.diagnostics { logger.log(level: diagnostic.severity == .error ? .error : .warning, "\(diagnostic)") }
                logger.critical("not started: \(error.message)")
                throw ExitCode(2)
            }
        }
        let (gateway, warnings) = try setup { () throws(SetupError) in try global.loadAssembly(GatewayOverrides(offline: offline)) }
        for warning in warnings { logger.warning("\(warning)") }
        let store = try setup { () throws(SetupError) in try gateway.openStore() }
        let runtime = try setup { () throws(SetupError) in try gateway.runtime(store: store) }
        let server = GatewayServer(runtime: runtime)
        let syncers = try setup { () throws(SetupError) in try gateway.hashSyncers() }
        let app = server.application(
            host: host, port: port, workInterval: .milliseconds(Int(workInterval * 1000)), mailInterval: .milliseconds(Int(mailInterval * 1000)),
            logger: logger,
            hashSyncers: syncers
        ) { [logger] port in
            logger.info("listening", metadata: ["address": "http://\(host):\(port)", "rules": "\(runtime.parts.engine.ruleSet.digest)"])
        }
        try await app.runService()
    }
}

/// `hotline tokens create|list|revoke`.
struct TokensCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokens",
        abstract: "API bearer tokens: create (the secret is shown once), list, revoke.",
        subcommands: [Create.self, List.self, Revoke.self]
    )

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a token; the token alone is on the last line printed.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "reporter, provider, analyst or admin.")
        var role: String
        @Option(help: "Organisation: for providers, the contact directory id whose notices the token sees.")
        var org: String?
        @Option(help: "A note for people.")
        var label: String?

        func run() throws {
            guard let role = APIRole(rawValue: role) else {
                Output.err("hotline: --role must be reporter, provider, analyst or admin, got \(JSONValue.string(role).serialized)\n")
                throw ExitCode(2)
            }
            if role == .provider && org == nil {
                Output.err("hotline: a provider token needs --org, the contact directory id of the provider\n")
                throw ExitCode(2)
            }
            let gateway = try global.assembly()
            if role == .provider, let org {
                // A provider token sees the notices to its directory entry: an id the directory
                // does not know would make a token that sees nothing, and nobody would notice.
                let (directory, _) = try Output.setup { try gateway.directory() }
                guard directory.contacts.contains(where: { $0.id == org }) else {
                    let near = directory.contacts.map(\.id).min { editDistance($0, org) < editDistance($1, org) }
                    let hint = near.flatMap { editDistance($0, org) <= 3 ? "; did you mean \(JSONValue.string($0).serialized)?" : nil } ?? ""
                    Output.err(
                        "hotline: --org \(JSONValue.string(org).serialized) is not an id in the contact directory \(gateway.config.contactsPath)\(hint)\n")
                    throw ExitCode(2)
                }
            }
            let store = try global.openStore(gateway)
            let secret = TokenSecrets.make()
            let token = APIToken(id: UUIDv7Generator().next(), role: role, org: org, label: label, createdAt: Date())
            try store.insertToken(token, secretHash: TokenSecrets.hash(secret))
            Output.out("token \(token.id) for role \(role.rawValue)\(org.map { " (\($0))" } ?? ""); keep it secret, it is not shown again:\n\(secret)\n")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List tokens (never their secrets), one JSON object per line.")
        @OptionGroup var global: GlobalOptions

        func run() throws {
            for token in try global.openStore().tokens() {
                var object: JSONObject = [
                    "id": .string(token.id), "role": .string(token.role.rawValue), "created_at": .string(RFC3339.format(token.createdAt)),
                ]
                if let org = token.org { object.append("org", .string(org)) }
                if let label = token.label { object.append("label", .string(label)) }
                if let revoked = token.revokedAt { object.append("revoked_at", .string(RFC3339.format(revoked))) }
                Output.out(JSONValue.object(object).serialized + "\n")
            }
        }
    }

    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a token by id (effective within seconds on a running server).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The token's id.")
        var id: String

        func run() throws {
            guard try global.openStore().revokeToken(id: id, at: Date(), actor: GlobalOptions.actor) else {
                Output.err("hotline: no live token \(id)\n")
                throw ExitCode(1)
            }
            Output.out("revoked \(id)\n")
        }
    }
}

extension GatewayLogHandler.Format: ExpressibleByArgument {}
