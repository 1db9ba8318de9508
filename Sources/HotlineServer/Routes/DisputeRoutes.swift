import Foundation
import HotlineApp
import HotlineCore
import HotlineHashing
import Hummingbird

/// Hosters dispute false matches (`/v1/provider/disputes`); analysts accept or reject them
/// (`/v1/disputes`).
struct DisputeRoutes {
    let runtime: GatewayRuntime

    func add(to router: Router<GatewayContext>) {
        router.post("/v1/provider/disputes") { request, context in try await file(request, context: context) }
        router.get("/v1/provider/disputes") { request, context in try own(request, context: context) }
        router.get("/v1/disputes") { request, context in try all(request, context: context) }
        router.post("/v1/disputes/{id}/accept") { request, context in try await decide(request, context: context, accept: true) }
        router.post("/v1/disputes/{id}/reject") { request, context in try await decide(request, context: context, accept: false) }
    }

    /// The lists in force that hold `value` (PDQ: within the threshold).
    static func lists(_ algorithm: HashAlgorithm, _ value: String, index: HashIndex) -> [String] {
        Array(Set(index.matches(algorithm, value).map(\.list))).sorted()
    }

    static func problem(_ error: DisputeError) -> Problem {
        switch error {
        case .nothingToDispute(let message): Problem.unprocessable(message)
        case .notFound(let message): Problem.notFound(message)
        case .decided(let message): Problem.conflict(message)
        case .invalid(let message): Problem.badRequest(message)
        }
    }

    /// A hoster disputes a listed hash it holds, or a notice it received.
    func file(_ request: Request, context: GatewayContext) async throws -> Response {
        let token = try context.require(.provider)
        let org = try ProviderRoutes.organisation(token)
        let body = try StrictObject(try await request.jsonBody(limit: 16 * 1024), allowed: ["hash", "notice", "reason", "evidence"])
        let index = runtime.parts.hashIndex
        var hashes: [(entry: HashListEntry, lists: [String])] = []
        var noticeID: String?
        if let value = body.object["hash"], value != .null {
            let hash = try StrictObject(value, path: "hash", allowed: ["algorithm", "value"])
            let name = try hash.string("algorithm", required: true) ?? ""
            guard let algorithm = HashAlgorithm(rawValue: name) else {
                throw Problem.badRequest("\"hash.algorithm\" must be md5, sha1, sha256 or pdq, got \(Quoted.text(name))", field: "hash.algorithm")
            }
            guard let normalized = algorithm.normalize(try hash.string("value", required: true) ?? "") else {
                throw Problem.badRequest("\"hash.value\" must be \(algorithm.hexLength) hex digits", field: "hash.value")
            }
            hashes = [(HashListEntry(algorithm: algorithm, value: normalized), Self.lists(algorithm, normalized, index: index))]
        } else if let reference = try body.string("notice") {
            // Another organisation's notice is "not found", as for acknowledgements.
            guard let notice = try runtime.store.notice(reference), notice.recipient.contactID == org else {
                throw Problem.notFound("no notice \(Quoted.text(reference)) for \(org)")
            }
            noticeID = notice.id
            var seen = Set<String>()
            for item in notice.items {
                for (name, value) in item.subject.hashes.sorted(by: { $0.key < $1.key }) {
                    guard let algorithm = HashAlgorithm(rawValue: name), let normalized = algorithm.normalize(value),
                        seen.insert(name + ":" + normalized).inserted
                    else { continue }
                    hashes.append((HashListEntry(algorithm: algorithm, value: normalized), Self.lists(algorithm, normalized, index: index)))
                }
            }
        } else {
            throw Problem.badRequest("give \"hash\" (algorithm and value) or \"notice\" (its reference)", field: "hash")
        }
        do {
            let dispute = try DisputeDesk(store: runtime.store, time: runtime.time).file(
                org: org, token: token, hashes: hashes, noticeID: noticeID, reason: try body.string("reason", required: true) ?? "",
                evidence: try body.string("evidence"))
            return .json(dispute.json, status: .created)
        } catch let error as DisputeError {
            throw Self.problem(error)
        }
    }

    /// The caller's organisation's disputes, oldest first, with their status.
    func own(_ request: Request, context: GatewayContext) throws -> Response {
        let token = try context.require(.provider)
        let org = token.role == .admin ? nil : try ProviderRoutes.organisation(token)
        return .json(.object(["items": .array(try runtime.store.disputes(org: org, status: nil, limit: try QueryLimit.value(request)).map(\.json))]))
    }

    /// Every dispute (`?status=open` for the ones waiting).
    func all(_ request: Request, context: GatewayContext) throws -> Response {
        _ = try context.require(.analyst)
        let status = try QueryStatus.value(request, as: Dispute.Status.self)
        return .json(.object(["items": .array(try runtime.store.disputes(org: nil, status: status, limit: try QueryLimit.value(request)).map(\.json))]))
    }

    /// An analyst accepts (the hashes go on the allow-list) or rejects a dispute, with a reason.
    func decide(_ request: Request, context: GatewayContext, accept: Bool) async throws -> Response {
        let token = try context.require(.analyst)
        let body = try StrictObject(try await request.jsonBody(limit: 16 * 1024), allowed: ["reason"])
        do {
            let dispute = try DisputeDesk(store: runtime.store, time: runtime.time).decide(
                id: context.parameters.get("id") ?? "", accept: accept, reason: try body.string("reason"), actor: token.actor)
            if accept { runtime.reloadHashesIfChanged() }
            return .json(dispute.json)
        } catch let error as DisputeError {
            throw Self.problem(error)
        }
    }
}
