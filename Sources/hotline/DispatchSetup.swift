import ArgumentParser
import Foundation
import HotlineConfig
import HotlineCore
import HotlineHosting
import HotlineServer
import HotlineStore

/// The dispatch parts for the CLI, with problems printed.
enum DispatchSetup {
    /// The planner ingest uses.
    static func planner(config: GatewayConfig, directory: ContactDirectory) -> DispatchPlanner {
        GatewayAssembly.planner(config: config, directory: directory)
    }

    /// The worker for `hotline work`.
    static func worker(config: GatewayConfig, ruleSet: RuleSet, store: any GatewayStore, resolver: HostingResolver, time: any TimeSource, afterDelivery: (@Sendable (OutboxMessage) -> Void)?) throws -> DispatchWorker {
        try Output.setup {
            let (templates, warnings) = try GatewayAssembly.templates(config: config, ruleSet: ruleSet)
            Output.printDiagnostics(warnings)
            return GatewayAssembly.worker(config: config, engine: DecisionEngine(ruleSet: ruleSet), templates: templates, store: store, resolver: resolver, time: time, afterDelivery: afterDelivery)
        }
    }
}
