import ArgumentParser
import Foundation
import HotlineCore
import HotlineHosting

/// `hotline ipdb …`: IP-to-network tables.
struct IPDBCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ipdb",
        abstract: "Import and query IP-to-network tables (iptoasn TSV, RIR delegated-extended statistics).",
        subcommands: [IPDBImportCommand.self, IPDBLookupCommand.self, IPDBRelationsCommand.self, IPDBUpstreamsCommand.self])
}

/// `hotline ipdb import FILE…`.
struct IPDBImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import tables; the format is recognised from the content unless given. Importing a source again replaces it.")

    @OptionGroup var global: GlobalOptions
    @Option(help: "iptoasn or delegated (default: recognised from the content).") var format: String?
    @Option(help: "The source name stored with the ranges (default: the file name).") var source: String?
    @Argument(help: "Files.") var files: [String]

    func run() throws {
        var forced: IPTableFormat?
        if let format {
            guard let parsed = IPTableFormat(rawValue: format) else {
                Output.err("hotline: --format must be iptoasn or delegated, got \(JSONValue.string(format).serialized)\n")
                throw ExitCode(2)
            }
            forced = parsed
        }
        let store = try global.openStore()
        var failed = false
        for file in files {
            guard let data = FileManager.default.contents(atPath: file) else {
                Output.err("hotline: cannot read \(file)\n")
                failed = true
                continue
            }
            let bytes = [UInt8](data)
            guard let format = forced ?? IPTableParser.detect(bytes) else {
                Output.err("\(file): not an iptoasn or delegated-extended table (give --format)\n")
                failed = true
                continue
            }
            let name = source ?? (file as NSString).lastPathComponent
            let result = IPTableParser.parse(bytes, format: format, source: name)
            for error in result.errors.prefix(50) { Output.err("\(file): \(error)\n") }
            if result.errors.count > 50 { Output.err("\(file): \(result.errors.count - 50) more errors\n") }
            try store.replaceIPRanges(source: name, with: result.ranges)
            try store.audit(
                "ipdb.import",
                [
                    "source": .string(name), "format": .string(format.rawValue), "ranges": .number(Double(result.ranges.count)),
                    "rejected_lines": .number(Double(result.errors.count)),
                ])
            let skipped = result.skipped.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
            Output.out(
                "\(name) (\(format.rawValue)): \(result.ranges.count) ranges, \(result.errors.count) lines rejected"
                    + (skipped.isEmpty ? "" : ", skipped: \(skipped)") + "\n")
        }
        if failed { throw ExitCode(1) }
    }
}

/// `hotline ipdb lookup ADDRESS…`.
struct IPDBLookupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lookup", abstract: "Print what the imported tables know about addresses, one JSON object each; exit 1 if any is unknown.")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "IPv4 or IPv6 addresses.") var addresses: [String]

    func run() throws {
        let store = try global.openStore()
        let table = IPTable(try store.allIPRanges())
        var missing = false
        for text in addresses {
            var object: JSONObject = ["ip": .string(text)]
            guard let address = IPAddress(text) else {
                object.append("error", .string("not an IP address"))
                Output.out(JSONValue.object(object).serialized + "\n")
                missing = true
                continue
            }
            if let match = table.lookup(address) {
                object.append("network", .string(match.network))
                if let asn = match.info.asn { object.append("asn", .number(Double(asn))) }
                if let country = match.info.country { object.append("country", .string(country)) }
                if let description = match.info.description { object.append("as_name", .string(description)) }
                object.append("source", .string(match.info.source))
            } else {
                object.append("error", .string("not in any imported table"))
                missing = true
            }
            Output.out(JSONValue.object(object).serialized + "\n")
        }
        if missing { throw ExitCode(1) }
    }
}
