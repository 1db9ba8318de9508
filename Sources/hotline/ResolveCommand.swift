import ArgumentParser
import Foundation
import HotlineConfig
import HotlineCore
import HotlineHosting
import HotlineNet
import HotlineStore

/// Loading the hosting resolver for commands that need it.
enum HostingSetup {
    /// The DNS client the settings ask for (`nil`: offline).
    static func dnsClient(_ settings: [String]) throws -> DNSClient? {
        if settings.isEmpty || settings == ["off"] { return nil }
        if settings == ["system"] { return DNSClient() }
        var servers: [DNSClient.Server] = []
        for text in settings {
            guard let (address, port) = GatewayConfig.nameserver(text) else {
                Output.err("hotline: --dns must be off, system or nameservers like 127.0.0.1:5353, got \(JSONValue.string(text).serialized)\n")
                throw ExitCode(2)
            }
            servers.append(DNSClient.Server(address: address, port: port))
        }
        return DNSClient(servers: servers)
    }

    /// The directory from the config, the IP tables from the store, DNS as configured.
    static func resolver(config: GatewayConfig, store: SQLiteStore, dns: [String]? = nil, offline: Bool = false) throws -> HostingResolver {
        var directory = ContactDirectory()
        if FileManager.default.fileExists(atPath: config.contactsPath) {
            let (loaded, diagnostics) = ContactDirectoryLoader.load(config.contactsPath)
            Output.printDiagnostics(diagnostics)
            guard let loaded else {
                Output.err("hotline: the contact directory did not load\n")
                throw ExitCode(2)
            }
            directory = loaded
        }
        let table = IPTable(try store.allIPRanges())
        let client = offline ? nil : try dnsClient(dns ?? config.dns)
        return HostingResolver(directory: directory, ipTable: table, addressResolver: client, homeCountry: config.country)
    }
}

/// `hotline resolve URL…`.
struct ResolveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resolve",
        abstract: "Show where URLs are hosted and who is responsible, step by step.",
        discussion: "Uses the contact directory (Config/contacts.yaml), the imported IP tables, IP-literal hosts and, when configured (`dns:` in the config or --dns), DNS. RDAP lookups are not part of this build yet.")

    @OptionGroup var global: GlobalOptions
    @Flag(help: "Print JSON, one object per URL.") var json = false
    @Flag(help: "Use only the directory, imported tables and cache: no DNS.") var offline = false
    @Option(help: "DNS: off, system, or nameservers ADDRESS[:PORT] (repeatable); overrides the config.") var dns: [String] = []
    @Argument(help: "URLs.") var urls: [String]

    func run() throws {
        let config = try global.loadConfig()
        let store = try HashesCommand.openStore(global)
        let resolver = try HostingSetup.resolver(config: config, store: store, dns: dns.isEmpty ? nil : dns, offline: offline)
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
