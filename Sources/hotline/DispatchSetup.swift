import ArgumentParser
import Foundation
import HotlineConfig
import HotlineCore
import HotlineHosting
import HotlineNet
import HotlineStore

/// Builds the dispatch side from the config: planner, templates, transports, checker, worker.
enum DispatchSetup {
    /// The planner ingest uses: recipients from the directory, the config's batch window.
    static func planner(config: GatewayConfig, directory: ContactDirectory) -> DispatchPlanner {
        DispatchPlanner(directory: DirectoryRecipients(directory: directory), notifyWindow: config.dispatch.batchWindow)
    }

    /// The templates; exits 2 with every problem when they do not load.
    static func templates(config: GatewayConfig) throws -> NoticeTemplates {
        let (templates, diagnostics) = TemplateLoader.load(config.dispatch.templatesPath)
        Output.printDiagnostics(diagnostics)
        guard let templates else {
            Output.err("hotline: the notice templates did not load\n")
            throw ExitCode(2)
        }
        return templates
    }

    /// The worker for `hotline work`.
    static func worker(config: GatewayConfig, ruleSet: RuleSet, store: SQLiteStore, resolver: HostingResolver, time: any TimeSource, afterDelivery: (@Sendable (OutboxMessage) -> Void)?) throws -> DispatchWorker {
        let templates = try templates(config: config)
        let problems = TemplateLoader.check(ruleSet, against: templates)
        Output.printDiagnostics(problems)
        if problems.containsErrors { throw ExitCode(2) }
        let dispatch = config.dispatch
        let fetcher = SafeFetcher(
            resolver: resolver.addressResolver, policy: AddressPolicy(allowed: dispatch.fetchAllow),
            maximumBytes: dispatch.fetchMaximumBytes, timeout: TimeInterval(dispatch.fetchTimeout.seconds))
        return DispatchWorker(
            store: store, engine: DecisionEngine(ruleSet: ruleSet), planner: planner(config: config, directory: resolver.directory),
            renderer: NoticeRenderer(identity: dispatch.identity, templates: templates),
            transport: NetNoticeTransport(smtp: SMTPClient(settings: dispatch.smtpSettings()), time: time),
            checker: dispatch.recheck ? FetchingURLChecker(fetcher: fetcher) : nil, hostingLookup: resolver,
            settings: dispatch.settings, time: time, afterDelivery: afterDelivery)
    }
}
