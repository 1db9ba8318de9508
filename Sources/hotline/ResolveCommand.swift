import ArgumentParser
import Foundation
import HotlineConfig
import HotlineCore
import HotlineHosting
import HotlineStore

/// Loading the hosting resolver for commands that need it.
enum HostingSetup {
    /// The directory from the config, the IP tables from the store.
    static func resolver(config: GatewayConfig, store: SQLiteStore) throws -> HostingResolver {
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
        return HostingResolver(directory: directory, ipTable: table, addressResolver: nil, homeCountry: config.country)
    }
}

/// `hotline resolve URL…`.
struct ResolveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resolve",
        abstract: "Show where URLs are hosted and who is responsible, step by step.",
        discussion: "Uses the contact directory (Config/contacts.yaml), the imported IP tables and IP-literal hosts. DNS and RDAP lookups are not part of this build yet, so resolution is offline: hosts that are names are matched by the directory's domains only.")

    @OptionGroup var global: GlobalOptions
    @Flag(help: "Print JSON, one object per URL.") var json = false
    @Flag(help: "Use only the directory, imported tables and cache (the only mode this build has).") var offline = false
    @Argument(help: "URLs.") var urls: [String]

    func run() throws {
        let config = try global.loadConfig()
        let store = try HashesCommand.openStore(global)
        let resolver = try HostingSetup.resolver(config: config, store: store)
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
