import Foundation
import HotlineApp
import HotlineCore
import Logging
import ServiceLifecycle

/// The dispatch worker as a service: a pass every `interval`, on its own thread (SMTP and
/// SQLite block). On graceful shutdown the pass in progress finishes; what it did not reach
/// stays in the store for the next start.
public struct DispatchService: Service {
    let runtime: GatewayRuntime
    let metrics: GatewayMetrics
    let interval: Duration
    let logger: Logger

    /// Creates the service.
    public init(runtime: GatewayRuntime, metrics: GatewayMetrics, interval: Duration, logger: Logger) {
        self.runtime = runtime
        self.metrics = metrics
        self.interval = interval
        self.logger = logger
    }

    /// Runs until graceful shutdown.
    public func run() async throws {
        let queue = DispatchQueue(label: "hotline.dispatch")
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let worker = runtime.worker()
            let runtime = self.runtime
            let result: Result<DispatchPass, any Error> = await withCheckedContinuation { continuation in
                queue.async {
                    continuation.resume(
                        returning: Result {
                            // Reminders first: what they queue goes out in the same pass.
                            try ContactReminders(assembly: runtime.assembly).run(store: runtime.store, parts: runtime.parts)
                            return try worker.runUntilIdle()
                        })
                }
            }
            switch result {
            case .success(let pass):
                if pass.didWork { logger.info("dispatch pass", metadata: ["pass": "\(pass.json.serialized)"]) }
                for problem in pass.problems {
                    logger.warning(
                        "delivery failed",
                        metadata: [
                            "notice": "\(problem.reference)", "attempt": "\(problem.attempt)", "error": "\(problem.error)",
                            "next_attempt_at": "\(problem.nextAttemptAt.map { RFC3339.format($0) } ?? "none: given up")",
                        ])
                }
                metrics.record(pass, counts: try? runtime.store.dispatchCounts(), queueDepth: try? runtime.store.queueDepth())
            case .failure(let error):
                logger.error("dispatch pass failed", metadata: ["error": "\(error)"])
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }
}

/// Reloads rules, contacts and templates when their files change or on SIGHUP. A file with
/// errors is refused (logged with its diagnostics) and the running rules stay.
public struct RulesReloadService: Service {
    let runtime: GatewayRuntime
    let interval: Duration
    let logger: Logger

    /// Creates the service.
    public init(runtime: GatewayRuntime, interval: Duration = .seconds(2), logger: Logger) {
        self.runtime = runtime
        self.interval = interval
        self.logger = logger
    }

    /// Runs until graceful shutdown.
    public func run() async throws {
        let hangup = HangupSignal()
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            guard !Task.isShuttingDownGracefully else { break }
            let signalled = hangup.consume()
            // A verdict confirmed or a list changed on any instance: this one's index follows.
            if !signalled, let entries = runtime.reloadHashesIfChanged() {
                logger.notice("hash lists reloaded", metadata: ["entries": "\(entries)"])
            }
            let contacts = runtime.contactsChanged
            guard signalled || contacts || runtime.filesChanged else { continue }
            let (digest, diagnostics) = runtime.reload(actor: signalled ? "system:sighup" : contacts ? "system:contact-change" : "system:file-change")
            if let digest {
                logger.notice("rules reloaded", metadata: ["rules_version": "\(digest)"])
            } else {
                logger.error(
                    "rules reload refused; the running rules stay", metadata: ["diagnostics": "\(diagnostics.map(\.description).joined(separator: "\n"))"])
            }
        }
    }
}

/// Notes SIGHUP for the reload service.
final class HangupSignal: @unchecked Sendable {
    private let lock = NSLock()
    private var received = false
    private let source: DispatchSourceSignal

    init() {
        signal(SIGHUP, SIG_IGN)
        source = DispatchSource.makeSignalSource(signal: SIGHUP, queue: .global())
        source.setEventHandler { [weak self] in
            guard let self else { return }
            self.lock.lock()
            self.received = true
            self.lock.unlock()
        }
        source.resume()
    }

    func consume() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        let value = received
        received = false
        return value
    }
}

/// Polls the configured mailboxes every `interval` on its own thread; on graceful shutdown
/// the poll in progress finishes (every message is flagged only after its effect is stored).
public struct MailService: Service {
    let runtime: GatewayRuntime
    let interval: Duration
    let logger: Logger

    /// Creates the service.
    public init(runtime: GatewayRuntime, interval: Duration, logger: Logger) {
        self.runtime = runtime
        self.interval = interval
        self.logger = logger
    }

    /// Runs until graceful shutdown.
    public func run() async throws {
        guard !runtime.config.mailboxes.isEmpty else {
            // A service that returns ends the whole group: wait for shutdown instead.
            try? await gracefulShutdown()
            return
        }
        let queue = DispatchQueue(label: "hotline.mail")
        let processor = MailProcessor(runtime: runtime)
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            for mailbox in runtime.config.mailboxes {
                let result: Result<MailPoll, any Error> = await withCheckedContinuation { continuation in
                    queue.async { continuation.resume(returning: Result { try processor.poll(mailbox) }) }
                }
                switch result {
                case .success(let poll): if poll.messages > 0 { logger.info("mail poll", metadata: ["poll": "\(poll.json.serialized)"]) }
                case .failure(let error): logger.error("mail poll failed", metadata: ["mailbox": "\(mailbox.name)", "error": "\(error)"])
                }
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }
}
