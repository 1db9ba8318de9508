import ArgumentParser
import Foundation
import HotlineApp
import HotlineCore

/// `hotline resolve URL…`.
struct ResolveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resolve",
        abstract: "Show where URLs are hosted and who is responsible, step by step.",
        discussion:
            "Uses the contact directory (Config/contacts.yaml), the imported IP tables, IP-literal hosts and, when configured (`dns:` and `rdap:` in the config, or --dns and --rdap), DNS and RDAP."
    )

    @OptionGroup var global: GlobalOptions
    @Flag(help: "Print JSON, one object per URL.") var json = false
    @OptionGroup var resolverOptions: ResolverOptions
    @Argument(help: "URLs.") var urls: [String]

    func run() throws {
        let gateway = try global.assembly(try resolverOptions.apply())
        let store = try global.openStore(gateway)
        let resolver = try Output.setup {
            let (directory, warnings) = try gateway.directory()
            Output.printDiagnostics(warnings)
            return try gateway.resolver(directory: directory, store: store)
        }
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
