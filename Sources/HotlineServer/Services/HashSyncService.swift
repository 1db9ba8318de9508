import Foundation
import HotlineApp
import HotlineConfig
import HotlineCore
import Logging
import ServiceLifecycle

/// `hashes.sync` on a schedule: every minute each source is offered a run, which the store
/// turns down while it was synced less than its `every` ago or another instance holds its
/// lease. Each run is audited with its counts; the lists' generation moves and every
/// instance's index follows.
public struct HashSyncService: Service {
    let runtime: GatewayRuntime
    let syncers: [(settings: HashSyncSettings, syncer: HashSyncer)]
    let interval: Duration
    let logger: Logger
    let owner: String

    /// Creates the service.
    public init(runtime: GatewayRuntime, syncers: [(settings: HashSyncSettings, syncer: HashSyncer)], interval: Duration = .seconds(60), logger: Logger) {
        self.runtime = runtime
        self.syncers = syncers.filter { $0.settings.every.seconds > 0 }
        self.interval = interval
        self.logger = logger
        owner = "\(ProcessInfo.processInfo.hostName)/\(getpid())"
    }

    /// Runs until graceful shutdown.
    public func run() async throws {
        // A service that returns ends the whole group (the server with it): with nothing to
        // sync, this one waits for the shutdown like the others.
        guard !syncers.isEmpty else {
            try? await gracefulShutdown()
            return
        }
        let queue = DispatchQueue(label: "hotline.hash-sync")
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            for (settings, syncer) in syncers {
                let runtime = self.runtime
                let owner = self.owner
                let result: Result<HashSyncer.Counts, any Error> = await withCheckedContinuation { continuation in
                    queue.async {
                        continuation.resume(
                            returning: Result { try syncer.run(lists: runtime.store, owner: owner, every: TimeInterval(settings.every.seconds)) })
                    }
                }
                switch result {
                case .success(let counts) where !counts.busy && !counts.notDue:
                    logger.notice("hash list synced", metadata: ["source": "\(settings.name)", "counts": "\(JSONValue.object(counts.json).serialized)"])
                    _ = runtime.reloadHashesIfChanged()
                case .success:
                    break
                case .failure(let error as HashSyncError):
                    logger.error("hash list sync failed", metadata: ["source": "\(settings.name)", "code": "\(error.code)", "error": "\(error.message)"])
                case .failure(let error):
                    logger.error("hash list sync failed", metadata: ["source": "\(settings.name)", "error": "\(error)"])
                }
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }
}
