import ArgumentParser
import Foundation
import HotlineConfig
import HotlineCore
import HotlineHosting
import HotlineNet
import HotlineServer
import HotlineStore

/// Loading the hosting resolver for commands that need it.
enum HostingSetup {
    /// The directory from the config, the IP tables from the store, DNS and RDAP as configured;
    /// problems printed, exit 2 when unusable.
    static func resolver(config: GatewayConfig, store: any GatewayStore, dns: [String]? = nil, rdap: String? = nil, offline: Bool = false) throws -> HostingResolver {
        try Output.setup {
            let (directory, warnings) = try GatewayAssembly.directory(config: config)
            Output.printDiagnostics(warnings)
            return try GatewayAssembly.resolver(config: config, directory: directory, store: store, dns: dns, rdap: rdap, offline: offline)
        }
    }
}

/// `hotline resolve URL…`.
struct ResolveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resolve",
        abstract: "Show where URLs are hosted and who is responsible, step by step.",
        discussion: "Uses the contact directory (Config/contacts.yaml), the imported IP tables, IP-literal hosts and, when configured (`dns:` and `rdap:` in the config, or --dns and --rdap), DNS and RDAP.")

    @OptionGroup var global: GlobalOptions
    @Flag(help: "Print JSON, one object per URL.") var json = false
    @Flag(help: "Use only the directory, imported tables and cache: no DNS, no RDAP.") var offline = false
    @Option(help: "DNS: off, system, or nameservers ADDRESS[:PORT] (repeatable); overrides the config.") var dns: [String] = []
    @Option(help: "RDAP: off, bootstrap, or one server's base URL; overrides the config.") var rdap: String?
    @Argument(help: "URLs.") var urls: [String]

    func run() throws {
        let config = try global.loadConfig()
        let store = try global.openStore(config: config)
        let resolver = try HostingSetup.resolver(config: config, store: store, dns: dns.isEmpty ? nil : dns, rdap: rdap, offline: offline)
        var failed = false
        for text in urls {
            let url: CanonicalURL
            do {
                url = try URLCanonicalizer.canonicalize(text)
            } catch {
                Output.err("\(text): \(error.message)\n")
                failed = true
                continue
            }
            let resolution = resolver.resolve(host: url.host)
            if json {
                Output.out(JSONValue.object(["url": .string(url.canonical)]).serialized.dropLast() + "," + resolution.json.serialized.dropFirst() + "\n")
                continue
            }
            var lines = "\(url.canonical)\n"
            for step in resolution.steps { lines += "  \(step.step.padding(toLength: 8, withPad: " ", startingAt: 0)) [\(step.source)] \(step.detail)\n" }
            var facts = Facts()
            resolution.apply(to: &facts)
            lines += "  facts    " + JSONValue.object(facts.json).serialized + "\n"
            Output.out(lines)
        }
        if failed { throw ExitCode(1) }
    }
}
