import HotlineCore
import Hummingbird

/// The request context: Hummingbird's core plus who is calling.
public struct GatewayContext: RequestContext {
    /// Hummingbird's per-request storage.
    public var coreContext: CoreRequestContextStorage
    /// The caller, once the bearer token checked out.
    public var token: APIToken? { didSet { facts.tokenID = token?.id } }
    /// What inner middleware learned, for the access log outside it (contexts are copied
    /// inwards, so the outer middleware sees changes only through this shared object).
    public let facts = RequestFacts()
    /// The client's address, for limits on failed logins: the peer's, or the one a trusted
    /// proxy names in `X-Forwarded-For` (``ClientAddressMiddleware``).
    public var remoteAddress: String
    /// The address of the TCP peer itself.
    public var peerAddress: String
    /// The dashboard session the request came with, and the SHA-256 of its id.
    public var session: (session: DashboardSession, idHash: String)?

    /// Creates a context for a request.
    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        peerAddress = source.channel.remoteAddress?.ipAddress ?? "unknown"
        remoteAddress = peerAddress
    }

    /// Bodies are read by the routes themselves, each with its own limit.
    public var maxUploadSize: Int { 8 << 20 }

    /// The caller, or a 401 problem.
    public func caller() throws -> APIToken {
        guard let token else { throw Problem.unauthorized("a bearer token is required") }
        return token
    }

    /// The caller when it has one of `roles`, else a 403 problem.
    public func require(_ roles: APIRole...) throws -> APIToken {
        let token = try caller()
        guard roles.contains(token.role) || token.role == .admin else {
            throw Problem(
                status: .forbidden, title: "Forbidden",
                detail: "this needs a token with role \(roles.map(\.rawValue).joined(separator: " or ")); this token has role \(token.role.rawValue)")
        }
        return token
    }
}
