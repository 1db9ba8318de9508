import CCurl
import Foundation

/// An HTTP response, body in memory.
public struct HTTPResponse: Sendable {
    /// Status code.
    public var status: Int
    /// The body.
    public var body: [UInt8]
    /// The `Location` header, for redirects.
    public var location: String? = nil
    /// The `Content-Type` header.
    public var contentType: String? = nil
    /// The `Retry-After` header (seconds or an HTTP date), on 429 and 503.
    public var retryAfter: String? = nil

    /// `Retry-After` in seconds from `now`, when given as seconds or as an HTTP date.
    public func retryAfterSeconds(now: Date = Date()) -> TimeInterval? {
        guard let value = retryAfter?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        if let seconds = Int(value) { return TimeInterval(max(0, seconds)) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter.date(from: value).map { max(0, $0.timeIntervalSince(now)) }
    }
}

/// Why an HTTP request failed before a response.
public struct HTTPError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong.
    public var message: String
    /// Whether trying again later may help (timeouts, refused connections).
    public var isTransient: Bool
    /// Creates an error.
    public init(message: String, isTransient: Bool) {
        self.message = message
        self.isTransient = isTransient
    }
    /// The message.
    public var description: String { message }
}

/// HTTP requests through libcurl, with time and size limits; certificate checks stay on.
public struct HTTPClient: Sendable {
    /// Whole-request timeout.
    public var timeout: TimeInterval
    /// Largest body accepted.
    public var maximumBytes: Int
    /// Sent as User-Agent.
    public var userAgent: String
    /// A CA bundle to trust instead of the system's (a test CA, or a private PKI).
    public var caFile: String?

    /// Creates a client.
    public init(timeout: TimeInterval = 10, maximumBytes: Int = 1_048_576, userAgent: String = "HotlineGateway/1", caFile: String? = nil) {
        self.timeout = timeout
        self.maximumBytes = maximumBytes
        self.userAgent = userAgent
        self.caFile = caFile
    }

    /// GETs `url` with `accept`; redirects are followed (at most 3, http and https only).
    public func get(_ url: String, accept: String) throws(HTTPError) -> HTTPResponse {
        try request(HTTPRequest(method: "GET", url: url, headers: ["Accept: \(accept)"], followRedirects: true))
    }

    /// POSTs `body` to `url` with `headers` (each `Name: value`); redirects are not followed,
    /// since a redirected POST would send the body somewhere nobody configured.
    public func post(_ url: String, headers: [String], body: [UInt8]) throws(HTTPError) -> HTTPResponse {
        try request(HTTPRequest(method: "POST", url: url, headers: headers, body: body))
    }

    /// Performs one request.
    public func request(_ request: HTTPRequest) throws(HTTPError) -> HTTPResponse {
        let handle = try CurlHandle()
        handle.bodyLimit = maximumBytes
        handle.set(CURLOPT_URL, request.url)
        handle.set(CURLOPT_USERAGENT, userAgent)
        handle.set(CURLOPT_HTTPHEADER, list: request.headers)
        handle.set(CURLOPT_NOSIGNAL, 1)
        handle.set(CURLOPT_TIMEOUT_MS, Int(timeout * 1000))
        handle.set(CURLOPT_CONNECTTIMEOUT_MS, Int(min(timeout, 5) * 1000))
        handle.set(CURLOPT_PROTOCOLS_STR, "http,https")
        handle.set(CURLOPT_REDIR_PROTOCOLS_STR, "http,https")
        if let caFile { handle.set(CURLOPT_CAINFO, caFile) }
        if request.followRedirects {
            handle.set(CURLOPT_FOLLOWLOCATION, 1)
            handle.set(CURLOPT_MAXREDIRS, 3)
        }
        if !request.pinnedAddresses.isEmpty { handle.set(CURLOPT_RESOLVE, list: request.pinnedAddresses) }
        switch request.method {
        case "GET": break
        case "HEAD": handle.set(CURLOPT_NOBODY, 1)
        default:
            handle.setReadSource(request.body)
            handle.set(CURLOPT_POST, 1)
            handle.set(offset: CURLOPT_POSTFIELDSIZE_LARGE, request.body.count)
            if request.method != "POST" { handle.set(CURLOPT_CUSTOMREQUEST, request.method) }
        }
        let code = handle.perform()
        if handle.bodyExceeded { throw HTTPError(message: "response larger than \(maximumBytes) bytes", isTransient: false) }
        guard code == CURLE_OK else {
            throw HTTPError(message: CurlHandle.message(code), isTransient: CurlHandle.isTransient(code))
        }
        return HTTPResponse(
            status: handle.responseCode, body: handle.body, location: handle.header("location"), contentType: handle.header("content-type"),
            retryAfter: handle.header("retry-after"))
    }
}

/// One HTTP request.
public struct HTTPRequest: Sendable {
    /// `GET`, `HEAD`, `POST`, …
    public var method: String
    /// The URL.
    public var url: String
    /// Header lines, `Name: value`.
    public var headers: [String]
    /// The body, for POST.
    public var body: [UInt8]
    /// Whether libcurl follows redirects itself.
    public var followRedirects: Bool
    /// `host:port:address` entries that pin where the host connects, so the address that was
    /// checked is the address used (no second DNS answer in between).
    public var pinnedAddresses: [String]

    /// Creates a request.
    public init(method: String, url: String, headers: [String] = [], body: [UInt8] = [], followRedirects: Bool = false, pinnedAddresses: [String] = []) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.followRedirects = followRedirects
        self.pinnedAddresses = pinnedAddresses
    }
}
