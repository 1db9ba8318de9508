import ArgumentParser
import Foundation
import HotlineCore

/// `hotline ipdb as-rel FILE`: CAIDA's AS relationships, to show who serves listed hosters.
struct IPDBRelationsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "as-rel",
        abstract: "Import AS relationships in CAIDA's as-rel format (AS1|AS2|-1 provider to customer, AS1|AS2|0 peers); replaces the stored ones.")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The as-rel file (serial-1 or serial-2, uncompressed).") var file: String

    func run() throws {
        guard let data = FileManager.default.contents(atPath: file) else {
            Output.err("hotline: cannot read \(file)\n")
            throw ExitCode(1)
        }
        let (relationships, problems) = ASRelationship.parse(Substring(String(decoding: data, as: UTF8.self)))
        for problem in problems.prefix(50) { Output.err("\(file):\(problem.line): \(problem.reason)\n") }
        if problems.count > 50 { Output.err("\(file): \(problems.count - 50) more lines rejected\n") }
        guard !relationships.isEmpty else {
            Output.err("\(file): no relationships; nothing was replaced\n")
            throw ExitCode(1)
        }
        let store = try global.openStore()
        let source = (file as NSString).lastPathComponent
        try store.replaceASRelationships(
            relationships, source: source,
            audit: AuditEntry(
                at: Date(), actor: GlobalOptions.actor, event: "ipdb.as_rel", subject: source,
                detail: ["relationships": .number(Double(relationships.count)), "rejected_lines": .number(Double(problems.count))]))
        let transit = relationships.filter { $0.kind == .providerToCustomer }.count
        Output.out(
            "\(source): \(relationships.count) relationships (\(transit) provider to customer, \(relationships.count - transit) peers), \(problems.count) lines rejected\n"
        )
    }
}

/// `hotline ipdb upstreams ASN…`.
struct IPDBUpstreamsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "upstreams", abstract: "The providers (upstream networks) of ASes, from the imported as-rel data; one JSON object each.")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "AS numbers (64500 or AS64500).") var asns: [String]

    func validate() throws {
        for text in asns where Self.number(text) == nil {
            throw ValidationError("an AS number is a whole number like 64500 or AS64500, got \(JSONValue.string(text).serialized)")
        }
    }

    static func number(_ text: String) -> Int? {
        let digits = text.uppercased().hasPrefix("AS") ? String(text.dropFirst(2)) : text
        guard let value = Int(digits), (1...4_294_967_295).contains(value) else { return nil }
        return value
    }

    func run() throws {
        let numbers = asns.compactMap(Self.number)
        let upstreams = try global.openStore().upstreams(of: numbers)
        for asn in numbers {
            Output.out(
                JSONValue.object(["asn": .number(Double(asn)), "upstreams": .array((upstreams[asn] ?? []).map { .number(Double($0)) })]).serialized + "\n")
        }
    }
}
