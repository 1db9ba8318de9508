import Foundation
import HotlineApp
import HotlineCore
import Hummingbird

/// `GET /v1/queue` and `POST /v1/cases/{id}/decision`: people's side of the gateway.
struct AnalystRoutes {
    let runtime: GatewayRuntime

    func add(to router: Router<GatewayContext>) {
        router.get("/v1/queue") { request, context in try queue(request, context: context) }
        router.post("/v1/cases/{id}/decision") { request, context in try await decide(request, context: context) }
    }

    /// Escalated cases and notices, oldest first, with the reason and the facts.
    func queue(_ request: Request, context: GatewayContext) throws -> Response {
        _ = try context.require(.analyst)
        let limit = try QueryLimit.value(request)
        let entries = try runtime.store.escalationQueue(limit: limit).map { entry -> JSONValue in
            .object([
                "kind": .string(entry.kind), "id": .string(entry.id), "url": .string(entry.url), "queue": .string(entry.queue),
                "reason": .string(entry.reason), "priority": .string(entry.priority), "since": .string(RFC3339.format(entry.since)),
                entry.kind == "case" ? "facts" : "notice": entry.detail,
            ])
        }
        return .json(.object(["items": .array(entries)]))
    }

    /// An analyst decides a case: notify, forward or close, with a reason; recorded as a
    /// decision (rule `analyst`) and in the audit log with who decided.
    func decide(_ request: Request, context: GatewayContext) async throws -> Response {
        let token = try context.require(.analyst)
        let caseID = context.parameters.get("id") ?? ""
        let body = try StrictObject(
            try await request.jsonBody(limit: 64 * 1024), allowed: ["action", "reason", "to", "template", "deadline", "classification"])
        // What the analyst assessed: the notice and its X-ARF report state it (a notice must
        // not say "unclassified" or "found by hash" of material a person assessed).
        var classification: AssessedClassification?
        if let text = try body.string("classification") {
            guard let parsed = AssessedClassification(rawValue: text) else {
                throw Problem.badRequest("\"classification\" must be one of \(AssessedClassification.names), got \(Quoted.text(text))", field: "classification")
            }
            classification = parsed
        }
        guard let reason = try body.string("reason", required: true), !reason.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw Problem.badRequest("field \"reason\" must not be empty", field: "reason")
        }
        let action: Action
        switch try body.string("action", required: true) {
        case "notify":
            let target = try body.string("to") ?? "hosting"
            guard let to = DispatchTarget.notify(target) else {
                throw Problem.badRequest(
                    "\"to\" of notify must be hosting, registrar, upstream or contact:NAME, got \(JSONValue.string(target).serialized)", field: "to")
            }
            var deadline = Action.defaultDeadline
            if let text = try body.string("deadline") {
                guard let span = TimeSpan(text) else {
                    throw Problem.badRequest("\"deadline\" must be a duration like 24h, got \(JSONValue.string(text).serialized)", field: "deadline")
                }
                deadline = span
            }
            guard classification != nil else {
                throw Problem.badRequest("a notice needs the analyst's \"classification\": one of \(AssessedClassification.names)", field: "classification")
            }
            action = .notify(to: to, template: try body.string("template") ?? "ntd-assessed", deadline: deadline, batchWindow: TimeSpan(seconds: 0))
        case "forward":
            let target = try body.string("to") ?? "partner"
            guard let to = DispatchTarget.forward(target) else {
                throw Problem.badRequest("\"to\" of forward must be partner, police or contact:NAME, got \(JSONValue.string(target).serialized)", field: "to")
            }
            action = .forward(to: to, template: try body.string("template"), reason: reason, policeFirst: false)
        case "close":
            action = .close(reason: reason)
        case let other:
            throw Problem.badRequest("\"action\" must be notify, forward or close, got \(JSONValue.string(other ?? "").serialized)", field: "action")
        }
        let (decision, verdict) = try Self.decide(
            caseID: caseID, action: action, reason: reason, classification: classification, token: token, runtime: runtime)
        return .json(
            .object([
                "case_id": .string(caseID), "decision_id": .string(decision.id), "outcome": .string(action.kind.rawValue), "actions": [action].json,
                "verdict_id": verdict.map { .string($0.id) } ?? .null,
            ]),
            status: .created)
    }

    /// Records an analyst's decision (the API's and the workbench's), answering each refusal with its status.
    static func decide(
        caseID: String, action: Action, reason: String, classification: AssessedClassification?, token: APIToken, runtime: GatewayRuntime
    ) throws -> (Decision, HashVerdict?) {
        let parts = runtime.parts
        let decider = AnalystDecision(engine: parts.engine, templateNames: parts.templates.names, planner: parts.planner, time: runtime.time)
        do {
            return try decider.decide(caseID: caseID, action: action, reason: reason, classification: classification, token: token, store: runtime.store)
        } catch let error as AnalystDecisionError {
            switch error {
            // Schema-valid, but the config has no such template: unprocessable, like nobody to notify.
            case .unknownTemplate(let message): throw Problem.unprocessable(message, field: "template")
            case .notFound(let message): throw Problem.notFound(message)
            case .closed(let message), .taken(let message): throw Problem.conflict(message)
            case .nobodyToNotify(let message): throw Problem.unprocessable(message, field: "to")
            case .notIllegal(let message): throw Problem.unprocessable(message, field: "classification")
            }
        }
    }
}
