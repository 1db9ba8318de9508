import Foundation
import HotlineCore
import Hummingbird
import Prometheus

/// The gateway's Prometheus metrics, served at `/metrics`.
public final class GatewayMetrics: Sendable {
    /// Every metric's name and help text, in one place.
    enum Name {
        static var requestDuration: MetricNameDescriptor { descriptor("http_request_duration", unit: "seconds", "Time to answer an HTTP request.") }
        static var reports: MetricNameDescriptor {
            descriptor("reports", unit: "total", "Reports answered, by channel and result (decided, pending, existing, rejected).")
        }
        static var decisions: MetricNameDescriptor { descriptor("decisions", unit: "total", "Intake decisions, by rule and outcome.") }
        static var deliveries: MetricNameDescriptor { descriptor("deliveries", unit: "total", "Outbox delivery attempts, by result.") }
        static var rechecks: MetricNameDescriptor { descriptor("rechecks", unit: "total", "URL re-checks made by the follow-up.") }
        static var noticesRemoved: MetricNameDescriptor { descriptor("notices_removed", unit: "total", "Notices whose every URL was confirmed gone.") }
        static var outboxMessages: MetricNameDescriptor { descriptor("outbox_messages", unit: "", "Outbox messages by status.") }
        static var dispatchItems: MetricNameDescriptor { descriptor("dispatch_items", unit: "", "Dispatch items by status.") }
        static var queueDepth: MetricNameDescriptor { descriptor("queue_depth", unit: "", "Cases and notices in the analysts' queue.") }
        static var evidenceBacklog: MetricNameDescriptor {
            descriptor("evidence_backlog", unit: "", "Reports stored and waiting for the fetch service's evidence and decision.")
        }

        static func descriptor(_ name: String, unit: String, _ help: String) -> MetricNameDescriptor {
            MetricNameDescriptor(namespace: "hotline", metricName: name, unitName: unit, helpText: help)
        }
    }

    /// The registry.
    public let registry = PrometheusCollectorRegistry()
    private let latency: DurationHistogram

    /// Creates the metrics.
    public init() {
        latency = registry.makeDurationHistogram(
            descriptor: Name.requestDuration,
            buckets: [
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
            case .pending(_, _, let existing):
                byOutcome[existing ? "existing" : "pending", default: 0] += 1
            case .rejected:
                byOutcome["rejected", default: 0] += 1
            }
        }
        for (outcome, count) in byOutcome {
            registry.makeCounter(descriptor: Name.reports, labels: [("channel", channel), ("result", outcome)]).increment(by: Int64(count))
        }
        for (key, count) in byRule {
            let parts = key.split(separator: "\u{0}", maxSplits: 1).map(String.init)
            registry.makeCounter(descriptor: Name.decisions, labels: [("rule", parts[0]), ("outcome", parts[1])]).increment(by: Int64(count))
        }
    }

    /// Counts what a dispatch pass did and sets the depth gauges.
    func record(_ pass: DispatchPass, counts: DispatchCounts?, queueDepth: Int?) {
        for (name, value) in [("delivered", pass.delivered), ("retried", pass.retried), ("failed", pass.failed)] where value > 0 {
            registry.makeCounter(descriptor: Name.deliveries, labels: [("result", name)]).increment(by: Int64(value))
        }
        if pass.checks > 0 { registry.makeCounter(descriptor: Name.rechecks).increment(by: Int64(pass.checks)) }
        if pass.removed > 0 { registry.makeCounter(descriptor: Name.noticesRemoved).increment(by: Int64(pass.removed)) }
        if let counts {
            registry.makeGauge(descriptor: Name.outboxMessages, labels: [("status", "pending")]).set(Double(counts.messages["pending", default: 0]))
            registry.makeGauge(descriptor: Name.outboxMessages, labels: [("status", "failed")]).set(Double(counts.messages["failed", default: 0]))
            registry.makeGauge(descriptor: Name.dispatchItems, labels: [("status", "waiting")]).set(Double(counts.items["waiting", default: 0]))
            registry.makeGauge(descriptor: Name.dispatchItems, labels: [("status", "held")]).set(Double(counts.items["held", default: 0]))
        }
        if let queueDepth { registry.makeGauge(descriptor: Name.queueDepth).set(Double(queueDepth)) }
    }

    /// Sets the reports waiting for evidence, read at each scrape: the fetch service gives way to
    /// intake, so under a burst this is where the work waits.
    func recordEvidenceBacklog(_ count: Int) { registry.makeGauge(descriptor: Name.evidenceBacklog).set(Double(count)) }

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
