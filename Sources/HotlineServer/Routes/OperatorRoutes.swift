import Foundation
import HotlineApp
import HotlineCore
import Hummingbird

/// Operators and monitoring: rules reload, statistics, health, metrics, the API description.
struct OperatorRoutes {
    let runtime: GatewayRuntime
    let metrics: GatewayMetrics
    let openAPI: [UInt8]?

    func add(to router: Router<GatewayContext>) {
        router.post("/v1/admin/rules/reload") { _, context in try reload(context: context) }
        router.get("/v1/stats/summary") { _, context in try summary(context: context) }
        router.get("/healthz") { _, _ in Response.json(.object(["status": .string("ok")])) }
        router.get("/readyz") { _, context in ready(context: context) }
        router.get("/metrics") { _, _ in
            // A store that cannot answer leaves the last value; the scrape itself still succeeds.
            if let backlog = try? runtime.store.evidenceBacklog() { metrics.recordEvidenceBacklog(backlog) }
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4"], body: .init(byteBuffer: ByteBuffer(bytes: metrics.registry.emitToBuffer())))
        }
        router.get("/openapi.json") { _, _ in
            guard let openAPI else { throw Problem.notFound("no API description in this build") }
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: openAPI)))
        }
    }

    /// Reloads rules, contacts, templates and hash lists; a file with errors is refused with
    /// every diagnostic and the running rules stay.
    func reload(context: GatewayContext) throws -> Response {
        let token = try context.require(.admin)
        let (digest, diagnostics) = runtime.reload(actor: token.actor)
        guard let digest else {
            throw Problem(
                status: .unprocessableContent, title: "Unprocessable Content",
                detail: "the new rules did not load; the running rules stay in force (\(runtime.parts.engine.ruleSet.digest))",
                errors: diagnostics.map { .string($0.description) })
        }
        return .json(.object(["rules_version": .string(digest), "warnings": .array(diagnostics.map { .string($0.description) })]))
    }

    /// Counts of reports, cases, decisions, notices and the outbox, and the queue depth.
    func summary(context: GatewayContext) throws -> Response {
        _ = try context.require(.analyst)
        var object = try runtime.store.summary()
        object.append("queue_depth", .number(Double(try runtime.store.queueDepth())))
        object.append("rules_version", .string(runtime.parts.engine.ruleSet.digest))
        return .json(.object(object))
    }

    func ready(context: GatewayContext) -> Response {
        do {
            _ = try runtime.store.counts()
            return .json(.object(["status": .string("ready"), "rules_version": .string(runtime.parts.engine.ruleSet.digest)]))
        } catch {
            // Anyone can read this answer: the store's error (paths, hosts, SQL) goes to the log only.
            context.logger.error("not ready: the store does not answer", metadata: ["error": "\(error)"])
            return .json(
                .object(["status": .string("not ready"), "error": .string("the store does not answer; see the gateway's log")]), status: .serviceUnavailable)
        }
    }
}
