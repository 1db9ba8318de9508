import Foundation
import HTTPTypes
import HotlineApp
import HotlineCore
import Hummingbird

/// The analysts' workbench under `/dashboard`: server-rendered pages for the queue, cases,
/// verdicts, notices, holds, hash lists and rules. Pages need a session (or a bearer
/// token); every form post needs the session's CSRF token and a same-origin request, and
/// an expired session goes back to sign-in.
struct WorkbenchRoutes {
    let runtime: GatewayRuntime

    /// What every page is served with: only the gateway's own stylesheet, no script, no
    /// image, no frame, forms only to itself.
    static let policy = "default-src 'none'; style-src 'self'; form-action 'self'; base-uri 'none'"

    func add(to router: Router<GatewayContext>) {
        router.get("/dashboard/static/workbench.css") { _, _ in
            Response(
                status: .ok,
                headers: [.contentType: "text/css; charset=utf-8", .cacheControl: "max-age=3600", HTTPField.Name("X-Content-Type-Options")!: "nosniff"],
                body: .init(byteBuffer: ByteBuffer(string: WorkbenchHTML.stylesheet)))
        }
        router.get("/dashboard/queue") { request, context in try page(request, context) { try queuePage(request, $0) } }
        router.get("/dashboard/cases/{id}") { request, context in
            try page(request, context) { try casePage(context.parameters.get("id") ?? "", $0) }
        }
        router.get("/dashboard/verdicts") { request, context in try page(request, context) { try verdictsPage($0) } }
        router.get("/dashboard/disputes") { request, context in try page(request, context) { try disputesPage($0) } }
        router.post("/dashboard/disputes/{id}/accept") { request, context in
            try await post(request, context) { try decideDispute($0, $1, id: context.parameters.get("id") ?? "", accept: true) }
        }
        router.post("/dashboard/disputes/{id}/reject") { request, context in
            try await post(request, context) { try decideDispute($0, $1, id: context.parameters.get("id") ?? "", accept: false) }
        }
        router.get("/dashboard/explanations") { request, context in try page(request, context) { try explanationsPage($0) } }
        router.post("/dashboard/explanations/{id}/accept") { request, context in
            try await post(request, context) { try decideExplanation($0, $1, id: context.parameters.get("id") ?? "", accept: true) }
        }
        router.post("/dashboard/explanations/{id}/reject") { request, context in
            try await post(request, context) { try decideExplanation($0, $1, id: context.parameters.get("id") ?? "", accept: false) }
        }
        router.get("/dashboard/notices") { request, context in try page(request, context) { try noticesPage($0) } }
        router.get("/dashboard/notices/{id}") { request, context in
            try page(request, context) { try noticePage(context.parameters.get("id") ?? "", $0) }
        }
        router.get("/dashboard/holds") { request, context in try page(request, context) { try holdsPage($0) } }
        router.get("/dashboard/lists") { request, context in try page(request, context) { try listsPage(request, $0) } }
        router.get("/dashboard/rules") { request, context in try page(request, context) { try rulesPage($0) } }
        router.post("/dashboard/cases/{id}/take") { request, context in
            try await post(request, context) { try take($0, $1, id: context.parameters.get("id") ?? "") }
        }
        router.post("/dashboard/cases/{id}/release") { request, context in
            try await post(request, context) { try giveBack($0, $1, id: context.parameters.get("id") ?? "") }
        }
        router.post("/dashboard/cases/{id}/decide") { request, context in
            try await post(request, context) { try decide($0, $1, id: context.parameters.get("id") ?? "") }
        }
        router.post("/dashboard/cases/{id}/release-held") { request, context in
            try await post(request, context) { try releaseHeld($0, $1, id: context.parameters.get("id") ?? "") }
        }
        router.post("/dashboard/verdicts/{id}/confirm") { request, context in
            try await post(request, context) { try review($0, $1, id: context.parameters.get("id") ?? "", confirm: true) }
        }
        router.post("/dashboard/verdicts/{id}/reject") { request, context in
            try await post(request, context) { try review($0, $1, id: context.parameters.get("id") ?? "", confirm: false) }
        }
        router.post("/dashboard/holds") { request, context in try await post(request, context) { try placeHold($0, $1) } }
        router.post("/dashboard/holds/{id}/end") { request, context in
            try await post(request, context) { try endHold($0, $1, id: context.parameters.get("id") ?? "") }
        }
        router.post("/dashboard/lists/{name}/enabled") { request, context in
            try await post(request, context) { try setListEnabled($0, $1, name: context.parameters.get("name") ?? "") }
        }
        router.post("/dashboard/lists/retract") { request, context in try await post(request, context) { try retract($0, $1) } }
        router.post("/dashboard/rules/reload") { request, context in try await post(request, context) { try reload($0, $1) } }
    }

    /// Who is looking, in which language, with which CSRF token.
    struct Viewer {
        let token: APIToken
        let csrf: String?
        let language: WorkbenchLanguage
        let path: String
        var message: String?
        var error: String?

        func text(_ key: String) -> String { language.text(key) }
    }

    /// A rendered page: its title and body.
    typealias Page = (title: String, body: String, status: HTTPResponse.Status)

    /// Back to sign-in: no session, or one that expired or was revoked.
    static var signIn: Response { Response(status: .seeOther, headers: [.location: "/dashboard/login", .cacheControl: "no-store"]) }

    func viewer(_ request: Request, _ context: GatewayContext) throws -> Viewer? {
        guard context.token != nil else { return nil }
        let token = try context.require(.analyst)
        var viewer = Viewer(token: token, csrf: context.session?.session.csrf, language: WorkbenchLanguage.of(request), path: request.uri.path)
        if let done = request.uri.queryParameters.get("done") { viewer.message = viewer.text("done." + String(done)) }
        return viewer
    }

    func render(_ page: Page, viewer: Viewer, setLanguage: Bool) -> Response {
        let html = WorkbenchHTML.page(
            title: page.title, body: page.body, language: viewer.language, csrf: viewer.csrf, actor: viewer.token.actor, path: viewer.path,
            message: viewer.message, error: viewer.error)
        var headers = MonitorRoutes.pageHeaders(Self.policy)
        if setLanguage {
            headers[.setCookie] =
                "\(WorkbenchLanguage.cookie)=\(viewer.language.rawValue); Path=/dashboard; HttpOnly; Secure; SameSite=Strict; Max-Age=31536000"
        }
        return Response(status: page.status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    func page(_ request: Request, _ context: GatewayContext, _ body: (Viewer) throws -> Page) throws -> Response {
        guard let viewer = try viewer(request, context) else { return Self.signIn }
        do {
            return render(try body(viewer), viewer: viewer, setLanguage: request.uri.queryParameters.get("lang") != nil)
        } catch let problem as Problem where problem.status == .notFound {
            return render((viewer.text("app"), "<p>\(WorkbenchHTML.escape(problem.detail))</p>", .notFound), viewer: viewer, setLanguage: false)
        }
    }

    /// A form post: a live session, its CSRF token and the same origin, or nothing is done.
    /// The action returns where to go next (post, redirect, get).
    func post(_ request: Request, _ context: GatewayContext, _ action: ([String: String], Viewer) throws -> String) async throws -> Response {
        let fields = MonitorRoutes.form(String(decoding: try await request.rawBody(limit: 64 * 1024), as: UTF8.self))
        guard var viewer = try viewer(request, context) else { return Self.signIn }
        guard MonitorRoutes.isSameOrigin(request), let csrf = viewer.csrf, let posted = fields["csrf"], !posted.isEmpty, posted == csrf else {
            viewer.error = viewer.text("error.csrf")
            return render((viewer.text("error.title"), "", .forbidden), viewer: viewer, setLanguage: false)
        }
        do {
            return Response(status: .seeOther, headers: [.location: try action(fields, viewer)])
        } catch let problem as Problem {
            viewer.error = problem.detail
            // Back to the page the form was on: /dashboard/SECTION[/ID].
            let back = "/" + request.uri.path.split(separator: "/").prefix(3).joined(separator: "/")
            return render(
                (viewer.text("error.title"), "<p><a href=\"\(WorkbenchHTML.escape(back))\">←</a></p>", problem.status), viewer: viewer, setLanguage: false)
        }
    }

    // MARK: Actions

    func take(_ fields: [String: String], _ viewer: Viewer, id: String) throws -> String {
        _ = try WorkbenchAPIRoutes.take(caseID: id, token: viewer.token, runtime: runtime)
        return "/dashboard/cases/\(id)?done=taken"
    }

    func giveBack(_ fields: [String: String], _ viewer: Viewer, id: String) throws -> String {
        try runtime.store.releaseCase(caseID: id, tokenID: viewer.token.id)
        try runtime.store.appendAudit(AuditEntry(at: runtime.time.now(), actor: viewer.token.actor, event: "case.given_back", subject: id))
        return "/dashboard/queue?done=released"
    }

    func decide(_ fields: [String: String], _ viewer: Viewer, id: String) throws -> String {
        let reason = (fields["reason"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard !reason.isEmpty else { throw Problem.badRequest("a decision needs a reason", field: "reason") }
        var classification: AssessedClassification?
        if let text = fields["classification"], !text.isEmpty {
            guard let parsed = AssessedClassification(rawValue: text) else {
                throw Problem.badRequest("\"classification\" must be one of \(AssessedClassification.names)", field: "classification")
            }
            classification = parsed
        }
        let action: Action
        switch fields["action"] ?? "" {
        case "notify":
            guard let to = DispatchTarget.notify(fields["to"] ?? "hosting") else {
                throw Problem.badRequest("a notice goes to hosting, registrar or upstream", field: "to")
            }
            guard classification != nil else { throw Problem.badRequest("a notice needs the analyst's classification", field: "classification") }
            action = .notify(to: to, template: "ntd-assessed", deadline: Action.defaultDeadline, batchWindow: TimeSpan(seconds: 0))
        case "forward":
            guard let to = DispatchTarget.forward(fields["to"] ?? "partner") else {
                throw Problem.badRequest("a forward goes to partner or police", field: "to")
            }
            action = .forward(to: to, template: nil, reason: reason, policeFirst: false)
        case "close":
            action = .close(reason: reason)
        default:
            throw Problem.badRequest("\"action\" must be notify, forward or close", field: "action")
        }
        _ = try AnalystRoutes.decide(caseID: id, action: action, reason: reason, classification: classification, token: viewer.token, runtime: runtime)
        return "/dashboard/cases/\(id)?done=decided"
    }

    func releaseHeld(_ fields: [String: String], _ viewer: Viewer, id: String) throws -> String {
        _ = try runtime.store.releaseHeldItems(caseID: id, at: runtime.time.now(), actor: viewer.token.actor)
        return "/dashboard/notices?done=releasedheld"
    }

    func review(_ fields: [String: String], _ viewer: Viewer, id: String, confirm: Bool) throws -> String {
        do {
            _ = try VerdictReview(time: runtime.time).review(id: id, confirm: confirm, reason: fields["reason"], token: viewer.token, store: runtime.store)
        } catch let error as VerdictReviewError {
            throw WorkbenchAPIRoutes.problem(error)
        }
        if confirm { runtime.reloadHashesIfChanged() }
        return "/dashboard/verdicts?done=\(confirm ? "confirmed" : "rejected")"
    }

    func decideDispute(_ fields: [String: String], _ viewer: Viewer, id: String, accept: Bool) throws -> String {
        do {
            _ = try DisputeDesk(store: runtime.store, time: runtime.time).decide(id: id, accept: accept, reason: fields["reason"], actor: viewer.token.actor)
        } catch let error as DisputeError {
            throw DisputeRoutes.problem(error)
        }
        if accept { runtime.reloadHashesIfChanged() }
        return "/dashboard/disputes?done=\(accept ? "disputeaccepted" : "disputerejected")"
    }

    func decideExplanation(_ fields: [String: String], _ viewer: Viewer, id: String, accept: Bool) throws -> String {
        do {
            _ = try ExplanationDesk(store: runtime.store, time: runtime.time).decide(
                id: id, accept: accept, reason: fields["reason"], actor: viewer.token.actor)
        } catch let error as ExplanationError {
            throw ExplanationRoutes.problem(error)
        }
        return "/dashboard/explanations?done=\(accept ? "explanationaccepted" : "explanationrejected")"
    }

    func placeHold(_ fields: [String: String], _ viewer: Viewer) throws -> String {
        guard let scope = StandingHold.Scope(rawValue: fields["scope"] ?? "") else {
            throw Problem.badRequest("\"scope\" must be domain, network, contact or case", field: "scope")
        }
        do {
            _ = try HoldDesk(store: runtime.store, time: runtime.time).place(
                scope: scope, value: fields["value"] ?? "", until: fields["until"] ?? "", reason: fields["reason"] ?? "", police: fields["police"] == "on",
                actor: viewer.token.actor)
        } catch let error as HoldValueError {
            throw Problem.badRequest(error.description)
        }
        runtime.assembly.holdCache.invalidate()
        return "/dashboard/holds?done=hold"
    }

    func endHold(_ fields: [String: String], _ viewer: Viewer, id: String) throws -> String {
        guard try HoldDesk(store: runtime.store, time: runtime.time).release(id: id, actor: viewer.token.actor) else {
            throw Problem.conflict("hold \(id) is not in force (it ended already, or there is none)")
        }
        runtime.assembly.holdCache.invalidate()
        return "/dashboard/holds?done=holdended"
    }

    func setListEnabled(_ fields: [String: String], _ viewer: Viewer, name: String) throws -> String {
        let enabled = fields["enabled"] == "1"
        guard try runtime.store.setEnabled(enabled, list: name) else { throw Problem.notFound("no hash list \(Quoted.text(name))") }
        try runtime.store.appendAudit(
            AuditEntry(at: runtime.time.now(), actor: viewer.token.actor, event: enabled ? "hashes.list_enabled" : "hashes.list_disabled", subject: name))
        runtime.reloadHashesIfChanged()
        return "/dashboard/lists?done=list"
    }

    func retract(_ fields: [String: String], _ viewer: Viewer) throws -> String {
        guard let algorithm = HashAlgorithm(rawValue: fields["algorithm"] ?? ""), let value = algorithm.normalize(fields["value"] ?? "") else {
            throw Problem.badRequest("give an algorithm (md5, sha1, sha256, pdq) and a hash of it", field: "value")
        }
        let reason = (fields["reason"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard !reason.isEmpty else { throw Problem.badRequest("a retraction needs a reason", field: "reason") }
        let list = fields["list"].flatMap { $0.isEmpty ? nil : $0 }
        let count = try runtime.store.retract(algorithm, value, list: list, reason: reason, at: runtime.time.now())
        try runtime.store.appendAudit(
            AuditEntry(
                at: runtime.time.now(), actor: viewer.token.actor, event: "hashes.retracted", subject: "\(algorithm.rawValue):\(value)",
                detail: ["list": list.map(JSONValue.string) ?? .null, "entries": .number(Double(count)), "reason": .string(reason)]))
        runtime.reloadHashesIfChanged()
        return "/dashboard/lists?done=retracted"
    }

    func reload(_ fields: [String: String], _ viewer: Viewer) throws -> String {
        guard viewer.token.role == .admin else { throw Problem(status: .forbidden, title: "Forbidden", detail: "reloading the rules needs an admin token") }
        let (digest, diagnostics) = runtime.reload(actor: viewer.token.actor)
        guard digest != nil else {
            throw Problem.unprocessable("the rules on disk were refused; the rules in force stay: " + diagnostics.map(\.description).joined(separator: "; "))
        }
        return "/dashboard/rules?done=reloaded"
    }
}
