import Foundation
import HotlineApp
import HotlineConfig
import HotlineCore
import Hummingbird
import HummingbirdCore
import Logging
import ServiceLifecycle

/// The gateway as a service: the HTTP API, intake with group commit, the dispatch worker and
/// the rules reloader, run in one ServiceGroup that shuts down gracefully on SIGTERM/SIGINT
/// (the server stops accepting and finishes its requests, the worker finishes its pass).
public struct GatewayServer: Sendable {
    /// Shared state.
    public let runtime: GatewayRuntime
    /// Metrics.
    public let metrics = GatewayMetrics()
    /// The intake queue.
    public let intake: IntakeQueue
    /// Reporter request limits (per token, per second; burst).
    public var reportLimit: (rate: Double, burst: Double)
    /// Hash check limits for providers.
    public var hashcheckLimit: (rate: Double, burst: Double)
    /// Open connections, per peer and in all.
    let connections: ConnectionCounts
    /// Failed tokens and logins per client address, shared by the API and the dashboard.
    let guessing: RateLimiter

    /// Creates the server.
    public init(runtime: GatewayRuntime) {
        self.runtime = runtime
        let config = runtime.config
        reportLimit = (Double(config.apiReportRate), Double(config.apiReportRate * 2))
        hashcheckLimit = (Double(config.apiHashcheckRate), Double(config.apiHashcheckRate * 2))
        let metrics = self.metrics
        intake = IntakeQueue(runtime: runtime, batchSize: runtime.config.batchSize, maximumPending: config.apiIntakeQueue) { outcomes, channel in
            metrics.record(outcomes, channel: channel)
        }
        guessing = TokenAuthenticator.guessingLimiter(time: runtime.time, failuresPerMinute: Double(config.apiFailedTokenRate))
        connections = ConnectionCounts(perPeer: config.apiConnectionsPerPeer, maximum: config.apiMaxConnections, trustedProxies: config.apiTrustedProxies)
    }

    /// The router with every route and middleware; with `accessLog`, one record per request.
    public func router(accessLog: Logger? = nil) -> Router<GatewayContext> {
        let router = Router(context: GatewayContext.self)
        router.add(middleware: ClientAddressMiddleware(trustedProxies: runtime.config.apiTrustedProxies))
        if let accessLog { router.add(middleware: AccessLogMiddleware(logger: accessLog)) }
        router.add(middleware: MetricsMiddleware(metrics: metrics))
        router.add(middleware: ProblemMiddleware(store: runtime.store))
        router.add(
            middleware: TokenAuthenticator(
                store: runtime.store, time: runtime.time, guessing: guessing, sessionIdle: TimeInterval(runtime.config.apiSessionIdle.seconds)))
        let reportLimiter = RateLimiter(
            limits: [.reporter: reportLimit, .admin: reportLimit, .analyst: reportLimit, .provider: reportLimit], time: runtime.time)
        let hashLimiter = RateLimiter(limits: [.provider: hashcheckLimit, .admin: hashcheckLimit], time: runtime.time)
        let batchRate = Double(runtime.config.apiHashcheckBatchRate)
        let batchLimit = (batchRate, max(batchRate * 2, Double(BulkHashCheck.limit)))
        let batchLimiter = RateLimiter(limits: [.provider: batchLimit, .admin: batchLimit], time: runtime.time)
        ReportRoutes(runtime: runtime, intake: intake, limiter: reportLimiter).add(to: router)
        AnalystRoutes(runtime: runtime).add(to: router)
        ProviderRoutes(
            runtime: runtime, hashLimiter: hashLimiter, batchLimiter: batchLimiter,
            testLimiter: RateLimiter(limits: [.provider: (1.0 / 3600, 1)], time: runtime.time)
        ).add(to: router)
        OperatorRoutes(runtime: runtime, metrics: metrics, openAPI: Self.openAPIDocument).add(to: router)
        MonitorRoutes(runtime: runtime, guessing: guessing).add(to: router)
        WorkbenchRoutes(runtime: runtime).add(to: router)
        WorkbenchAPIRoutes(runtime: runtime).add(to: router)
        DisputeRoutes(runtime: runtime).add(to: router)
        ExplanationRoutes(runtime: runtime).add(to: router)
        ContactRoutes(runtime: runtime).add(to: router)
        return router
    }

    /// `openapi.json`, shipped as a resource of this target.
    public static var openAPIDocument: [UInt8]? {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "json"), let data = try? Data(contentsOf: url) else { return nil }
        return [UInt8](data)
    }

    /// The application with the background services.
    public func application(
        host: String, port: Int, workInterval: Duration, mailInterval: Duration = .seconds(60), logger: Logger,
        hashSyncers: [(settings: HashSyncSettings, syncer: HashSyncer)] = [], onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let counts = connections
        // The idle timeout also ends a request head that never completes (a slow client
        // sending a header a byte at a time): only complete parts count as activity.
        let http = HTTP1Channel.Configuration(
            additionalChannelHandlers: [ConnectionLimiter(counts: counts)], idleTimeout: .seconds(Int64(runtime.config.apiIdleTimeout.seconds)))
        return Application(
            router: router(accessLog: logger),
            server: .http1(configuration: http),
            configuration: .init(address: .hostname(host, port: port), serverName: "HotlineGateway"),
            services: [
                RulesReloadService(runtime: runtime, logger: logger),
                EvidenceService(runtime: runtime, interval: .milliseconds(250), foreground: intake, logger: logger),
                DispatchService(runtime: runtime, metrics: metrics, interval: workInterval, logger: logger),
                MailService(runtime: runtime, interval: mailInterval, logger: logger),
                HashSyncService(runtime: runtime, syncers: hashSyncers, logger: logger),
            ],
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? port) },
            logger: logger)
    }
}
