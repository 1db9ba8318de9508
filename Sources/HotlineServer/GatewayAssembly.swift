import Foundation
import HotlineConfig
import HotlineCore
import HotlineHashing
import HotlineHosting
import HotlineNet
import HotlineStore

/// Why the gateway's parts could not be put together: a message and every diagnostic.
public struct SetupError: Error, Sendable, CustomStringConvertible {
    /// What could not be set up.
    public var message: String
    /// The problems found in the files, if any.
    public var diagnostics: [Diagnostic]

    /// Creates an error.
    public init(_ message: String, diagnostics: [Diagnostic] = []) {
        self.message = message
        self.diagnostics = diagnostics
    }

    /// The message.
    public var description: String { message }
}

/// Builds the gateway's parts from its config: the same for the CLI commands and the server.
public enum GatewayAssembly {
    /// The DNS client the settings ask for (`nil`: off).
    public static func dnsClient(_ settings: [String]) throws(SetupError) -> DNSClient? {
        if settings.isEmpty || settings == ["off"] { return nil }
        if settings == ["system"] { return DNSClient() }
        var servers: [DNSClient.Server] = []
        for text in settings {
            guard let (address, port) = GatewayConfig.nameserver(text) else {
                throw SetupError("--dns must be off, system or nameservers like 127.0.0.1:5353, got \(JSONValue.string(text).serialized)")
            }
            servers.append(DNSClient.Server(address: address, port: port))
        }
        return DNSClient(servers: servers)
    }

    /// The RDAP client the setting asks for (`nil`: off).
    public static func rdapClient(_ setting: String, config: GatewayConfig) throws(SetupError) -> RDAPClient? {
        switch setting {
        case "off": return nil
        case "bootstrap":
            do {
                return RDAPClient(bootstrap: try RDAPClient.loadBootstrap(directory: config.rdapBootstrapPath))
            } catch {
                throw SetupError("RDAP bootstrap in \(config.rdapBootstrapPath): \(error.message)")
            }
        default:
            guard setting.hasPrefix("http://") || setting.hasPrefix("https://") else {
                throw SetupError("--rdap must be off, bootstrap or a base URL, got \(JSONValue.string(setting).serialized)")
            }
            return RDAPClient(bootstrap: RDAPBootstrap(singleServer: setting))
        }
    }

    /// The contact directory of the config (empty when the file does not exist); warnings are returned.
    public static func directory(config: GatewayConfig) throws(SetupError) -> (ContactDirectory, [Diagnostic]) {
        guard FileManager.default.fileExists(atPath: config.contactsPath) else { return (ContactDirectory(), []) }
        let (loaded, diagnostics) = ContactDirectoryLoader.load(config.contactsPath)
        guard let loaded else { throw SetupError("the contact directory did not load", diagnostics: diagnostics) }
        return (loaded, diagnostics)
    }

    /// The directory, the IP tables from the store, DNS and RDAP as configured.
    public static func resolver(config: GatewayConfig, directory: ContactDirectory, store: any GatewayStore, dns: [String]? = nil, rdap: String? = nil, offline: Bool = false) throws -> HostingResolver {
        let table = IPTable(try store.allIPRanges())
        let client = offline ? nil : try dnsClient(dns ?? config.dns)
        let registry = offline ? nil : try rdapClient(rdap ?? config.rdap, config: config)
        let suffixes = (try? String(contentsOfFile: config.publicSuffixListPath, encoding: .utf8)).map(PublicSuffixList.init(text:))
        return HostingResolver(directory: directory, ipTable: table, addressResolver: client, contactLookup: registry, registrarLookup: registry, publicSuffixes: suffixes, homeCountry: config.country)
    }

    /// The planner: recipients from the directory, the config's batch window.
    public static func planner(config: GatewayConfig, directory: ContactDirectory) -> DispatchPlanner {
        DispatchPlanner(directory: DirectoryRecipients(directory: directory), notifyWindow: config.dispatch.batchWindow)
    }

    /// The templates, checked against the rules that name them.
    public static func templates(config: GatewayConfig, ruleSet: RuleSet) throws(SetupError) -> (NoticeTemplates, [Diagnostic]) {
        let (templates, diagnostics) = TemplateLoader.load(config.dispatch.templatesPath)
        guard let templates else { throw SetupError("the notice templates did not load", diagnostics: diagnostics) }
        let problems = TemplateLoader.check(ruleSet, against: templates)
        if problems.containsErrors { throw SetupError("rules name templates that do not exist", diagnostics: diagnostics + problems) }
        return (templates, diagnostics + problems)
    }

    /// The dispatch worker.
    public static func worker(config: GatewayConfig, engine: DecisionEngine, templates: NoticeTemplates, store: any GatewayStore, resolver: HostingResolver, time: any TimeSource, afterDelivery: (@Sendable (OutboxMessage) -> Void)? = nil) -> DispatchWorker {
        let dispatch = config.dispatch
        let fetcher = SafeFetcher(
            resolver: resolver.addressResolver, policy: AddressPolicy(allowed: dispatch.fetchAllow),
            maximumBytes: dispatch.fetchMaximumBytes, timeout: TimeInterval(dispatch.fetchTimeout.seconds))
        return DispatchWorker(
            store: store, engine: engine, planner: planner(config: config, directory: resolver.directory),
            renderer: NoticeRenderer(identity: dispatch.identity, templates: templates),
            transport: NetNoticeTransport(smtp: SMTPClient(settings: dispatch.smtpSettings()), time: time),
            checker: dispatch.recheck ? FetchingURLChecker(fetcher: fetcher) : nil, hostingLookup: resolver,
            settings: dispatch.settings, time: time, afterDelivery: afterDelivery)
    }
}
