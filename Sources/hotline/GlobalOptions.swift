import ArgumentParser
import Foundation
import HotlineApp
import HotlineConfig
import HotlineCore

/// Options every command takes.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "The gateway config file, or \"builtin\" for the built-in defaults.")
    var config: String = "Config/hotline.yaml"

    @Option(name: .long, help: "Where the gateway keeps its database.")
    var dataDir: String = "data"

    /// The composition root for this run: the config, with the command's overrides; warnings
    /// printed. A missing config is an error that names the path looked for: run from the
    /// wrong folder, the gateway would otherwise start on defaults and a fresh `./data/`, and
    /// reports would go where nobody looks. `--config builtin` asks for the defaults openly.
    func assembly(_ overrides: GatewayOverrides = GatewayOverrides()) throws -> GatewayAssembly {
        try Output.setup {
            let (assembly, warnings) = try loadAssembly(overrides)
            Output.printDiagnostics(warnings)
            return assembly
        }
    }

    /// The assembly and its warnings, or the ``SetupError`` (for callers that collect problems).
    func loadAssembly(_ overrides: GatewayOverrides = GatewayOverrides()) throws(SetupError) -> (GatewayAssembly, [Diagnostic]) {
        if config == Self.builtin { return (GatewayAssembly(config: .defaults, dataDirectory: dataDir, overrides: overrides), []) }
        guard FileManager.default.fileExists(atPath: config) else {
            let absolute = URL(fileURLWithPath: config).standardizedFileURL.path
            throw SetupError(
                "no config file at \(absolute)\(config == "Config/hotline.yaml" ? " (the default)" : ""): run from the gateway's folder, "
                    + "pass --config FILE, or --config builtin for the built-in defaults")
        }
        return try GatewayAssembly.load(configPath: config, dataDirectory: dataDir, overrides: overrides)
    }

    /// The `--config` value that asks for the built-in defaults.
    static let builtin = "builtin"

    /// The store the config names (SQLite in `--data-dir` by default, or PostgreSQL).
    func openStore(_ assembly: GatewayAssembly? = nil) throws -> any GatewayStorage {
        let assembly = try assembly ?? self.assembly()
        return try Output.setup { try assembly.openStore() }
    }

    /// The person running the CLI, as the audit log names them.
    static var actor: String { "cli:\(NSUserName())" }
}

/// How hosting is looked up: `--offline`, `--dns`, `--rdap`, overriding the config.
struct ResolverOptions: ParsableArguments {
    @Flag(help: "Resolve hosting from the directory, imported tables and cache only: no DNS, no RDAP.")
    var offline = false

    @Option(help: "DNS: off, system, or nameservers ADDRESS[:PORT] (repeatable); overrides the config.")
    var dns: [String] = []

    @Option(help: "RDAP: off, bootstrap, or one server's base URL; overrides the config.")
    var rdap: String?

    /// These options over `overrides`; exits 2 with the reason when a value is unusable.
    func apply(to overrides: GatewayOverrides = GatewayOverrides()) throws -> GatewayOverrides {
        var overrides = overrides
        overrides.offline = offline
        if !dns.isEmpty {
            guard let setting = DNSSetting(dns) else {
                let bad = dns.first { DNSSetting([$0]) == nil } ?? dns.joined(separator: " ")
                Output.err("hotline: --dns must be off, system or nameservers like 127.0.0.1:5353, got \(JSONValue.string(bad).serialized)\n")
                throw ExitCode(2)
            }
            overrides.dns = setting
        }
        if let rdap {
            guard let setting = RDAPSetting(rdap) else {
                Output.err("hotline: --rdap must be off, bootstrap or a base URL, got \(JSONValue.string(rdap).serialized)\n")
                throw ExitCode(2)
            }
            overrides.rdap = setting
        }
        return overrides
    }
}

extension AuditLog {
    /// Records what an operator did from the CLI in the audit log.
    func audit(_ event: String, _ detail: JSONObject) throws {
        try appendAudit(AuditEntry(at: Date(), actor: GlobalOptions.actor, event: event, detail: detail))
    }
}

/// Writing to the standard streams unbuffered, so that a printed line is out of the process
/// as soon as the call returns (ingest prints a decision only once it is durable).
enum Output {
    static func out(_ text: String) { write(text, to: STDOUT_FILENO) }

    /// Text already encoded as UTF-8 (ingest's result lines).
    static func out(_ bytes: [UInt8]) { bytes.withUnsafeBufferPointer { write($0, to: STDOUT_FILENO) } }

    static func err(_ text: String) { write(text, to: STDERR_FILENO) }

    private static func write(_ text: String, to descriptor: Int32) {
        var text = text
        text.withUTF8 { write($0, to: descriptor) }
    }

    private static func write(_ buffer: UnsafeBufferPointer<UInt8>, to descriptor: Int32) {
        guard let base = buffer.baseAddress else { return }
        var offset = 0
        while offset < buffer.count {
            let written = Foundation.write(descriptor, base + offset, buffer.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                return
            }
            offset += written
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

    /// The rules of `assembly`, printing every diagnostic; exits 1 when they do not load.
    static func ruleSet(_ assembly: GatewayAssembly) throws -> RuleSet {
        do {
            let (ruleSet, warnings) = try assembly.ruleSet()
            printDiagnostics(warnings)
            return ruleSet
        } catch {
            printDiagnostics(error.diagnostics)
            err(error.message + "\n")
            throw ExitCode(1)
        }
    }
}
