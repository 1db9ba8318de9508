import Foundation
import HotlineApp
import HotlineCore
import Logging
import ServiceLifecycle

/// The fetch service: decides the reports that wait for evidence, a pass as soon as the last
/// one ends (and every `interval` when there was nothing), on its own thread (fetching
/// blocks). On graceful shutdown the fetches in flight finish and are decided, and the claims
/// not yet reached are given back, for the next start or another instance.
public struct EvidenceService: Service {
    let runtime: GatewayRuntime
    let interval: Duration
    let logger: Logger
    /// Work whose writes go first (the API's intake), see ``EvidenceStage/foreground``.
    let foreground: (any ForegroundWork)?

    /// Creates the service.
    public init(runtime: GatewayRuntime, interval: Duration, foreground: (any ForegroundWork)? = nil, logger: Logger) {
        self.runtime = runtime
        self.interval = interval
        self.foreground = foreground
        self.logger = logger
    }

    /// Runs until graceful shutdown.
    public func run() async throws {
        let queue = DispatchQueue(label: "hotline.evidence")
        let stop = StopRequest()
        await withGracefulShutdownHandler {
            while !Task.isShuttingDownGracefully && !Task.isCancelled {
                var next = runtime.evidenceStage()
                next.foreground = foreground
                let stage = next
                let result: Result<EvidencePass, any Error> = await withCheckedContinuation { continuation in
                    queue.async { continuation.resume(returning: Result { try stage.runPass(stop: stop) }) }
                }
                switch result {
                case .success(let pass):
                    if pass.didWork {
                        logger.info("evidence pass", metadata: ["pass": "\(pass.json.serialized)"])
                        continue
                    }
                case .failure(let error):
                    logger.error("evidence pass failed", metadata: ["error": "\(error)"])
                }
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            }
        } onGracefulShutdown: {
            stop.request()
        }
    }
}
