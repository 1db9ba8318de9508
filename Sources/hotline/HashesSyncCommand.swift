import ArgumentParser
import Foundation
import HotlineApp
import HotlineCore

/// `hotline hashes sync [SOURCE…]`.
struct HashesSyncCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Read hash-sharing sources (hashes.sync) into their lists now: new entries, updates, deletions as retractions, and votes.",
        discussion:
            "Each source goes on from its stored checkpoint; one line of JSON counts per source, also in the audit log. `hotline serve` runs the same on each source's `every`. Exit 1 when a source failed."
    )

    @OptionGroup var global: GlobalOptions
    @Argument(help: "Sources by name (default: every one in hashes.sync).") var sources: [String] = []

    func run() throws {
        let gateway = try global.assembly()
        let configured = try gateway.hashSyncers()
        for name in sources where !configured.contains(where: { $0.settings.name == name }) {
            let known = configured.map(\.settings.name).joined(separator: ", ")
            Output.err("hotline: no source \(JSONValue.string(name).serialized) in hashes.sync (configured: \(known.isEmpty ? "none" : known))\n")
            throw ExitCode(2)
        }
        let store = try global.openStore(gateway)
        var failed = false
        for (settings, syncer) in configured where sources.isEmpty || sources.contains(settings.name) {
            var line: JSONObject = ["source": .string(settings.name), "list": .string(settings.list)]
            do {
                let counts = try syncer.run(lists: store, owner: "cli:\(ProcessInfo.processInfo.hostName)/\(getpid())")
                if counts.busy {
                    line.append("busy", .bool(true))
                } else {
                    line.members.append(contentsOf: counts.json.members)
                }
            } catch let error as HashSyncError {
                line.append("error", .string(error.message))
                line.append("code", .string(error.code))
                failed = true
            } catch {
                line.append("error", .string("\(error)"))
                failed = true
            }
            Output.out(JSONValue.object(line).serialized + "\n")
        }
        if failed { throw ExitCode(1) }
    }
}
