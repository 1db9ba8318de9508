import Foundation
import HTTPTypes
import HotlineCore
import Hummingbird

/// The client's address behind a proxy the config names (`api.trusted_proxies`): the
/// right-most `X-Forwarded-For` entry that is not itself a trusted proxy. From any other peer
/// the header is ignored, so a client cannot pick the address its limits are counted under.
struct ClientAddressMiddleware: RouterMiddleware {
    typealias Context = GatewayContext
    let trustedProxies: [IPNetwork]

    func handle(_ request: Request, context: GatewayContext, next: (Request, GatewayContext) async throws -> Response) async throws -> Response {
        guard !trustedProxies.isEmpty, let peer = IPAddress(context.peerAddress), isTrusted(peer) else { return try await next(request, context) }
        var context = context
        if let client = Self.client(request.headers[values: Self.forwardedFor], trusted: isTrusted) { context.remoteAddress = client }
        return try await next(request, context)
    }

    static let forwardedFor = HTTPField.Name("X-Forwarded-For")!

    func isTrusted(_ address: IPAddress) -> Bool { trustedProxies.contains { $0.contains(address) } }

    /// The right-most address in the headers that `trusted` does not vouch for.
    static func client(_ values: [String], trusted: (IPAddress) -> Bool) -> String? {
        let entries = values.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }
        for entry in entries.reversed() {
            guard let address = IPAddress(entry) else { return nil }
            if !trusted(address) { return address.description }
        }
        return nil
    }
}
