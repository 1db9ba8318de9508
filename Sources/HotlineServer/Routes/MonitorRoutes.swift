import Foundation
import HotlineApp
import HotlineCore
import Hummingbird

/// Removal statistics over the API and the dashboard page.
struct MonitorRoutes {
    let runtime: GatewayRuntime

    func add(to router: Router<GatewayContext>) {
        router.get("/v1/stats/hosters") { request, context in try hosters(request, context: context) }
        router.get("/dashboard") { request, context in try dashboard(request, context: context) }
        router.get("/dashboard/login") { _, _ in loginForm(message: nil) }
        router.post("/dashboard/login") { request, _ in try await login(request) }
    }

    func period(_ request: Request) throws -> (Date, Date) {
        let text = request.uri.queryParameters.get("since").map { String($0) } ?? "30d"
        guard let span = TimeSpan(text) else {
            throw Problem.badRequest("\"since\" must be a duration like 30d, got \(JSONValue.string(text).serialized)", field: "since")
        }
        let until = runtime.time.now()
        return (until.addingTimeInterval(-TimeInterval(span.seconds)), until)
    }

    func statistics(since: Date, until: Date) throws -> RemovalStatistics {
        RemovalStatistics(rows: try runtime.store.noticeURLRows(since: since, until: until), now: until, thresholds: runtime.config.compliance)
    }

    /// Per hoster, country and week, and the comply-or-explain list.
    func hosters(_ request: Request, context: GatewayContext) throws -> Response {
        _ = try context.require(.analyst)
        let (since, until) = try period(request)
        return .json(StatsJSON.hosters(try statistics(since: since, until: until), since: since, until: until))
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
        let page = DashboardPage(
            stats: try statistics(since: since, until: until), volumes: try store.reportsPerDay(since: since, until: until),
            decisions: decisions, queueDepth: try store.queueDepth(), since: since, until: until,
            rulesVersion: runtime.parts.engine.ruleSet.digest)
        return Response(
            status: .ok,
            headers: [
                .contentType: "text/html; charset=utf-8", .cacheControl: "no-store", .contentSecurityPolicy: "default-src 'none'; style-src 'unsafe-inline'",
            ], body: .init(byteBuffer: ByteBuffer(string: page.html)))
    }

    func loginForm(message: String?) -> Response {
        let html = """
            <!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Hotline Gateway — sign in</title></head>
            <body style="font-family:system-ui,sans-serif;margin:2rem"><h1>Hotline Gateway</h1>
            \(message.map { "<p style=\"color:#c53030\">\(DashboardPage.escape($0))</p>" } ?? "")
            <form method="post" action="/dashboard/login"><label>Analyst or admin token <input type="password" name="token" autocomplete="off" size="50"></label>
            <button type="submit">Sign in</button></form></body></html>
            """
        return Response(
            status: message == nil ? .ok : .unauthorized,
            headers: [.contentType: "text/html; charset=utf-8", .contentSecurityPolicy: "default-src 'none'; form-action 'self'"],
            body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    /// Exchanges a token typed into the form for an HttpOnly, SameSite=Strict session cookie.
    func login(_ request: Request) async throws -> Response {
        let body = String(decoding: try await request.rawBody(limit: 4096), as: UTF8.self)
        let token =
            body.split(separator: "&").compactMap { pair -> String? in
                let parts = pair.split(separator: "=", maxSplits: 1)
                guard parts.count == 2, parts[0] == "token" else { return nil }
                return String(parts[1]).replacingOccurrences(of: "+", with: " ").removingPercentEncoding
            }.first ?? ""
        guard let found = try runtime.store.token(secretHash: TokenSecrets.hash(token)), found.revokedAt == nil, found.role == .analyst || found.role == .admin
        else {
            return loginForm(message: "That is not a live analyst or admin token.")
        }
        return Response(
            status: .seeOther,
            headers: [
                .location: "/dashboard",
                .setCookie: "\(TokenAuthenticator.cookie)=\(token); Path=/dashboard; HttpOnly; SameSite=Strict; Max-Age=28800",
            ])
    }
}
