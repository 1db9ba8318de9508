import Foundation
import HotlineApp
import HotlineCore
import Hummingbird

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
        let token = try context.require(.reporter, .provider)
        // A hoster reports what its own scan found: as a provider, whatever the body says.
        let org = token.role == .provider ? try ProviderRoutes.organisation(token) : nil
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
                throw Problem(
                    status: .contentTooLarge, title: "Content Too Large", detail: "at most \(Self.batchLimit) reports per request, got \(items.count)",
                    field: "reports")
            }
            return try await batch(items, token: token, provider: org)
        }
        let submission: ReportSubmission
        do {
            submission = try Self.submission(body, path: "").asProvider(org)
        } catch {
            throw Problem(
                status: .badRequest, title: "Bad Request", detail: error.message, field: error.field, errors: [.object(["code": .string(error.code)])])
        }
        let outcome = try await intake.submit([submission], channel: "api", actor: token.actor, submitter: .token(token), trusted: trusts(token))[0]
        switch outcome {
        case .decided(_, _, _, let existing): return .json(.object(outcome.json(warnings: submission.warnings)), status: existing ? .ok : .created)
        // Stored and acknowledged; decided once the gateway's own evidence is in.
        case .pending(_, _, let existing): return .json(.object(outcome.json(warnings: submission.warnings)), status: existing ? .ok : .accepted)
        case .rejected(let error): throw Problem.badRequest(error.message, field: error.field)
        }
    }

    /// Whether the config trusts this token's reported hashes as evidence.
    func trusts(_ token: APIToken) -> Bool { runtime.assembly.trusts(tokenID: token.id, org: token.org) }

    /// One report of a request: X-ARF v4 or the gateway's own form, validated.
    static func submission(_ value: JSONValue, path: String) throws(ReportError) -> ReportSubmission {
        try ReportSubmission.parse(XARFIntake.isXARF(value) ? try XARFIntake.report(value, path: path) : value)
    }

    private func batch(_ items: [JSONValue], token: APIToken, provider org: String?) async throws -> Response {
        var accepted: [(index: Int, submission: ReportSubmission)] = []
        var results: [JSONValue] = Array(repeating: .null, count: items.count)
        for (index, item) in items.enumerated() {
            do {
                accepted.append((index, try Self.submission(item, path: "reports[\(index)]").asProvider(org)))
            } catch {
                var error = error
                error.field = error.field.map { $0.hasPrefix("reports[") ? $0 : "reports[\(index)].\($0)" }
                results[index] = .object(JSONObject([("index", .number(Double(index)))] + IngestResult.Outcome.rejected(error).json.members))
            }
        }
        let outcomes =
            accepted.isEmpty
            ? [] : try await intake.submit(accepted.map(\.submission), channel: "api", actor: token.actor, submitter: .token(token), trusted: trusts(token))
        for (entry, outcome) in zip(accepted, outcomes) {
            results[entry.index] = .object(JSONObject([("index", .number(Double(entry.index)))] + outcome.json(warnings: entry.submission.warnings).members))
        }
        let rejected = items.count - zip(accepted, outcomes).filter { if case .rejected = $0.1 { false } else { true } }.count
        return .json(.object(["accepted": .number(Double(items.count - rejected)), "rejected": .number(Double(rejected)), "results": .array(results)]))
    }

    /// A report's status and its decisions with their traces and facts; never the reporter.
    /// A reporter sees only the reports of its own scope (its organisation's tokens, or
    /// itself); another's is "not found", so that ids tell nothing.
    func show(context: GatewayContext) throws -> Response {
        let token = try context.require(.reporter, .analyst)
        let id = context.parameters.get("id") ?? ""
        let store = runtime.store
        guard let report = try store.report(id: id), token.role != .reporter || report.clientScope == Submitter.token(token).scope,
            let caseID = try store.caseID(reportID: id), let caseRecord = try store.caseRecord(id: caseID)
        else {
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
        object.append(
            "case",
            .object([
                "id": .string(caseRecord.id), "status": .string(caseRecord.status.rawValue), "report_count": .number(Double(caseRecord.reportCount)),
            ]))
        object.append("status", .string(caseRecord.status == .closed ? "closed" : (summaries.last?.outcome ?? "pending")))
        object.append("decisions", .array(decisions))
        return .json(.object(object))
    }
}

extension ReportSubmission {
    /// The submission as a provider's own report when `org` is given.
    fileprivate func asProvider(_ org: String?) -> ReportSubmission {
        guard let org else { return self }
        var submission = self
        submission.source = ReportSource(kind: .provider, name: org)
        return submission
    }
}
