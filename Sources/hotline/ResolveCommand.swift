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

    /// The RDAP client the setting asks for (`nil`: off).
    static func rdapClient(_ setting: String, config: GatewayConfig) throws -> RDAPClient? {
        switch setting {
        case "off": return nil
        case "bootstrap":
            do {
                return RDAPClient(bootstrap: try RDAPClient.loadBootstrap(directory: config.rdapBootstrapPath))
            } catch {
                Output.err("hotline: RDAP bootstrap in \(config.rdapBootstrapPath): \(error.message)\n")
                throw ExitCode(2)
            }
        default:
            guard setting.hasPrefix("http://") || setting.hasPrefix("https://") else {
                Output.err("hotline: --rdap must be off, bootstrap or a base URL, got \(JSONValue.string(setting).serialized)\n")
                throw ExitCode(2)
            }
            return RDAPClient(bootstrap: RDAPBootstrap(singleServer: setting))
        }
    }

    /// The directory from the config, the IP tables from the store, DNS and RDAP as configured.
    static func resolver(config: GatewayConfig, store: SQLiteStore, dns: [String]? = nil, rdap: String? = nil, offline: Bool = false) throws -> HostingResolver {
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
        let registry = offline ? nil : try rdapClient(rdap ?? config.rdap, config: config)
        let suffixes = (try? String(contentsOfFile: config.publicSuffixListPath, encoding: .utf8)).map(PublicSuffixList.init(text:))
        return HostingResolver(directory: directory, ipTable: table, addressResolver: client, contactLookup: registry, registrarLookup: registry, publicSuffixes: suffixes, homeCountry: config.country)
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
        let store = try global.openStore()
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
