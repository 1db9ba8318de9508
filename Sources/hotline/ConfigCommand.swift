import ArgumentParser
import Foundation
import HotlineApp
import HotlineConfig
import HotlineCore
import HotlineHosting
import HotlineNet

/// `hotline config …`.
struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config", abstract: "Check the gateway's configuration before it goes live.", subcommands: [ConfigCheckCommand.self])
}

/// `hotline config check [--connect]`, in the spirit of `promtool check config`: every file the
/// config names, and every secret it names, in one run; with `--connect`, the servers too.
struct ConfigCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check hotline.yaml, the contact directory, the rules, the templates and the secrets they name; exits 1 on any error.",
        discussion: """
            Prints one line per check on standard output (NAME: ok|error, with what was found) and
            every problem on standard error as PATH:LINE:COLUMN: error|warning: MESSAGE [CODE].
            Secrets are read to see that they are there, and never printed. --connect also says
            EHLO and NOOP to the SMTP relay, logs in to each mailbox and opens the database.
            """)

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Also try the SMTP relay, the IMAP mailboxes and the database.")
    var connect = false

    func run() throws {
        var diagnostics: [Diagnostic] = []
        var failed: [String] = []
        func report(_ check: String, _ problems: [Diagnostic], ok: String) {
            diagnostics += problems
            let errors = problems.filter { $0.severity == .error }.count
            if errors > 0 { failed.append(check) }
            Output.out("\(check): \(errors > 0 ? "error (\(errors) problem\(errors == 1 ? "" : "s"))" : "ok (\(ok))")\n")
        }
        let at = SourceLocation(file: global.config, line: 1, column: 1)

        let assembly: GatewayAssembly
        do {
            let (loaded, warnings) = try global.loadAssembly()
            assembly = loaded
            report("config", warnings, ok: global.config)
        } catch {
            report("config", error.diagnostics.isEmpty ? [.error(.io, error.message, at: at)] : error.diagnostics, ok: "")
            try finish(diagnostics, failed)
            return
        }
        let config = assembly.config

        var directory = ContactDirectory()
        if !FileManager.default.fileExists(atPath: config.contactsPath) {
            report(
                "contacts",
                [
                    .warning(
                        .io, "no contact directory here: every hoster's address will come from RDAP and no partner hotline is known",
                        at: SourceLocation(file: config.contactsPath, line: 1, column: 1))
                ], ok: "none")
        } else {
            do {
                let (loaded, warnings) = try assembly.directory()
                directory = loaded
                report("contacts", warnings, ok: "\(loaded.contacts.count) contacts, \(loaded.hotlines.count) partner hotlines")
            } catch {
                let location = SourceLocation(file: config.contactsPath, line: 1, column: 1)
                report("contacts", error.diagnostics.isEmpty ? [.error(.io, error.message, at: location)] : error.diagnostics, ok: "")
            }
        }

        let rules = RuleLoader.load(paths: assembly.rulePaths)
        report("rules", rules.diagnostics, ok: "\(rules.files.count) files, \(rules.ruleSet?.rules.count ?? 0) rules; \(rules.ruleSet?.digest ?? "")")

        let templatesPath = config.dispatch.templatesPath
        let (templates, templateProblems) = TemplateLoader.load(templatesPath)
        report(
            "templates", templateProblems + TemplateLoader.check(rules.contents, againstDirectory: templatesPath),
            ok: "\(templates?.names.count ?? 0) templates in \(templates?.byLanguage.count ?? 0) languages, every one the rules name")

        // An unset variable or unreadable file is found here, not when the first real notice fails.
        var secrets: [(Secret, SourceLocation)] = []
        if let password = config.dispatch.smtp.password { secrets.append((password, at)) }
        for mailbox in config.mailboxes { if let password = mailbox.settings.password { secrets.append((password, at)) } }
        if case .postgres(let settings) = config.storage, let password = settings.password { secrets.append((password, at)) }
        if let matcher = config.externalMatcher { secrets.append((matcher.key, at)) }
        for source in config.hashSync { secrets.append((source.password, at)) }
        for contact in directory.contacts {
            if let variable = contact.webhookSecretEnvironment {
                secrets.append((.environment(variable, namedBy: "contact \(contact.id) webhook_secret_env"), contact.location))
            }
        }
        var secretProblems: [Diagnostic] = []
        for (secret, location) in secrets {
            do { _ = try secret.reveal() } catch { secretProblems.append(.error(.io, error.message, at: location)) }
        }
        report("secrets", secretProblems, ok: "\(secrets.count) present")

        if connect {
            let smtp = SMTPClient(settings: config.dispatch.smtp)
            defer { smtp.close() }
            do {
                let reply = try smtp.probe()
                report("smtp", [], ok: "\(config.dispatch.smtp.host):\(config.dispatch.smtp.port) answered \(reply)")
            } catch {
                report("smtp", [.error(.io, error.message, at: at)], ok: "")
            }
            for mailbox in config.mailboxes {
                let client = assembly.imapClient(mailbox)
                do {
                    let count = try client.count(in: mailbox.folder)
                    report("mailbox \(mailbox.name)", [], ok: "\(mailbox.settings.host):\(mailbox.settings.port) \(mailbox.folder): \(count) messages")
                } catch {
                    report("mailbox \(mailbox.name)", [.error(.io, error.message, at: at)], ok: "")
                }
            }
            do {
                let store = try assembly.openStore()
                let counts = try store.counts()
                report("database", [], ok: "\(counts.reports) reports")
            } catch let error as SetupError {
                report("database", [.error(.io, error.message, at: at)], ok: "")
            } catch {
                report("database", [.error(.io, "\(error)", at: at)], ok: "")
            }
        }
        try finish(diagnostics, failed)
    }

    private func finish(_ diagnostics: [Diagnostic], _ failed: [String]) throws {
        Output.printDiagnostics(diagnostics)
        if !failed.isEmpty {
            let errors = diagnostics.filter { $0.severity == .error }.count
            Output.err("config check failed: \(errors) error\(errors == 1 ? "" : "s") in \(failed.joined(separator: ", "))\n")
            throw ExitCode(1)
        }
        Output.out("config check OK\n")
    }
}
