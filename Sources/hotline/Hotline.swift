import ArgumentParser
import HotlineCore

/// The `hotline` command.
@main
struct Hotline: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hotline",
        abstract: "Hotline Gateway: report intake, rules, decisions and notices for CSAM hotlines.",
        version: "hotline \(GatewayVersion.number)",
        subcommands: [
            ServeCommand.self, TokensCommand.self, AuditCommand.self, BackupCommand.self, PurgeCommand.self, IngestCommand.self, WorkCommand.self,
            MailCommand.self,
            StatsCommand.self, NoticesCommand.self, OutboxCommand.self, DispatchCommand.self, ConfigCommand.self, RulesCommand.self, HashCommand.self,
            HashesCommand.self, HoldsCommand.self, ScanCommand.self, ContactsCommand.self,
            IPDBCommand.self,
            ResolveCommand.self, RDAPCommand.self,
        ]
    )
}
