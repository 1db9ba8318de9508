import Foundation
import HotlineApp
import HotlineCore
import Hummingbird

/// Hosting providers: their own notices, acknowledgements, and hash checks.
struct ProviderRoutes {
    let runtime: GatewayRuntime
    let hashLimiter: RateLimiter
    /// Hashes per second per token for the batch check.
    let batchLimiter: RateLimiter
    /// One test notice per organisation an hour.
    let testLimiter: RateLimiter

    func add(to router: Router<GatewayContext>) {
        router.get("/v1/provider/notices") { request, context in try notices(request, context: context) }
        router.post("/v1/notices/{id}/ack") { request, context in try await acknowledge(request, context: context) }
        router.post("/v1/hashcheck") { request, context in try await hashcheck(request, context: context) }
        router.post("/v1/hashcheck/batch") { request, context in try await hashcheckBatch(request, context: context) }
        router.post("/v1/provider/test-notice") { _, context in try testNotice(context: context) }
    }

    static func organisation(_ token: APIToken) throws -> String {
        guard let org = token.org else {
            throw Problem(
                status: .forbidden, title: "Forbidden",
                detail: "this provider token names no organisation (hotline tokens create --role provider --org CONTACT-ID)")
        }
        return org
    }

    /// The notices sent to the caller's organisation, newest first: URLs, states, deadlines.
    func notices(_ request: Request, context: GatewayContext) throws -> Response {
        let token = try context.require(.provider)
        let org: String
        if token.role == .admin {
            org = request.uri.queryParameters.get("org").map { String($0) } ?? ""
        } else {
            org = try Self.organisation(token)
        }
        let limit = try QueryLimit.value(request)
        let items = try runtime.store.notices(contactID: org, limit: limit).map(Self.providerView)
        return .json(.object(["notices": .array(items)]))
    }

    static func providerView(_ notice: Notice) -> JSONValue {
        var object: JSONObject = [
            "id": .string(notice.id), "reference": .string(notice.reference), "status": .string(notice.status.rawValue),
            "created_at": .string(RFC3339.format(notice.createdAt)),
        ]
        if let sent = notice.sentAt { object.append("sent_at", .string(RFC3339.format(sent))) }
        if let deadline = notice.deadline { object.append("deadline", .string(RFC3339.format(deadline))) }
        object.append("reminders", .number(Double(notice.reminders)))
        object.append(
            "urls",
            .array(
                notice.items.map { item in
                    var url: JSONObject = ["url": .string(item.subject.url), "state": .string(item.state.rawValue)]
                    if let classification = item.classification { url.append("classification", .string(classification)) }
                    if !item.subject.hashes.isEmpty {
                        url.append(
                            "hash_values", .object(JSONObject(item.subject.hashes.sorted { $0.key < $1.key }.map { ($0.key, JSONValue.string($0.value)) })))
                    }
                    if item.state == .removed, let removed = item.removedAt { url.append("removed_at", .string(RFC3339.format(removed))) }
                    if let acknowledged = item.acknowledgedAt { url.append("acknowledged_at", .string(RFC3339.format(acknowledged))) }
                    return .object(url)
                }))
        return .object(object)
    }

    /// `removed` (checked at once, then confirmed as usual), `rejected` with a reason, or
    /// `not_ours`: both go to analysts. Another organisation's notice is "not found".
    func acknowledge(_ request: Request, context: GatewayContext) async throws -> Response {
        let token = try context.require(.provider)
        let id = context.parameters.get("id") ?? ""
        let body = try StrictObject(try await request.jsonBody(limit: 64 * 1024), allowed: ["status", "reason", "urls"])
        let status = try body.string("status", required: true) ?? ""
        let reason = try body.string("reason")
        guard ["removed", "rejected", "not_ours"].contains(status) else {
            throw Problem.badRequest("\"status\" must be removed, rejected or not_ours, got \(JSONValue.string(status).serialized)", field: "status")
        }
        if status == "rejected" && (reason ?? "").isEmpty { throw Problem.badRequest("a rejection needs a \"reason\"", field: "reason") }
        let store = runtime.store
        let org = token.role == .admin ? nil : try Self.organisation(token)
        guard var notice = try store.notice(id), org == nil || notice.recipient.contactID == org else {
            throw Problem.notFound("no notice \(JSONValue.string(id).serialized) for this organisation")
        }
        guard notice.status.isActive || notice.status == .pending else {
            throw Problem(status: .conflict, title: "Conflict", detail: "notice \(notice.reference) is \(notice.status.rawValue)")
        }
        var urls: Set<String>?
        if let listed = try body.strings("urls") {
            guard !listed.isEmpty else { throw Problem.badRequest("\"urls\", when given, lists at least one of the notice's URLs", field: "urls") }
            let known = Set(notice.items.map(\.subject.url))
            if let stranger = listed.first(where: { !known.contains($0) }) {
                throw Problem.badRequest(
                    "\(Quoted.text(stranger)) is not a URL of notice \(notice.reference); give them as GET /v1/provider/notices lists them", field: "urls")
            }
            urls = Set(listed)
        }
        let now = runtime.time.now()
        var detail = "\(status) by \(token.actor)"
        if let reason { detail += ": \(NoticeTemplate.singleLine(reason).prefix(500))" }
        notice = try NoticeAcknowledgement.apply(NoticeAcknowledgement.Answer(rawValue: status)!, to: notice, urls: urls, detail: detail, store: store, at: now)
        return .json(
            .object([
                "id": .string(notice.id), "reference": .string(notice.reference), "status": .string(notice.status.rawValue),
                "acknowledged_urls": .array(notice.items.filter { $0.acknowledgedAt != nil }.map { .string($0.subject.url) }),
            ]))
    }

    /// Is this hash on the list? Match yes/no and the classification; nothing else about the
    /// list. Rate-limited and audited (algorithm and result, not the value).
    func hashcheck(_ request: Request, context: GatewayContext) async throws -> Response {
        let token = try context.require(.provider)
        try hashLimiter.take(token)
        let body = try StrictObject(try await request.jsonBody(limit: 4096), allowed: ["md5", "sha1", "sha256", "pdq"])
        let expected = ["md5": 32, "sha1": 40, "sha256": 64, "pdq": 64]
        var given: [(String, String)] = []
        for key in ["md5", "sha1", "sha256", "pdq"] {
            guard let value = try body.string(key) else { continue }
            let lower = value.lowercased()
            guard lower.count == expected[key]!, lower.allSatisfy({ $0.isASCII && $0.isHexDigit }) else {
                throw Problem.badRequest("\"\(key)\" must be \(expected[key]!) hex digits", field: key)
            }
            given.append((key, lower))
        }
        guard given.count == 1 else { throw Problem.badRequest("give exactly one of md5, sha1, sha256, pdq") }
        let (algorithm, value) = given[0]
        let hashes = ReportHashes(
            md5: algorithm == "md5" ? value : nil, sha1: algorithm == "sha1" ? value : nil, sha256: algorithm == "sha256" ? value : nil,
            pdq: algorithm == "pdq" ? value : nil)
        let result = runtime.parts.hashIndex.match(hashes)
        let matched = result?.kind == .known || result?.kind == .similar
        var answer: JSONObject = ["match": .bool(matched)]
        if matched, let classification = result?.classification { answer.append("classification", .string(classification.rawValue)) }
        try runtime.store.writeErased {
            try $0.appendAudit(
                AuditEntry(at: runtime.time.now(), actor: token.actor, event: "hashcheck", detail: ["algorithm": .string(algorithm), "match": .bool(matched)]))
        }
        return .json(.object(answer))
    }

    /// Up to 10,000 hashes at once, as `{"hashes": [...]}` or as JSON Lines (one item per
    /// line; the answer is JSON Lines too). The rate limit counts hashes; the batch writes
    /// one audit entry with its counts by algorithm and result.
    func hashcheckBatch(_ request: Request, context: GatewayContext) async throws -> Response {
        let token = try context.require(.provider)
        // 10,000 items of at most ~120 bytes, with room for whitespace.
        let raw = try await request.rawBody(limit: 4 * 1024 * 1024)
        let lines =
            (request.headers[.contentType] ?? "").lowercased().contains("ndjson") || (request.headers[.contentType] ?? "").lowercased().contains("jsonl")
        var items: [JSONValue] = []
        var unreadable: [Int: String] = [:]
        // Where each item stood, for its error: hashes[i], or its line.
        var places: [String] = []
        if lines {
            var number = 0
            for line in raw.split(separator: 10, omittingEmptySubsequences: false) {
                let trimmed = line.last == 13 ? line.dropLast() : line
                if trimmed.allSatisfy({ $0 == 32 || $0 == 9 }) { continue }
                number += 1
                guard items.count < BulkHashCheck.limit else { throw Problem.badRequest("at most \(BulkHashCheck.limit) hashes per request") }
                places.append("line \(number)")
                do { items.append(try JSONValue.parse(Array(trimmed))) } catch {
                    unreadable[items.count] = "invalid JSON at column \(error.column): \(error.message)"
                    items.append(.null)
                }
            }
        } else {
            let value: JSONValue
            do { value = try JSONValue.parse(raw) } catch { throw Problem.badRequest("invalid JSON at column \(error.column): \(error.message)") }
            let body = try StrictObject(value, allowed: ["hashes"])
            guard case .array(let given)? = body.object["hashes"] else { throw Problem.badRequest("field \"hashes\" must be an array", field: "hashes") }
            guard given.count <= BulkHashCheck.limit else { throw Problem.badRequest("at most \(BulkHashCheck.limit) hashes per request", field: "hashes") }
            items = given
            places = items.indices.map { "hashes[\($0)]" }
        }
        guard !items.isEmpty else { throw Problem.badRequest("no hashes to check", field: "hashes") }
        try batchLimiter.take(
            token, cost: Double(items.count), detail: "rate limit of \(runtime.config.apiHashcheckBatchRate) hashes per second for this token exceeded")
        let checker = BulkHashCheck(index: runtime.parts.hashIndex, pdqThreshold: runtime.config.pdqThreshold)
        var answers: [BulkHashCheck.Answer] = []
        answers.reserveCapacity(items.count)
        var byAlgorithm: [String: Int] = [:]
        var matched = 0
        var errors = 0
        for (position, item) in items.enumerated() {
            var answer = unreadable[position].map { BulkHashCheck.Answer(value: "", error: $0) } ?? checker.check(item)
            if let error = answer.error {
                answer.error = "\(places[position]): \(error)"
                errors += 1
            } else {
                byAlgorithm[answer.algorithm!.rawValue, default: 0] += 1
                if answer.match { matched += 1 }
            }
            answers.append(answer)
        }
        try runtime.store.writeErased {
            try $0.appendAudit(
                AuditEntry(
                    at: runtime.time.now(), actor: token.actor, event: "hashcheck.batch",
                    detail: [
                        "hashes": .number(Double(items.count)), "matched": .number(Double(matched)), "errors": .number(Double(errors)),
                        "by_algorithm": .object(JSONObject(byAlgorithm.sorted { $0.key < $1.key }.map { ($0.key, .number(Double($0.value))) })),
                    ]))
        }
        if lines {
            var text = ""
            for answer in answers { text += answer.json.serialized + "\n" }
            return Response(status: .ok, headers: [.contentType: "application/x-ndjson"], body: .init(byteBuffer: ByteBuffer(string: text)))
        }
        return .json(
            .object([
                "results": .array(answers.map(\.json)),
                "counts": .object(["hashes": .number(Double(items.count)), "matched": .number(Double(matched)), "errors": .number(Double(errors))]),
            ]))
    }

    /// Sends the caller's organisation one notice marked TEST through its configured channel
    /// (signed like real ones, with a valid X-ARF report), at most one an hour.
    func testNotice(context: GatewayContext) throws -> Response {
        let token = try context.require(.provider)
        let org = try Self.organisation(token)
        let parts = runtime.parts
        guard let recipient = parts.planner.directory.recipient(for: .contact(org), facts: Facts()) else {
            throw Problem.unprocessable("the contact directory has no entry \(Quoted.text(org)) to send a test notice to")
        }
        try testLimiter.take(key: org, role: .provider, detail: "one test notice an hour per organisation; the last one was sent less than an hour ago")
        let now = runtime.time.now()
        let ids = UUIDv7Generator()
        let notice = TestNotice.make(recipient: recipient, identity: runtime.config.dispatch.identity, ids: ids, at: now)
        let message: OutboxMessage
        do {
            message = try runtime.assembly.renderer(parts: parts).message(
                for: notice, purpose: "test", template: TestNotice.template, reminder: 0, messageID: ids.next(), firstMessageID: nil, at: now)
        } catch {
            throw Problem.unprocessable("the test notice cannot be written: \(error.message)")
        }
        try runtime.store.insertStandalone(notice, message: message, detail: "test notice asked for by \(token.actor)", ids: ids, at: now)
        try runtime.store.appendAudit(
            AuditEntry(at: now, actor: token.actor, event: "notice.test", subject: notice.reference, detail: ["channel": .string(recipient.channel.rawValue)]))
        return .json(
            .object([
                "reference": .string(notice.reference), "channel": .string(recipient.channel.rawValue),
                "destinations": .array(message.destinations.map(JSONValue.string)), "status": .string("queued"),
            ]), status: .accepted)
    }
}
