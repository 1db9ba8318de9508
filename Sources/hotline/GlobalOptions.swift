import ArgumentParser
import Foundation
import HotlineApp
import HotlineConfig
import HotlineCore

/// Options every command takes.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "The gateway config file.")
    var config: String = "Config/hotline.yaml"

    @Option(name: .long, help: "Where the gateway keeps its database.")
    var dataDir: String = "data"

    /// The composition root for this run: the config (the defaults when the default file is
    /// absent, an error when a given file is), with the command's overrides; warnings printed.
    func assembly(_ overrides: GatewayOverrides = GatewayOverrides()) throws -> GatewayAssembly {
        try Output.setup {
            let (assembly, warnings) = try GatewayAssembly.load(
                configPath: config, defaultsWhenMissing: config == "Config/hotline.yaml", dataDirectory: dataDir, overrides: overrides)
            Output.printDiagnostics(warnings)
            return assembly
        }
    }

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
