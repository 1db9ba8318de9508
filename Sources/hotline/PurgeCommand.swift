import ArgumentParser
import Foundation
import HotlineCore

/// `hotline purge`: erase personal data past its retention period.
struct PurgeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "purge",
        abstract: "Erase reporters' contact details older than retention.reporter_contacts (default 90 days).")

    @OptionGroup var global: GlobalOptions

    @Option(help: "Purge as of this time (RFC 3339); default now.")
    var at: String?

    func validate() throws { try ArgumentChecks.time(at) }

    func run() throws {
        let gateway = try global.assembly()
        let now = try at.map { try WorkCommand.parseTime($0) } ?? Date()
        let cutoff = now.addingTimeInterval(-TimeInterval(gateway.config.reporterContactRetention.seconds))
        let store = try global.openStore(gateway)
        let erased = try store.purgeReporterContacts(before: cutoff, actor: GlobalOptions.actor, at: now)
        Output.out("purge: erased \(erased) reporter contact(s) stored before \(RFC3339.format(cutoff)); \(try store.reporterContactCount()) kept\n")
    }
}
