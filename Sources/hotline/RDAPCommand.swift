import ArgumentParser
import Foundation
import HotlineApp
import HotlineCore
import HotlineHosting
import HotlineNet

/// `hotline rdap …`.
struct RDAPCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rdap",
        abstract: "RDAP bootstrap files.",
        subcommands: [RDAPRefreshCommand.self])
}

/// `hotline rdap refresh`.
struct RDAPRefreshCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "refresh",
        abstract: "Download IANA's RDAP bootstrap files (ipv4.json, ipv6.json, dns.json), check them, and replace the ones in use.",
        discussion: "Each file is parsed before anything is replaced; a file that does not parse leaves all three as they were.")

    @OptionGroup var global: GlobalOptions
    @Option(help: "Where the files are published.") var from: String = "https://data.iana.org/rdap/"
    @Option(help: "The directory to write (default: from the config, Config/rdap).") var to: String?

    func run() throws {
        let gateway = try global.assembly()
        let directory = to ?? gateway.config.rdapBootstrapPath
        let base = from.hasSuffix("/") ? from : from + "/"
        let http = gateway.bootstrapDownloader()
        var files: [String: [UInt8]] = [:]
        for name in ["ipv4.json", "ipv6.json", "dns.json"] {
            do {
                let response = try http.get(base + name, accept: "application/json")
                guard response.status == 200 else {
                    Output.err("hotline: \(base + name) answered \(response.status); nothing replaced\n")
                    throw ExitCode(1)
                }
                files[name] = response.body
            } catch let error as HTTPError {
                Output.err("hotline: \(base + name): \(error.message); nothing replaced\n")
                throw ExitCode(1)
            }
        }
        let bootstrap: RDAPBootstrap
        do {
            bootstrap = try RDAPBootstrap.parse(ipv4: files["ipv4.json"], ipv6: files["ipv6.json"], dns: files["dns.json"])
        } catch {
            Output.err("hotline: \(error.message); nothing replaced\n")
            throw ExitCode(1)
        }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for (name, bytes) in files.sorted(by: { $0.key < $1.key }) {
            try Data(bytes).write(to: URL(fileURLWithPath: (directory as NSString).appendingPathComponent(name)), options: .atomic)
        }
        Output.out("RDAP bootstrap: \(bootstrap.count) entries written to \(directory)\n")
    }
}
