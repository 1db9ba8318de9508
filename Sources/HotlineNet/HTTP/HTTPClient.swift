import CCurl
import Foundation

/// An HTTP response, body in memory.
public struct HTTPResponse: Sendable {
    /// Status code.
    public var status: Int
    /// The body.
    public var body: [UInt8]
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

/// GET requests through libcurl, with time and size limits; certificate checks stay on.
public struct HTTPClient: Sendable {
    /// Whole-request timeout.
    public var timeout: TimeInterval
    /// Largest body accepted.
    public var maximumBytes: Int
    /// Sent as User-Agent.
    public var userAgent: String

    /// Creates a client.
    public init(timeout: TimeInterval = 10, maximumBytes: Int = 1_048_576, userAgent: String = "HotlineGateway/1") {
        self.timeout = timeout
        self.maximumBytes = maximumBytes
        self.userAgent = userAgent
        HTTPClient.initializeOnce
    }

    private static let initializeOnce: Void = { curl_global_init(Int(CURL_GLOBAL_DEFAULT)) }()

    final class Sink {
        var bytes: [UInt8] = []
        let limit: Int
        var exceeded = false
        init(limit: Int) { self.limit = limit }
    }

    /// GETs `url` with `accept`; redirects are followed (at most 3, http and https only).
    public func get(_ url: String, accept: String) throws(HTTPError) -> HTTPResponse {
        guard let curl = curl_easy_init() else { throw HTTPError(message: "libcurl could not start a request", isTransient: true) }
        defer { curl_easy_cleanup(curl) }
        let sink = Sink(limit: maximumBytes)
        let context = Unmanaged.passRetained(sink)
        defer { context.release() }
        var headers: UnsafeMutablePointer<curl_slist>?
        headers = curl_slist_append(headers, "Accept: \(accept)")
        defer { curl_slist_free_all(headers) }
        _ = hotline_curl_setopt_string(curl, CURLOPT_URL, url)
        _ = hotline_curl_setopt_string(curl, CURLOPT_USERAGENT, userAgent)
        _ = hotline_curl_setopt_pointer(curl, CURLOPT_HTTPHEADER, headers)
        _ = hotline_curl_setopt_long(curl, CURLOPT_NOSIGNAL, 1)
        _ = hotline_curl_setopt_long(curl, CURLOPT_TIMEOUT_MS, Int(timeout * 1000))
        _ = hotline_curl_setopt_long(curl, CURLOPT_CONNECTTIMEOUT_MS, Int(min(timeout, 5) * 1000))
        _ = hotline_curl_setopt_long(curl, CURLOPT_FOLLOWLOCATION, 1)
        _ = hotline_curl_setopt_long(curl, CURLOPT_MAXREDIRS, 3)
        _ = hotline_curl_setopt_string(curl, CURLOPT_PROTOCOLS_STR, "http,https")
        _ = hotline_curl_setopt_string(curl, CURLOPT_REDIR_PROTOCOLS_STR, "http,https")
        _ = hotline_curl_setopt_pointer(curl, CURLOPT_WRITEDATA, context.toOpaque())
        _ = hotline_curl_setopt_write(curl) { data, size, count, context in
            let sink = Unmanaged<Sink>.fromOpaque(context!).takeUnretainedValue()
            let length = size * count
            if sink.bytes.count + length > sink.limit {
                sink.exceeded = true
                return 0
            }
            data.map { sink.bytes.append(contentsOf: UnsafeRawBufferPointer(start: $0, count: length)) }
            return length
        }
        let code = curl_easy_perform(curl)
        if sink.exceeded { throw HTTPError(message: "response larger than \(maximumBytes) bytes", isTransient: false) }
        guard code == CURLE_OK else {
            let transient = [CURLE_OPERATION_TIMEDOUT, CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_GOT_NOTHING].contains(code)
            throw HTTPError(message: String(cString: curl_easy_strerror(code)), isTransient: transient)
        }
        var status = 0
        _ = hotline_curl_response_code(curl, &status)
        return HTTPResponse(status: status, body: sink.bytes)
    }
}
