import Foundation
import HotlineApp
import HotlineCore
import Hummingbird

/// Listed hosters explain themselves (`/v1/provider/explanations`) and see where they stand
/// on the draft (`/v1/provider/listing`); analysts accept or reject the explanations
/// (`/v1/explanations`) and see the editions (`/v1/publications`).
struct ExplanationRoutes {
    let runtime: GatewayRuntime

    func add(to router: Router<GatewayContext>) {
        router.post("/v1/provider/explanations") { request, context in try await file(request, context: context) }
        router.get("/v1/provider/explanations") { request, context in try own(request, context: context) }
        router.get("/v1/provider/listing") { request, context in try listing(request, context: context) }
        router.get("/v1/explanations") { request, context in try all(request, context: context) }
        router.post("/v1/explanations/{id}/accept") { request, context in try await decide(request, context: context, accept: true) }
        router.post("/v1/explanations/{id}/reject") { request, context in try await decide(request, context: context, accept: false) }
        router.get("/v1/publications") { request, context in try publications(request, context: context) }
    }

    /// Every edition, newest first.
    func publications(_ request: Request, context: GatewayContext) throws -> Response {
        _ = try context.require(.analyst)
        return .json(.object(["items": .array(try runtime.store.publications().map(\.json))]))
    }

    var desk: PublicationDesk { PublicationDesk(store: runtime.store, config: runtime.config, directory: runtime.parts.directoryFile) }

    static func problem(_ error: ExplanationError) -> Problem {
        switch error {
        case .notListed(let message): Problem.conflict(message)
        case .notFound(let message): Problem.notFound(message)
        case .decided(let message): Problem.conflict(message)
        case .invalid(let message): Problem.badRequest(message)
        case .unprocessable(let message): Problem.unprocessable(message)
        }
    }

    static func time(_ body: StrictObject, _ field: String) throws -> Date {
        let text = try body.string(field, required: true) ?? ""
        guard let date = RFC3339.parse(text) else {
            throw Problem.badRequest("\"\(field)\" must be an RFC 3339 time like 2026-09-01T00:00:00Z, got \(Quoted.text(text))", field: field)
        }
        return date
    }

    /// A listed hoster explains, in text, for a period.
    func file(_ request: Request, context: GatewayContext) async throws -> Response {
        let token = try context.require(.provider)
        let org = try ProviderRoutes.organisation(token)
        let body = try StrictObject(try await request.jsonBody(limit: 16 * 1024), allowed: ["since", "until", "text"])
        let since = try Self.time(body, "since")
        let until = try Self.time(body, "until")
        let desk = self.desk
        do {
            let explanation = try ExplanationDesk(store: runtime.store, time: runtime.time).file(
                org: org, token: token, since: since, until: until, text: try body.string("text", required: true) ?? "",
                listed: { try desk.isListed(org: $0, since: $1, until: $2) })
            return .json(explanation.json, status: .created)
        } catch let error as ExplanationError {
            throw Self.problem(error)
        }
    }

    /// The caller's organisation's explanations, with their status and the analyst's reason.
    func own(_ request: Request, context: GatewayContext) throws -> Response {
        let token = try context.require(.provider)
        let org = token.role == .admin ? nil : try ProviderRoutes.organisation(token)
        return .json(.object(["items": .array(try runtime.store.explanations(org: org, status: nil, limit: try QueryLimit.value(request)).map(\.json))]))
    }

    /// Where the caller stands on the draft in review: listed or not, why, and until when it may respond.
    func listing(_ request: Request, context: GatewayContext) throws -> Response {
        let token = try context.require(.provider)
        let org = try ProviderRoutes.organisation(token)
        guard let draft = try runtime.store.publications().first(where: { $0.status == .review }) else {
            return .json(.object(["draft": .null, "listed": .bool(false)]))
        }
        let stats = try desk.statistics(since: draft.since, until: draft.until)
        let finding = stats.complyOrExplain.first { $0.figures.contactID == org }
        var object: JSONObject = [
            "draft": .object([
                "version": .number(Double(draft.version)), "since": .string(RFC3339.format(draft.since)), "until": .string(RFC3339.format(draft.until)),
                "review_until": .string(RFC3339.format(draft.reviewUntil)),
            ]), "listed": .bool(finding != nil),
        ]
        if let finding {
            object.append("reasons", .array(finding.reasons.map(JSONValue.string)))
            object.append("figures", PublicationSite.publicFigures(finding.figures))
            object.append("evidence", .array(finding.evidence))
        }
        return .json(.object(object))
    }

    /// Every explanation (`?status=pending` for the ones waiting).
    func all(_ request: Request, context: GatewayContext) throws -> Response {
        _ = try context.require(.analyst)
        let status = try QueryStatus.value(request, as: HosterExplanation.Status.self)
        return .json(
            .object(["items": .array(try runtime.store.explanations(org: nil, status: status, limit: try QueryLimit.value(request)).map(\.json))]))
    }

    /// An analyst accepts (it is published with the hoster's entry) or rejects an explanation, with a reason.
    func decide(_ request: Request, context: GatewayContext, accept: Bool) async throws -> Response {
        let token = try context.require(.analyst)
        let body = try StrictObject(try await request.jsonBody(limit: 16 * 1024), allowed: ["reason"])
        do {
            let explanation = try ExplanationDesk(store: runtime.store, time: runtime.time).decide(
                id: context.parameters.get("id") ?? "", accept: accept, reason: try body.string("reason"), actor: token.actor)
            return .json(explanation.json)
        } catch let error as ExplanationError {
            throw Self.problem(error)
        }
    }
}
