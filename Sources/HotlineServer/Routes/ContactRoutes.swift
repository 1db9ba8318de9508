import Foundation
import HotlineApp
import HotlineCore
import HotlineHosting
import Hummingbird

/// Hosters keep their own contact details (`/v1/provider/contact`); operators approve the
/// changes (`/v1/admin/contact-changes`) before they override the directory file.
struct ContactRoutes {
    let runtime: GatewayRuntime

    /// The languages notices are written in.
    static let languages: Set<String> = ["en", "nl"]

    func add(to router: Router<GatewayContext>) {
        router.get("/v1/provider/contact") { _, context in try show(context: context) }
        router.put("/v1/provider/contact") { request, context in try await change(request, context: context) }
        router.post("/v1/provider/contact/confirm") { _, context in try confirm(context: context) }
        router.get("/v1/admin/contact-changes") { request, context in try changes(request, context: context) }
        router.post("/v1/admin/contact-changes/{id}/approve") { request, context in try await decide(request, context: context, approve: true) }
        router.post("/v1/admin/contact-changes/{id}/reject") { request, context in try await decide(request, context: context, approve: false) }
    }

    /// The caller's directory entry as in force, and its file entry (which bounds its domains).
    func entries(_ org: String) throws -> (current: DirectoryContact, file: DirectoryContact) {
        let parts = runtime.parts
        guard let current = parts.resolver.directory.contact(id: org), let file = parts.directoryFile.contact(id: org) else {
            throw Problem.notFound("the contact directory has no entry \(Quoted.text(org))")
        }
        return (current, file)
    }

    func show(context: GatewayContext) throws -> Response {
        let token = try context.require(.provider)
        let org = try ProviderRoutes.organisation(token)
        let (current, _) = try entries(org)
        let pending = try runtime.store.contactChanges(org: org, status: .pending, limit: 100).last
        let confirmed = try runtime.store.contactConfirmations()[org]?.confirmedAt
        return .json(
            .object([
                "org": .string(org), "name": .string(current.name), "abuse": .array(current.abuse.map(JSONValue.string)),
                "channel": .string(current.channel.rawValue),
                "webhook": current.webhook.map(JSONValue.string) ?? .null, "language": .string(current.language),
                "confirmed_at": confirmed.map { .string(RFC3339.format($0)) } ?? .null, "pending": pending?.json ?? .null,
            ]))
    }

    /// Asks for a change: it waits for an operator's approval.
    func change(_ request: Request, context: GatewayContext) async throws -> Response {
        let token = try context.require(.provider)
        let org = try ProviderRoutes.organisation(token)
        let (current, file) = try entries(org)
        let body = try StrictObject(try await request.jsonBody(limit: 16 * 1024), allowed: ["abuse", "webhook", "language"])
        let abuse = try body.strings("abuse", limit: 10) ?? current.abuse
        let webhook = try body.string("webhook")
        let language = try body.string("language") ?? current.language
        if let problem = ContactDirectory.problem(with: (abuse, webhook, language), for: file, languages: Self.languages) {
            throw Problem.unprocessable(problem)
        }
        let now = runtime.time.now()
        let change = ContactChange(
            id: UUIDv7Generator().next(), org: org, tokenID: token.id, abuse: abuse.map { $0.lowercased() }, webhook: webhook, language: language,
            createdAt: now)
        try runtime.store.insertContactChange(
            change,
            audit: AuditEntry(
                at: now, actor: token.actor, event: "contact.change_requested", subject: change.id,
                detail: ["org": .string(org), "abuse": .array(change.abuse.map(JSONValue.string)), "webhook": webhook.map(JSONValue.string) ?? .null]))
        return .json(change.json, status: .accepted)
    }

    /// The hoster confirms its contact details are still right.
    func confirm(context: GatewayContext) throws -> Response {
        let token = try context.require(.provider)
        let org = try ProviderRoutes.organisation(token)
        _ = try entries(org)
        let now = runtime.time.now()
        try runtime.store.confirmContact(org: org, at: now)
        try runtime.store.appendAudit(AuditEntry(at: now, actor: token.actor, event: "contact.confirmed", subject: org))
        return .json(.object(["org": .string(org), "confirmed_at": .string(RFC3339.format(now))]))
    }

    func changes(_ request: Request, context: GatewayContext) throws -> Response {
        _ = try context.require(.admin)
        let status = request.uri.queryParameters.get("status").flatMap { ContactChange.Status(rawValue: String($0)) }
        return .json(.object(["items": .array(try runtime.store.contactChanges(org: nil, status: status, limit: try QueryLimit.value(request)).map(\.json))]))
    }

    /// An operator approves (the change overrides the directory on every instance) or rejects a change.
    func decide(_ request: Request, context: GatewayContext, approve: Bool) async throws -> Response {
        let token = try context.require(.admin)
        let body = try StrictObject(try await request.jsonBody(limit: 16 * 1024), allowed: ["reason"])
        let reason = try body.string("reason")
        do {
            let change = try ContactChangeDesk(store: runtime.store, time: runtime.time).decide(
                id: context.parameters.get("id") ?? "", approve: approve, reason: reason, actor: token.actor)
            if approve { _ = runtime.reload(actor: token.actor) }
            return .json(change.json)
        } catch let error as ContactChangeError {
            switch error {
            case .notFound(let message): throw Problem.notFound(message)
            case .decided(let message): throw Problem.conflict(message)
            case .reasonRequired(let message): throw Problem.badRequest(message, field: "reason")
            }
        }
    }
}
