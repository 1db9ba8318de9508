import Foundation
import HTTPTypes
import HotlineApp
import HotlineCore
import Hummingbird

/// An error answered as RFC 9457 problem details (`application/problem+json`):
/// `{"type","title","status","detail"}`, plus `field` for the input at fault and `errors`
/// for lists of diagnostics.
public struct Problem: Error, HTTPResponseError, Sendable {
    /// The HTTP status.
    public var status: HTTPResponse.Status
    /// A short, fixed summary of the kind of problem.
    public var title: String
    /// What went wrong this time.
    public var detail: String
    /// The request field at fault, as a JSON path (`reports[3].url`).
    public var field: String?
    /// More entries (rule diagnostics, per-item errors).
    public var errors: [JSONValue]
    /// Extra headers (Retry-After, WWW-Authenticate).
    public var headers: HTTPFields

    /// Creates a problem.
    public init(status: HTTPResponse.Status, title: String, detail: String, field: String? = nil, errors: [JSONValue] = [], headers: HTTPFields = [:]) {
        self.status = status
        self.title = title
        self.detail = detail
        self.field = field
        self.errors = errors
        self.headers = headers
    }

    /// 400 for input that is not acceptable.
    public static func badRequest(_ detail: String, field: String? = nil) -> Problem {
        Problem(status: .badRequest, title: "Bad Request", detail: detail, field: field)
    }

    /// 401 with a `WWW-Authenticate` challenge.
    public static func unauthorized(_ detail: String) -> Problem {
        var headers = HTTPFields()
        headers[.wwwAuthenticate] = "Bearer realm=\"hotline-gateway\""
        return Problem(status: .unauthorized, title: "Unauthorized", detail: detail, headers: headers)
    }

    /// 404.
    public static func notFound(_ detail: String) -> Problem {
        Problem(status: .notFound, title: "Not Found", detail: detail)
    }

    /// 422: the request is well-formed, but the gateway cannot do what it asks.
    public static func unprocessable(_ detail: String, field: String? = nil) -> Problem {
        Problem(status: .unprocessableContent, title: "Unprocessable Content", detail: detail, field: field)
    }

    /// 409: the state changed under the request (someone else was first).
    public static func conflict(_ detail: String) -> Problem {
        Problem(status: .conflict, title: "Conflict", detail: detail)
    }

    /// The body.
    public var json: JSONValue {
        var object: JSONObject = [
            "type": .string("about:blank"),
            "title": .string(title),
            "status": .number(Double(status.code)),
            "detail": .string(detail),
        ]
        if let field { object.append("field", .string(field)) }
        if !errors.isEmpty { object.append("errors", .array(errors)) }
        return .object(object)
    }

    /// The response.
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var fields = headers
        fields[.contentType] = "application/problem+json"
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(string: json.serialized)))
    }
}

extension Response {
    /// A JSON response written with the gateway's own JSON writer (stable key order).
    public static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: value.serialized)))
    }
}

extension Request {
    /// The body, at most `limit` bytes (413 problem beyond), parsed as JSON (400 problem with
    /// the position when it is not).
    public func jsonBody(limit: Int) async throws -> JSONValue {
        let bytes = try await rawBody(limit: limit)
        do {
            return try JSONValue.parse(bytes)
        } catch {
            throw Problem.badRequest("invalid JSON at column \(error.column): \(error.message)")
        }
    }

    /// The body bytes, at most `limit` (413 problem beyond).
    public func rawBody(limit: Int) async throws -> [UInt8] {
        do {
            let buffer = try await body.collect(upTo: limit)
            return Array(buffer.readableBytesView)
        } catch {
            throw Problem(status: .contentTooLarge, title: "Content Too Large", detail: "the body is larger than the \(limit) bytes accepted here")
        }
    }
}

/// Strict reading of request objects: unknown keys and wrong types are 400 with the field named.
struct StrictObject {
    let object: JSONObject
    let path: String

    init(_ value: JSONValue, path: String = "", allowed: Set<String>) throws {
        guard case .object(let object) = value else {
            throw Problem.badRequest(
                "\(path.isEmpty ? "the body" : "\"\(path)\"") must be a JSON object, got \(value.typeName)", field: path.isEmpty ? nil : path)
        }
        for member in object.members where !allowed.contains(member.key) {
            let name = path.isEmpty ? member.key : "\(path).\(member.key)"
            throw Problem.badRequest("unknown field \"\(name)\"; expected one of \(allowed.sorted().joined(separator: ", "))", field: name)
        }
        self.object = object
        self.path = path
    }

    func name(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    func string(_ key: String, required: Bool = false) throws -> String? {
        guard let value = object[key], value != .null else {
            if required { throw Problem.badRequest("field \"\(name(key))\" is required", field: name(key)) }
            return nil
        }
        guard case .string(let text) = value else {
            throw Problem.badRequest("field \"\(name(key))\" must be a string, got \(value.typeName)", field: name(key))
        }
        return text
    }

    /// An array of strings, at most `limit` of them.
    func strings(_ key: String, limit: Int = 1000) throws -> [String]? {
        guard let value = object[key], value != .null else { return nil }
        guard case .array(let items) = value, items.count <= limit else {
            throw Problem.badRequest("field \"\(name(key))\" must be an array of at most \(limit) strings, got \(value.typeName)", field: name(key))
        }
        return try items.map { item in
            guard case .string(let text) = item else {
                throw Problem.badRequest("field \"\(name(key))\" must hold only strings, got \(item.typeName)", field: name(key))
            }
            return text
        }
    }
}

/// Every error leaves as problem details: Hummingbird's own (an unknown route, a body too
/// large) keep their status; anything unexpected is a 500 that names no internals.
struct ProblemMiddleware: RouterMiddleware {
    typealias Context = GatewayContext
    /// Tells disk full and busy from other errors.
    let store: any StoreFailureClassifying

    func handle(_ request: Request, context: GatewayContext, next: (Request, GatewayContext) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let problem as Problem {
            throw problem
        } catch let error as HTTPError {
            throw Problem(status: error.status, title: error.status.reasonPhrase, detail: error.body ?? error.status.reasonPhrase.lowercased())
        } catch let full as IntakeQueueFull {
            context.logger.warning("intake queue full: reports refused", metadata: ["waiting": "\(full.waiting)"])
            var headers = HTTPFields()
            headers[.retryAfter] = "1"
            throw Problem(
                status: .serviceUnavailable, title: "Service Unavailable",
                detail: "intake has \(full.waiting) reports waiting: nothing from this request was stored; send it again shortly", headers: headers)
        } catch let error where store.failure(of: error) != nil {
            // The store refused the write as a whole: say so, so clients send it again later instead of giving up.
            let full = store.failure(of: error) == .full
            context.logger.critical(
                full ? "storage full: requests refused until space is freed" : "storage busy", metadata: ["path": "\(request.uri.path)", "error": "\(error)"])
            var headers = HTTPFields()
            headers[.retryAfter] = full ? "60" : "1"
            throw Problem(
                status: full ? HTTPResponse.Status(code: 507, reasonPhrase: "Insufficient Storage") : .serviceUnavailable,
                title: full ? "Insufficient Storage" : "Service Unavailable",
                detail: full
                    ? "the gateway's storage is full: nothing from this request was stored; send it again later"
                    : "the store is busy: nothing from this request was stored; send it again",
                headers: headers)
        } catch {
            context.logger.error("request failed", metadata: ["path": "\(request.uri.path)", "error": "\(error)"])
            throw Problem(status: .internalServerError, title: "Internal Server Error", detail: "the request could not be completed; it was logged")
        }
    }
}
