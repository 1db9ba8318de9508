import Foundation
import HTTPTypes
import HotlineApp
import HotlineCore
import Hummingbird

/// Removal statistics over the API and the dashboard page.
struct MonitorRoutes {
    let runtime: GatewayRuntime
    /// Failed sign-ins per client address (shared with the API's failed tokens).
    let guessing: RateLimiter

    func add(to router: Router<GatewayContext>) {
        router.get("/v1/stats/hosters") { request, context in try hosters(request, context: context) }
        router.get("/v1/stats/survival") { request, context in try survival(request, context: context) }
        router.get("/v1/stats/online") { request, context in try online(request, context: context) }
        router.get("/dashboard") { request, context in try dashboard(request, context: context) }
        router.get("/dashboard/login") { _, _ in loginForm(message: nil) }
        router.post("/dashboard/login") { request, context in try await login(request, context: context) }
        router.post("/dashboard/logout") { request, context in try await logout(request, context: context) }
    }

    /// `since` (a duration back from `until`, or an RFC 3339 time) and `until` (an RFC 3339
    /// time not in the future; default now): the figures of a published period can be asked
    /// for again and come out the same.
    func period(_ request: Request) throws -> (Date, Date) {
        let now = runtime.time.now()
        var until = now
        if let text = request.uri.queryParameters.get("until").map({ String($0) }) {
            guard let date = RFC3339.parse(text) else {
                throw Problem.badRequest("\"until\" must be an RFC 3339 time, got \(JSONValue.string(text).serialized)", field: "until")
            }
            guard date <= now else { throw Problem.unprocessable("\"until\" must not be in the future") }
            until = date
        }
        let text = request.uri.queryParameters.get("since").map { String($0) } ?? "30d"
        if let date = RFC3339.parse(text) {
            guard date < until else { throw Problem.unprocessable("\"since\" must be before \"until\"") }
            return (date, until)
        }
        guard let span = TimeSpan(text) else {
            throw Problem.badRequest("\"since\" must be a duration like 30d or an RFC 3339 time, got \(JSONValue.string(text).serialized)", field: "since")
        }
        return (until.addingTimeInterval(-TimeInterval(span.seconds)), until)
    }

    func statistics(since: Date, until: Date) throws -> RemovalStatistics {
        RemovalStatistics(rows: try runtime.store.noticeURLRows(since: since, until: until), now: until, thresholds: runtime.config.compliance)
    }

    /// `?format=csv` or JSON (the default).
    static func wantsCSV(_ request: Request) throws -> Bool {
        switch request.uri.queryParameters.get("format").map({ String($0) }) {
        case nil, "json": false
        case "csv": true
        case let other?: throw Problem.badRequest("\"format\" must be json or csv, got \(JSONValue.string(other).serialized)", field: "format")
        }
    }

    static func csv(_ text: String, name: String) -> Response {
        Response(
            status: .ok,
            headers: [.contentType: "text/csv; charset=utf-8", .contentDisposition: "attachment; filename=\"\(name)\"", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// Per hoster, country and week, forwards per partner, country and AS, and the comply-or-explain list.
    func hosters(_ request: Request, context: GatewayContext) throws -> Response {
        _ = try context.require(.analyst)
        let (since, until) = try period(request)
        let stats = try statistics(since: since, until: until)
        if try Self.wantsCSV(request) { return Self.csv(StatsCSV.figures(stats.hosters), name: "hosters.csv") }
        let upstreams = try runtime.store.upstreams(of: stats.complyOrExplain.compactMap(\.figures.asn))
        return .json(StatsJSON.hosters(stats, since: since, until: until, upstreams: upstreams))
    }

    /// The Kaplan–Meier curves (JSON with summaries and steps, or CSV of every step).
    func survival(_ request: Request, context: GatewayContext) throws -> Response {
        _ = try context.require(.analyst)
        let (since, until) = try period(request)
        let stats = try statistics(since: since, until: until)
        if try Self.wantsCSV(request) { return Self.csv(StatsCSV.curves(stats.curves), name: "survival.csv") }
        return .json(StatsJSON.survival(stats, since: since, until: until))
    }

    /// What is online now across every open notice and forward.
    func online(_ request: Request, context: GatewayContext) throws -> Response {
        _ = try context.require(.analyst)
        let now = runtime.time.now()
        let online = try runtime.store.onlineNow(at: now, now: now)
        if try Self.wantsCSV(request) { return Self.csv(StatsCSV.online(online), name: "online.csv") }
        return .json(online.json)
    }

    /// The dashboard for analysts and admins (bearer token, or the session cookie from the login form).
    func dashboard(_ request: Request, context: GatewayContext) throws -> Response {
        guard context.token != nil else {
            return Response(status: .seeOther, headers: [.location: "/dashboard/login"])
        }
        _ = try context.require(.analyst)
        let (since, until) = try period(request)
        let store = runtime.store
        let summary = try store.summary()
        var decisions: [(String, Int)] = []
        if case .object(let byOutcome)? = summary["decisions"] {
            for member in byOutcome.members {
                if case .number(let count) = member.value { decisions.append((member.key, Int(count))) }
            }
        }
        var page = DashboardPage(
            stats: try statistics(since: since, until: until), volumes: try store.reportsPerDay(since: since, until: until),
            decisions: decisions, queueDepth: try store.queueDepth(), since: since, until: until,
            rulesVersion: runtime.parts.engine.ruleSet.digest)
        page.upstreams = try store.upstreams(of: page.stats.complyOrExplain.compactMap(\.figures.asn))
        page.online = try store.onlineNow(at: until, now: runtime.time.now())
        let language = WorkbenchLanguage.of(request)
        let html = WorkbenchHTML.page(
            title: language.text("nav.monitor"), body: page.body, language: language, csrf: context.session?.session.csrf, actor: context.token?.actor,
            path: "/dashboard")
        return Response(status: .ok, headers: Self.pageHeaders(WorkbenchRoutes.policy), body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    /// Headers every dashboard page carries: nothing framed, nothing cached.
    static func pageHeaders(_ policy: String) -> HTTPFields {
        [
            .contentType: "text/html; charset=utf-8", .cacheControl: "no-store", .contentSecurityPolicy: policy + "; frame-ancestors 'none'",
            HTTPField.Name("X-Frame-Options")!: "DENY",
            // Not no-referrer: with it, browsers send "Origin: null" on the pages' own form posts.
            HTTPField.Name("Referrer-Policy")!: "same-origin", HTTPField.Name("X-Content-Type-Options")!: "nosniff",
        ]
    }

    /// How long a session lasts at most.
    static let sessionLifetime: TimeInterval = 8 * 3600

    /// The sign-in form, with a fresh CSRF value in a cookie and in the form (the post must
    /// carry both, which a page of another site cannot).
    func loginForm(message: String?, status: HTTPResponse.Status? = nil) -> Response {
        let csrf = TokenSecrets.make()
        let html = """
            <!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Sign in — Hotline Gateway</title>
            <link rel="stylesheet" href="/dashboard/static/workbench.css"></head>
            <body><main><h1>Hotline Gateway</h1>
            \(message.map { "<p class=\"error\" role=\"alert\">\(DashboardPage.escape($0))</p>" } ?? "")
            <form method="post" action="/dashboard/login" id="signin"><input type="hidden" name="csrf" value="\(csrf)">
            <label>Analyst or admin token · Token van analist of beheerder <input type="password" name="token" autocomplete="off" size="50"></label>
            <button type="submit">Sign in · Aanmelden</button></form></main></body></html>
            """
        var headers = Self.pageHeaders(WorkbenchRoutes.policy)
        headers[.setCookie] = "\(Self.loginCookie)=\(csrf); Path=/dashboard/login; HttpOnly; Secure; SameSite=Strict; Max-Age=3600"
        return Response(status: status ?? (message == nil ? .ok : .unauthorized), headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    /// The cookie holding the sign-in form's CSRF value.
    static let loginCookie = "hg_login"

    /// The fields of a form post.
    static func form(_ body: String) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in body.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            guard parts.count == 2, let value = String(parts[1]).replacingOccurrences(of: "+", with: " ").removingPercentEncoding else { continue }
            if fields[String(parts[0])] == nil { fields[String(parts[0])] = value }
        }
        return fields
    }

    /// Whether a post comes from the gateway's own pages: an `Origin` (or a browser's
    /// `Sec-Fetch-Site`) naming another site is refused.
    static func isSameOrigin(_ request: Request) -> Bool {
        if let site = request.headers[HTTPField.Name("Sec-Fetch-Site")!], site != "same-origin", site != "none" { return false }
        guard let origin = request.headers[HTTPField.Name("Origin")!] else { return true }
        guard let host = request.head.authority else { return false }
        return origin == "http://\(host)" || origin == "https://\(host)"
    }

    /// Exchanges a token typed into the form for a session: a random id in an HttpOnly,
    /// Secure, SameSite=Strict cookie, stored hashed, ended by sign-out, by the token's
    /// revocation or after eight hours. Failed sign-ins count against the client's address.
    func login(_ request: Request, context: GatewayContext) async throws -> Response {
        guard Self.isSameOrigin(request) else { return loginForm(message: "Sign in from this site's own form.", status: .forbidden) }
        let fields = Self.form(String(decoding: try await request.rawBody(limit: 4096), as: UTF8.self))
        guard let posted = fields["csrf"], let expected = request.cookies[Self.loginCookie]?.value, !posted.isEmpty, posted == expected else {
            return loginForm(message: "The form had expired; sign in again.", status: .forbidden)
        }
        let secret = fields["token"] ?? ""
        guard let found = try runtime.store.token(secretHash: TokenSecrets.hash(secret)), found.revokedAt == nil, found.role == .analyst || found.role == .admin
        else {
            do {
                try guessing.take(key: context.remoteAddress, role: .reporter, detail: "too many failed sign-ins from this address; try again later")
            } catch let problem as Problem {
                var response = loginForm(message: "Too many failed sign-ins from this address; try again later.", status: .tooManyRequests)
                if let wait = problem.headers[.retryAfter] { response.headers[.retryAfter] = wait }
                return response
            }
            return loginForm(message: "That is not a live analyst or admin token.")
        }
        let id = TokenSecrets.make()
        let now = runtime.time.now()
        try runtime.store.insertSession(
            DashboardSession(tokenID: found.id, csrf: TokenSecrets.make(), createdAt: now, expiresAt: now.addingTimeInterval(Self.sessionLifetime)),
            idHash: TokenSecrets.hash(id))
        try runtime.store.appendAudit(AuditEntry(at: now, actor: found.actor, event: "dashboard.login", detail: ["from": .string(context.remoteAddress)]))
        var headers: HTTPFields = [.location: "/dashboard"]
        headers.append(
            HTTPField(name: .setCookie, value: "\(TokenAuthenticator.cookie)=\(id); Path=/dashboard; HttpOnly; Secure; SameSite=Strict; Max-Age=28800"))
        headers.append(HTTPField(name: .setCookie, value: "\(Self.loginCookie)=; Path=/dashboard/login; HttpOnly; Secure; SameSite=Strict; Max-Age=0"))
        return Response(status: .seeOther, headers: headers)
    }

    /// Ends the session: the form must carry the session's CSRF token.
    func logout(_ request: Request, context: GatewayContext) async throws -> Response {
        let fields = Self.form(String(decoding: try await request.rawBody(limit: 4096), as: UTF8.self))
        guard Self.isSameOrigin(request), let (session, idHash) = context.session, fields["csrf"] == session.csrf else {
            throw Problem(status: .forbidden, title: "Forbidden", detail: "sign out from the dashboard's own form")
        }
        try runtime.store.revokeSession(idHash: idHash, at: runtime.time.now())
        var headers: HTTPFields = [.location: "/dashboard/login"]
        headers.append(HTTPField(name: .setCookie, value: "\(TokenAuthenticator.cookie)=; Path=/dashboard; HttpOnly; Secure; SameSite=Strict; Max-Age=0"))
        return Response(status: .seeOther, headers: headers)
    }
}
