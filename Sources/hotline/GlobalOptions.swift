import ArgumentParser
import Foundation
import HotlineConfig
import HotlineCore
import HotlineServer
import HotlineStore

/// Options every command takes.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "The gateway config file.")
    var config: String = "Config/hotline.yaml"

    @Option(name: .long, help: "Where the gateway keeps its database.")
    var dataDir: String = "data"

    /// The config; the defaults when the default file is absent, an error when a given file is.
    func loadConfig() throws -> GatewayConfig {
        let isDefault = config == "Config/hotline.yaml"
        if isDefault && !FileManager.default.fileExists(atPath: config) { return .defaults }
        let (loaded, diagnostics) = GatewayConfig.load(config)
        Output.printDiagnostics(diagnostics)
        guard let loaded else { throw ExitCode(2) }
        return loaded
    }
}

extension GlobalOptions {
    /// The store the config names: SQLite in `--data-dir` (the default) or PostgreSQL; exits 2
    /// with a message when it cannot be opened.
    /// Pass `config` when the command loaded it already (so its warnings print once).
    func openStore(config loaded: GatewayConfig? = nil) throws -> any GatewayStore {
        let config = try loaded ?? loadConfig()
        switch config.postgresSettings() {
        case nil:
            do {
                return try SQLiteStore(directory: dataDir)
            } catch {
                Output.err("hotline: cannot open the store in \(dataDir): \(error)\n")
                throw ExitCode(2)
            }
        case .failure(let error)?:
            Output.err("hotline: storage: \(error.message)\n")
            throw ExitCode(2)
        case .success(let settings)?:
            do {
                return try PostgresStore(settings: settings)
            } catch {
                Output.err("hotline: cannot open the PostgreSQL store at \(settings.host):\(settings.port)/\(settings.database): \(error)\n")
                throw ExitCode(2)
            }
        }
    }

    /// The person running the CLI, as the audit log names them.
    static var actor: String { "cli:\(NSUserName())" }
}

extension GatewayStore {
    /// Records what an operator did from the CLI in the audit log.
    func audit(_ event: String, _ detail: JSONObject) throws {
        try write { try $0.appendAudit(AuditEntry(at: Date(), actor: GlobalOptions.actor, event: event, detail: detail)) }
    }
}

/// Writing to the standard streams unbuffered, so that a printed line is out of the process
/// as soon as the call returns (ingest prints a decision only once it is durable).
enum Output {
    static func out(_ text: String) { write(text, to: STDOUT_FILENO) }

    static func err(_ text: String) { write(text, to: STDERR_FILENO) }

    private static func write(_ text: String, to descriptor: Int32) {
        var text = text
        text.withUTF8 { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Foundation.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return
                }
                offset += written
            }
        }
    }

    /// Runs setup code; a ``SetupError`` is printed with its diagnostics and exits 2.
    static func setup<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as SetupError {
            printDiagnostics(error.diagnostics)
            err("hotline: \(error.message)\n")
            throw ExitCode(2)
        }
    }

    static func printDiagnostics(_ diagnostics: [Diagnostic]) {
        for diagnostic in diagnostics { err(diagnostic.description + "\n") }
    }

    /// Loads rules, printing every diagnostic; exits 1 when they do not load.
    static func loadRules(_ paths: [String]) throws -> RuleSet {
        let result = RuleLoader.load(paths: paths)
        printDiagnostics(result.diagnostics)
        guard let ruleSet = result.ruleSet else {
            let errors = result.diagnostics.filter { $0.severity == .error }.count
            err("rules not loaded: \(errors) error\(errors == 1 ? "" : "s")\n")
            throw ExitCode(1)
        }
        return ruleSet
    }
}
