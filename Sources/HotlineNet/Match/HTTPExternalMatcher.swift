import Foundation
import HotlineCore

/// An ``ExternalMatcher`` over HTTP, in the shape of PhotoDNA's Match API or Arachnid
/// Shield's media endpoint: the bytes go out in the request body (never to disk), the
/// answer is checked field by field, and a breaker stops calling a service that keeps failing.
public struct HTTPExternalMatcher: ExternalMatcher {
    /// The wire format.
    public typealias API = ExternalMatcherAPI

    /// The name its matches are listed under.
    public let name: String
    /// The wire format.
    public let api: API
    /// Where queries go.
    public let url: String
    /// Basic-auth user (Arachnid Shield).
    public let user: String?
    /// The key or password.
    let key: String
    /// The client (timeout, body limit).
    public let client: HTTPClient
    /// Shared by every call of this matcher.
    public let breaker: CircuitBreaker

    /// Creates the adapter.
    public init(name: String, api: API, url: String, user: String? = nil, key: String, timeout: TimeInterval, breaker: CircuitBreaker) {
        self.name = name
        self.api = api
        self.url = url
        self.user = user
        self.key = key
        self.client = HTTPClient(timeout: timeout, maximumBytes: 256 * 1024, userAgent: "HotlineGateway/1 (external matcher)")
        self.breaker = breaker
    }

    /// Asks the service; any failure is `unavailable`, and counts against the breaker.
    public func match(_ query: ExternalMatchQuery) -> ExternalMatchAnswer {
        guard case .bytes(let bytes, let mediaType) = query else {
            // Both services take images; hash lookups (VICS PhotoDNA values) need a matcher that compares them.
            return .unavailable("\(name) takes files, not hashes")
        }
        guard breaker.allow() else { return .unavailable("\(name): circuit breaker open after repeated failures") }
        let request: HTTPRequest
        switch api {
        case .photodna:
            let body = JSONValue.object(["DataRepresentation": .string("inline"), "Value": .string(Data(bytes).base64EncodedString())]).serialized
            request = HTTPRequest(
                method: "POST", url: url, headers: ["Content-Type: application/json", "Accept: application/json", "Ocp-Apim-Subscription-Key: \(key)"],
                body: Array(body.utf8))
        case .arachnid:
            let credentials = Data("\(user ?? ""):\(key)".utf8).base64EncodedString()
            request = HTTPRequest(
                method: "POST", url: url,
                headers: ["Content-Type: \(Self.mediaTypeHeader(mediaType))", "Accept: application/json", "Authorization: Basic \(credentials)"], body: bytes)
        }
        let response: HTTPResponse
        do {
            response = try client.request(request)
        } catch {
            breaker.record(success: false)
            return .unavailable("\(name): \(error.message)")
        }
        guard (200..<300).contains(response.status) else {
            // 4xx is our request (or key) at fault and will not get better by retrying either.
            breaker.record(success: false)
            return .unavailable("\(name): HTTP \(response.status)")
        }
        guard case .object(let object)? = try? JSONValue.parse(response.body) else {
            breaker.record(success: false)
            return .unavailable("\(name): the answer is not a JSON object")
        }
        let answer = api == .photodna ? Self.photoDNA(object) : Self.arachnid(object)
        if case .unavailable = answer { breaker.record(success: false) } else { breaker.record(success: true) }
        return answer
    }

    /// A media type safe for a header (a fetched file's sniffed type), else octet-stream.
    static func mediaTypeHeader(_ type: String?) -> String {
        guard let type, type.count <= 64, type.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "/+.-".contains($0)) }) else {
            return "application/octet-stream"
        }
        return type
    }

    /// `{"IsMatch": Bool, "MatchDetails": {"MatchFlags": [{"Source", "Violations": [...]}]}, "Status": {"Code"}}`.
    static func photoDNA(_ object: JSONObject) -> ExternalMatchAnswer {
        if case .object(let status)? = object["Status"], case .number(let code)? = status["Code"], code != 3000 {
            return .unavailable("photodna status \(Int(code))")
        }
        guard case .bool(let isMatch)? = object["IsMatch"] else { return .unavailable("photodna answer without IsMatch") }
        guard isMatch else { return .noMatch }
        var classification: String?
        var source: String?
        if case .object(let details)? = object["MatchDetails"], case .array(let flags)? = details["MatchFlags"], case .object(let flag)? = flags.first {
            source = ExternalMatchAnswer.token(flag["Source"]?.stringValue)
            if case .array(let violations)? = flag["Violations"] { classification = ExternalMatchAnswer.token(violations.first?.stringValue) }
        }
        return .match(classification: classification, score: nil, source: source)
    }

    /// `{"classification": "csam" | "harmful-abusive-material" | "no-known-match", "match_type": "exact" | "near" | null, "near_match_details": [...]}`.
    static func arachnid(_ object: JSONObject) -> ExternalMatchAnswer {
        guard let classification = object["classification"]?.stringValue else { return .unavailable("arachnid answer without classification") }
        if classification == "no-known-match" { return .noMatch }
        guard let token = ExternalMatchAnswer.token(classification) else { return .unavailable("arachnid classification is not a plain token") }
        let type = object["match_type"]?.stringValue
        // An exact match scores 1; a near match scores by the best near match's distance, when given.
        var score: Double? = type == "exact" ? 1 : nil
        if type == "near", case .array(let near)? = object["near_match_details"], case .object(let best)? = near.first,
            case .number(let distance)? = best["distance"] ?? best["hamming_distance"]
        {
            score = max(0, 1 - distance / 256)
        }
        return .match(classification: token, score: score, source: ExternalMatchAnswer.token(type))
    }
}
