import Foundation
import Hummingbird
import HotlineCore
import HotlineStore

/// `POST /v1/reports` and `GET /v1/reports/{id}`.
struct ReportRoutes {
    let runtime: GatewayRuntime
    let intake: IntakeQueue
    let limiter: RateLimiter
    /// Most reports in one request.
    static let batchLimit = 1000
    /// Largest body: a full batch of large reports.
    static let bodyLimit = 4 << 20

    func add(to router: Router<GatewayContext>) {
        router.post("/v1/reports") { request, context in try await submit(request, context: context) }
        router.get("/v1/reports/{id}") { _, context in try show(context: context) }
    }

    /// One report, a batch (`{"reports": [...]}`), or X-ARF v4; answered once durable.
    func submit(_ request: Request, context: GatewayContext) async throws -> Response {
        let token = try context.require(.reporter)
        try limiter.take(token)
        let body = try await request.jsonBody(limit: Self.bodyLimit)
        if case .object(let object) = body, let reports = object["reports"] {
            guard object.members.count == 1 else {
                let extra = object.members.first { $0.key != "reports" }!.key
                throw Problem.badRequest("unknown field \"\(extra)\" beside \"reports\"", field: extra)
            }
            guard case .array(let items) = reports else { throw Problem.badRequest("\"reports\" must be an array, got \(reports.typeName)", field: "reports") }
            guard !items.isEmpty else { throw Problem.badRequest("\"reports\" is empty", field: "reports") }
            guard items.count <= Self.batchLimit else {
                throw Problem(status: .contentTooLarge, title: "Content Too Large", detail: "at most \(Self.batchLimit) reports per request, got \(items.count)", field: "reports")
            }
            return try await batch(items, token: token)
        }
        do {
            let report = XARFIntake.isXARF(body) ? try XARFIntake.report(body, path: "") : body
            _ = try ReportSubmission.parse(report)
            return try await single(report, token: token)
        } catch let error as ReportError {
            throw Problem(status: .badRequest, title: "Bad Request", detail: error.message, field: error.field, errors: [.object(["code": .string(error.code)])])
        }
    }

    private func single(_ report: JSONValue, token: APIToken) async throws -> Response {
        let outcomes = try await intake.submit([Array(report.serialized.utf8)], channel: "api", actor: token.actor)
        guard case .decided(_, _, _, let existing) = outcomes[0] else {
            if case .rejected(let error) = outcomes[0] { throw Problem.badRequest(error.message, field: error.field) }
            throw Problem.badRequest("not stored")
        }
        return .json(Self.json(outcomes[0]), status: existing ? .ok : .created)
    }

    private func batch(_ items: [JSONValue], token: APIToken) async throws -> Response {
        var lines: [[UInt8]] = []
        var early: [Int: JSONValue] = [:]
        for (index, item) in items.enumerated() {
            do {
                let report = XARFIntake.isXARF(item) ? try XARFIntake.report(item, path: "reports[\(index)]") : item
                lines.append(Array(report.serialized.utf8))
            } catch {
                early[index] = .object(["index": .number(Double(index)), "outcome": .string("rejected"), "error": .string(error.message), "field": error.field.map(JSONValue.string) ?? .null])
                lines.append([])
            }
        }
        let positions = lines.indices.filter { early[$0] == nil }
        let outcomes = positions.isEmpty ? [] : try await intake.submit(positions.map { lines[$0] }, channel: "api", actor: token.actor)
        var results: [JSONValue] = Array(repeating: .null, count: items.count)
        for (offset, position) in positions.enumerated() {
            guard case .object(var object) = Self.json(outcomes[offset]) else { continue }
            if case .rejected(let error) = outcomes[offset], let field = error.field {
                object.members.removeAll { $0.key == "field" }
                object.append("field", .string("reports[\(position)].\(field)"))
            }
            results[position] = .object(JSONObject([("index", .number(Double(position)))] + object.members))
        }
        for (index, value) in early { results[index] = value }
        let rejected = results.filter { if case .object(let o) = $0, o["outcome"] == .string("rejected") { true } else { false } }.count
        return .json(.object(["accepted": .number(Double(items.count - rejected)), "rejected": .number(Double(rejected)), "results": .array(results)]))
    }

    static func json(_ outcome: IngestResult.Outcome) -> JSONValue {
        switch outcome {
        case .decided(let reportID, let caseID, let decision, let existing):
            var object: JSONObject = [
                "report_id": .string(reportID), "case_id": .string(caseID), "outcome": .string(decision.outcome),
                "rule": .string(decision.rule), "actions": decision.actions, "rules_version": .string(decision.rulesDigest),
            ]
            if existing { object.append("existing", .bool(true)) }
            return .object(object)
        case .rejected(let error):
            var object: JSONObject = ["outcome": .string("rejected"), "error": .string(error.message), "code": .string(error.code)]
            if let field = error.field { object.append("field", .string(field)) }
            return .object(object)
        }
    }

    /// A report's status and its decisions with their traces and facts; never the reporter.
    func show(context: GatewayContext) throws -> Response {
        _ = try context.require(.reporter, .analyst)
        let id = context.parameters.get("id") ?? ""
        let store = runtime.store
        guard let report = try store.report(id: id), let caseID = try store.caseID(reportID: id), let caseRecord = try store.caseRecord(id: caseID) else {
            throw Problem.notFound("no report \(JSONValue.string(id).serialized)")
        }
        let summaries = try store.decisions(reportID: id)
        let records = try store.decisionRecords(reportID: id)
        let decisions: [JSONValue] = zip(summaries, records).map { summary, record in
            .object([
                "rule": .string(summary.rule), "outcome": .string(summary.outcome), "actions": summary.actions,
                "rules_version": .string(summary.rulesDigest), "trace": record.trace, "facts": record.facts,
            ])
        }
        var hashes = JSONObject()
        for (algorithm, value) in report.hashes.all { hashes.append(algorithm.rawValue, .string(value)) }
        var object: JSONObject = [
            "report_id": .string(report.id), "url": .string(report.url.canonical), "original_url": .string(report.url.original),
            "received_at": .string(RFC3339.format(report.receivedAt)),
            "source": .object(["type": .string(report.source.kind.rawValue), "name": report.source.name.map(JSONValue.string) ?? .null]),
        ]
        if let clientID = report.clientID { object.append("client_id", .string(clientID)) }
        if !hashes.members.isEmpty { object.append("hashes", .object(hashes)) }
        object.append("case", .object([
            "id": .string(caseRecord.id), "status": .string(caseRecord.status.rawValue), "report_count": .number(Double(caseRecord.reportCount)),
        ]))
        object.append("status", .string(caseRecord.status == .closed ? "closed" : (summaries.last?.outcome ?? "received")))
        object.append("decisions", .array(decisions))
        return .json(.object(object))
    }
}
