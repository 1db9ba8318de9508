import Foundation
import Hummingbird
import HotlineCore
import Prometheus

/// The gateway's Prometheus metrics, served at `/metrics`.
public final class GatewayMetrics: Sendable {
    /// The registry.
    public let registry = PrometheusCollectorRegistry()
    private let latency: DurationHistogram

    /// Creates the metrics.
    public init() {
        latency = registry.makeDurationHistogram(name: "hotline_http_request_duration_seconds", buckets: [
            .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
            .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(5),
        ])
    }

    /// Counts stored reports and decisions of a batch.
    func record(_ outcomes: [IngestResult.Outcome], channel: String) {
        var byOutcome: [String: Int] = [:]
        var byRule: [String: Int] = [:]
        for outcome in outcomes {
            switch outcome {
            case .decided(_, _, let decision, let existing):
                byOutcome[existing ? "existing" : "decided", default: 0] += 1
                if !existing { byRule[decision.rule + "\u{0}" + decision.outcome, default: 0] += 1 }
            case .rejected:
                byOutcome["rejected", default: 0] += 1
            }
        }
        for (outcome, count) in byOutcome {
            registry.makeCounter(name: "hotline_reports_total", labels: [("channel", channel), ("result", outcome)]).increment(by: Int64(count))
        }
        for (key, count) in byRule {
            let parts = key.split(separator: "\u{0}", maxSplits: 1).map(String.init)
            registry.makeCounter(name: "hotline_decisions_total", labels: [("rule", parts[0]), ("outcome", parts[1])]).increment(by: Int64(count))
        }
    }

    /// Counts what a dispatch pass did and sets the depth gauges.
    func record(_ pass: DispatchPass, counts: DispatchCounts?, queueDepth: Int?) {
        for (name, value) in [("delivered", pass.delivered), ("retried", pass.retried), ("failed", pass.failed)] where value > 0 {
            registry.makeCounter(name: "hotline_deliveries_total", labels: [("result", name)]).increment(by: Int64(value))
        }
        if pass.checks > 0 { registry.makeCounter(name: "hotline_rechecks_total").increment(by: Int64(pass.checks)) }
        if pass.removed > 0 { registry.makeCounter(name: "hotline_notices_removed_total").increment(by: Int64(pass.removed)) }
        if let counts {
            registry.makeGauge(name: "hotline_outbox_messages", labels: [("status", "pending")]).set(Double(counts.messages["pending", default: 0]))
            registry.makeGauge(name: "hotline_outbox_messages", labels: [("status", "failed")]).set(Double(counts.messages["failed", default: 0]))
            registry.makeGauge(name: "hotline_dispatch_items", labels: [("status", "waiting")]).set(Double(counts.items["waiting", default: 0]))
            registry.makeGauge(name: "hotline_dispatch_items", labels: [("status", "held")]).set(Double(counts.items["held", default: 0]))
        }
        if let queueDepth { registry.makeGauge(name: "hotline_queue_depth").set(Double(queueDepth)) }
    }

    /// Records one request's latency.
    func observe(_ duration: Duration) { latency.record(duration) }
}

/// Times every request for the latency histogram.
struct MetricsMiddleware: RouterMiddleware {
    typealias Context = GatewayContext
    let metrics: GatewayMetrics

    func handle(_ request: Request, context: GatewayContext, next: (Request, GatewayContext) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        defer { metrics.observe(ContinuousClock.now - start) }
        return try await next(request, context)
    }
}
