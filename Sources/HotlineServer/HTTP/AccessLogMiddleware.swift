import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// One log record per request: method, path (without the query, which can carry a reported
/// URL), status, duration and the token's id, never the token. Outermost but for the client
/// address, so that refusals by the authenticator and the limits are logged too.
struct AccessLogMiddleware: RouterMiddleware {
    typealias Context = GatewayContext
    let logger: Logger

    func handle(_ request: Request, context: GatewayContext, next: (Request, GatewayContext) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        do {
            let response = try await next(request, context)
            log(request, context: context, status: response.status.code, since: started)
            return response
        } catch {
            log(request, context: context, status: (error as? any HTTPResponseError)?.status.code ?? 500, since: started)
            throw error
        }
    }

    private func log(_ request: Request, context: GatewayContext, status: Int, since started: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - started
        let milliseconds = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        let path = String(request.uri.path.prefix(200))
        logger.info(
            "request",
            metadata: [
                "method": "\(request.method.rawValue)", "path": "\(path)", "status": "\(status)",
                "duration_ms": "\(String(format: "%.1f", milliseconds))", "token": "\(context.facts.tokenID ?? "-")",
                "client": "\(context.remoteAddress)",
            ])
    }
}
