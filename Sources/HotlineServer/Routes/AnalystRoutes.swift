import Foundation
import Hummingbird
import HotlineCore
import HotlineStore

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
        let limit = min(1000, request.uri.queryParameters.get("limit", as: Int.self) ?? 100)
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
        let body = try StrictObject(try await request.jsonBody(limit: 64 * 1024), allowed: ["action", "reason", "to", "template", "deadline"])
        guard let reason = try body.string("reason", required: true), !reason.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw Problem.badRequest("field \"reason\" must not be empty", field: "reason")
        }
        let action: Action
        switch try body.string("action", required: true) {
        case "notify":
            let target = try body.string("to") ?? "hosting"
            guard let to = NoticeRecipient(target) else { throw Problem.badRequest("\"to\" of notify must be hosting, registrar, upstream or contact:NAME, got \(JSONValue.string(target).serialized)", field: "to") }
            var deadline = Action.defaultDeadline
            if let text = try body.string("deadline") {
                guard let span = TimeSpan(text) else { throw Problem.badRequest("\"deadline\" must be a duration like 24h, got \(JSONValue.string(text).serialized)", field: "deadline") }
                deadline = span
            }
            action = .notify(to: to, template: try body.string("template") ?? "ntd-first", deadline: deadline, batchWindow: TimeSpan(seconds: 0))
        case "forward":
            let target = try body.string("to") ?? "partner"
            guard let to = ForwardTarget(target) else { throw Problem.badRequest("\"to\" of forward must be partner, police or contact:NAME, got \(JSONValue.string(target).serialized)", field: "to") }
            action = .forward(to: to, template: try body.string("template"), reason: reason, policeFirst: false)
        case "close":
            action = .close(reason: reason)
        case let other:
            throw Problem.badRequest("\"action\" must be notify, forward or close, got \(JSONValue.string(other ?? "").serialized)", field: "action")
        }
        let parts = runtime.parts
        if let template = action.templateName, !parts.templates.names.contains(template) {
            throw Problem.badRequest("no template \(JSONValue.string(template).serialized)", field: "template")
        }
        let store = runtime.store
        guard var caseRecord = try store.caseRecord(id: caseID) else { throw Problem.notFound("no case \(JSONValue.string(caseID).serialized)") }
        guard caseRecord.status == .open else { throw Problem(status: .conflict, title: "Conflict", detail: "case \(caseID) is closed") }
        guard let latest = try store.latestDecision(caseID: caseID, schema: parts.engine.ruleSet.schema), let report = try store.report(id: latest.reportID) else {
            throw Problem.notFound("case \(caseID) has no decision to start from")
        }
        let now = runtime.time.now()
        let ids = UUIDv7Generator()
        let verdict = Verdict(rule: "analyst", outcome: action.kind, actions: [action], rulesDigest: parts.engine.ruleSet.digest)
        let decision = Decision(id: ids.next(), reportID: latest.reportID, caseID: caseID, trigger: "analyst", verdict: verdict, facts: latest.facts, decidedAt: now)
        let subject = DispatchPlanner.Subject(reportID: latest.reportID, caseID: caseID, decisionID: decision.id, url: report.url.canonical, host: report.url.host, facts: latest.facts, hashes: report.hashes.hashValues)
        let items = parts.planner.items(for: [action], subject: subject, now: now)
        if case .notify = action, items.first?.recipient == nil {
            throw Problem(status: .unprocessableContent, title: "Unprocessable Content", detail: "nobody to notify: no address for \(items.first?.target ?? "the target") in this case's facts or the directory", field: "to")
        }
        try store.writeErased { transaction in
            try transaction.insertDecision(decision)
            try transaction.enqueueDispatch(items)
            if case .close = action {
                caseRecord.status = .closed
                caseRecord.closedAt = now
                try transaction.updateCase(caseRecord)
            }
            try transaction.appendAudit(AuditEntry(at: now, actor: token.actor, event: "case.decided", subject: caseID, detail: [
                "decision_id": .string(decision.id), "action": action.json, "reason": .string(reason),
            ]))
        }
        return .json(.object(["case_id": .string(caseID), "decision_id": .string(decision.id), "outcome": .string(action.kind.rawValue), "actions": [action].json]), status: .created)
    }
}

extension Action {
    /// The template a notify or forward uses.
    var templateName: String? {
        switch self {
        case .notify(_, let template, _, _): template
        case .forward(let to, let template, _, _): template ?? (to == .police ? "police-info" : "inhope-forward")
        default: nil
        }
    }
}
