import Foundation
import HotlineApp
import HotlineCore
import Hummingbird

/// The workbench's JSON side, for scripts and other tools: verdicts under four eyes, taking
/// a case, and standing holds.
struct WorkbenchAPIRoutes {
    let runtime: GatewayRuntime

    func add(to router: Router<GatewayContext>) {
        router.get("/v1/verdicts") { request, context in try verdicts(request, context: context) }
        router.post("/v1/verdicts/{id}/confirm") { request, context in try await review(request, context: context, confirm: true) }
        router.post("/v1/verdicts/{id}/reject") { request, context in try await review(request, context: context, confirm: false) }
        router.post("/v1/cases/{id}/take") { request, context in try take(request, context: context) }
        router.get("/v1/holds") { request, context in try holds(request, context: context) }
        router.post("/v1/holds") { request, context in try await placeHold(request, context: context) }
        router.post("/v1/holds/{id}/end") { request, context in try endHold(request, context: context) }
    }

    /// The status a verdict review's refusal is answered with.
    static func problem(_ error: VerdictReviewError) -> Problem {
        switch error {
        case .notFound(let message): Problem.notFound(message)
        case .notPending(let message): Problem.conflict(message)
        case .ownVerdict(let message): Problem(status: .forbidden, title: "Forbidden", detail: message)
        case .reasonRequired(let message): Problem.badRequest(message, field: "reason")
        }
    }

    static func json(_ verdict: HashVerdict) -> JSONValue {
        .object([
            "id": .string(verdict.id), "case_id": .string(verdict.caseID), "decision_id": .string(verdict.decisionID),
            "classification": .string(verdict.classification.rawValue), "status": .string(verdict.status.rawValue), "list": .string(verdict.list),
            "hashes": .array(verdict.hashes.map { .object(["algorithm": .string($0.algorithm.rawValue), "value": .string($0.value)]) }),
            "decided_by": .string(verdict.decidedActor), "created_at": .string(RFC3339.format(verdict.createdAt)),
            "reviewed_by": verdict.reviewedActor.map(JSONValue.string) ?? .null, "reviewed_at": verdict.reviewedAt.map { .string(RFC3339.format($0)) } ?? .null,
            "review_reason": verdict.reviewReason.map(JSONValue.string) ?? .null,
        ])
    }

    /// Verdicts, pending by default (`?status=all` for every one).
    func verdicts(_ request: Request, context: GatewayContext) throws -> Response {
        _ = try context.require(.analyst)
        let text = request.uri.queryParameters.get("status").map { String($0) } ?? "pending"
        guard text == "all" || HashVerdict.Status(rawValue: text) != nil else {
            throw Problem.badRequest("\"status\" must be pending, confirmed, rejected or all, got \(Quoted.text(text))", field: "status")
        }
        let found = try runtime.store.verdicts(status: HashVerdict.Status(rawValue: text), caseID: nil, limit: try QueryLimit.value(request))
        return .json(.object(["items": .array(found.map(Self.json))]))
    }

    /// A second analyst confirms or rejects a verdict; its own analyst cannot (403).
    func review(_ request: Request, context: GatewayContext, confirm: Bool) async throws -> Response {
        let token = try context.require(.analyst)
        // A confirmation needs nothing more: an empty body is an empty object.
        let raw = try await request.rawBody(limit: 16 * 1024)
        let value: JSONValue
        do { value = raw.allSatisfy({ $0 == 32 || $0 == 10 || $0 == 13 || $0 == 9 }) ? .object([:]) : try JSONValue.parse(raw) } catch {
            throw Problem.badRequest("invalid JSON at column \(error.column): \(error.message)")
        }
        let body = try StrictObject(value, allowed: ["reason"])
        do {
            let verdict = try VerdictReview(time: runtime.time).review(
                id: context.parameters.get("id") ?? "", confirm: confirm, reason: try body.string("reason"), token: token, store: runtime.store)
            if confirm { runtime.reloadHashesIfChanged() }
            return .json(Self.json(verdict))
        } catch let error as VerdictReviewError {
            throw Self.problem(error)
        }
    }

    /// Takes a case for the caller for 30 minutes (409 when another analyst has it).
    func take(_ request: Request, context: GatewayContext) throws -> Response {
        let token = try context.require(.analyst)
        let id = context.parameters.get("id") ?? ""
        let held = try Self.take(caseID: id, token: token, runtime: runtime)
        return .json(.object(["case_id": .string(id), "taken_by": .string(held.actor), "until": .string(RFC3339.format(held.until))]))
    }

    /// Takes a case for `token` (the API's and the workbench's): 404 without the case, 409
    /// when another analyst has it; audited.
    static func take(caseID id: String, token: APIToken, runtime: GatewayRuntime) throws -> CaseTake {
        guard try runtime.store.caseRecord(id: id) != nil else { throw Problem.notFound("no case \(Quoted.text(id))") }
        let now = runtime.time.now()
        let held = try runtime.store.takeCase(
            CaseTake(caseID: id, tokenID: token.id, actor: token.actor, takenAt: now, until: now.addingTimeInterval(CaseTake.lifetime)))
        guard held.tokenID == token.id else { throw Problem.conflict("\(held.actor) is working case \(id) until \(RFC3339.format(held.until))") }
        try runtime.store.appendAudit(
            AuditEntry(at: now, actor: token.actor, event: "case.taken", subject: id, detail: ["until": .string(RFC3339.format(held.until))]))
        return held
    }

    /// Every hold, newest first.
    func holds(_ request: Request, context: GatewayContext) throws -> Response {
        _ = try context.require(.analyst)
        return .json(.object(["items": .array(try runtime.store.holds(limit: try QueryLimit.value(request)).map { $0.json(at: runtime.time.now()) })]))
    }

    /// Places a hold: `{"scope", "value", "until", "reason", "police"}`.
    func placeHold(_ request: Request, context: GatewayContext) async throws -> Response {
        let token = try context.require(.analyst)
        let body = try StrictObject(try await request.jsonBody(limit: 16 * 1024), allowed: ["scope", "value", "until", "reason", "police"])
        let scopeText = try body.string("scope", required: true) ?? ""
        guard let scope = StandingHold.Scope(rawValue: scopeText) else {
            throw Problem.badRequest("\"scope\" must be domain, network, contact or case, got \(Quoted.text(scopeText))", field: "scope")
        }
        var police = false
        if let value = body.object["police"], value != .null {
            guard case .bool(let flag) = value else { throw Problem.badRequest("field \"police\" must be a boolean, got \(value.typeName)", field: "police") }
            police = flag
        }
        do {
            let hold = try HoldDesk(store: runtime.store, time: runtime.time).place(
                scope: scope, value: try body.string("value", required: true) ?? "", until: try body.string("until", required: true) ?? "",
                reason: try body.string("reason", required: true) ?? "", police: police, actor: token.actor)
            runtime.assembly.holdCache.invalidate()
            return .json(hold.json(at: runtime.time.now()), status: .created)
        } catch let error as HoldValueError {
            // Well-formed, but not a value of its scope or not a time to come.
            throw Problem.unprocessable(error.description)
        }
    }

    /// Ends a hold now.
    func endHold(_ request: Request, context: GatewayContext) throws -> Response {
        let token = try context.require(.analyst)
        let id = context.parameters.get("id") ?? ""
        guard try HoldDesk(store: runtime.store, time: runtime.time).release(id: id, actor: token.actor) else {
            throw Problem.conflict("hold \(Quoted.text(id)) is not in force (it ended already, or there is none)")
        }
        runtime.assembly.holdCache.invalidate()
        return .json(.object(["id": .string(id), "ended": .bool(true)]))
    }
}
