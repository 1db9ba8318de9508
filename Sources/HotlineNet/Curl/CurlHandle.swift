import CCurl
import Foundation
import HotlineConfig

/// One libcurl easy handle with in-memory body, header and upload buffers.
///
/// Kept across requests by the SMTP client so that libcurl reuses its connection; every
/// other use makes one per request. Not thread-safe: one owner at a time.
final class CurlHandle {
    let curl: UnsafeMutableRawPointer
    private(set) var body: [UInt8] = []
    private(set) var headerLines: [String] = []
    private var upload: [UInt8] = []
    private var uploadOffset = 0
    var bodyLimit = Int.max
    private(set) var bodyExceeded = false
    private var lists: [UnsafeMutablePointer<curl_slist>?] = []

    private static let initializeOnce: Void = { curl_global_init(Int(CURL_GLOBAL_DEFAULT)) }()

    init() throws(HTTPError) {
        CurlHandle.initializeOnce
        guard let curl = curl_easy_init() else { throw HTTPError(message: "libcurl could not start a request", isTransient: true) }
        self.curl = curl
    }

    deinit {
        freeLists()
        curl_easy_cleanup(curl)
    }

    private func freeLists() {
        for list in lists { curl_slist_free_all(list) }
        lists.removeAll()
    }

    /// Clears options and buffers for the next request; the connection cache stays.
    func reset() {
        curl_easy_reset(curl)
        freeLists()
        body.removeAll(keepingCapacity: true)
        headerLines.removeAll()
        upload = []
        uploadOffset = 0
        bodyExceeded = false
        bodyLimit = .max
    }

    func set(_ option: CURLoption, _ value: Int) { _ = hotline_curl_setopt_long(curl, option, value) }
    func set(_ option: CURLoption, _ value: String) { _ = hotline_curl_setopt_string(curl, option, value) }
    func set(offset option: CURLoption, _ value: Int) { _ = hotline_curl_setopt_offset(curl, option, curl_off_t(value)) }

    /// Sets a string-list option (headers, recipients, pinned addresses); freed on reset.
    func set(_ option: CURLoption, list: [String]) {
        var slist: UnsafeMutablePointer<curl_slist>?
        for item in list { slist = curl_slist_append(slist, item) }
        lists.append(slist)
        _ = hotline_curl_setopt_pointer(curl, option, slist)
    }

    /// Makes `bytes` what libcurl reads for the request body (SMTP DATA, a POST body).
    func setReadSource(_ bytes: [UInt8]) {
        upload = bytes
        uploadOffset = 0
        _ = hotline_curl_setopt_pointer(curl, CURLOPT_READDATA, Unmanaged.passUnretained(self).toOpaque())
        _ = hotline_curl_setopt_read(curl) { buffer, size, count, context in
            let handle = Unmanaged<CurlHandle>.fromOpaque(context!).takeUnretainedValue()
            let length = min(size * count, handle.upload.count - handle.uploadOffset)
            if length > 0, let buffer {
                handle.upload.withUnsafeBytes { source in
                    UnsafeMutableRawPointer(buffer).copyMemory(from: source.baseAddress! + handle.uploadOffset, byteCount: length)
                }
                handle.uploadOffset += length
            }
            return length
        }
    }

    /// Performs the request, collecting body (up to `bodyLimit`) and header lines.
    func perform() -> CURLcode {
        body.removeAll(keepingCapacity: true)
        headerLines.removeAll()
        bodyExceeded = false
        let context = Unmanaged.passUnretained(self).toOpaque()
        _ = hotline_curl_setopt_pointer(curl, CURLOPT_WRITEDATA, context)
        _ = hotline_curl_setopt_write(curl) { data, size, count, context in
            let handle = Unmanaged<CurlHandle>.fromOpaque(context!).takeUnretainedValue()
            let length = size * count
            if handle.body.count + length > handle.bodyLimit {
                handle.bodyExceeded = true
                return 0
            }
            data.map { handle.body.append(contentsOf: UnsafeRawBufferPointer(start: $0, count: length)) }
            return length
        }
        _ = hotline_curl_setopt_pointer(curl, CURLOPT_HEADERDATA, context)
        _ = hotline_curl_setopt_header(curl) { data, size, count, context in
            let handle = Unmanaged<CurlHandle>.fromOpaque(context!).takeUnretainedValue()
            let length = size * count
            if let data, handle.headerLines.count < 200 {
                let line = String(decoding: UnsafeRawBufferPointer(start: data, count: length), as: UTF8.self)
                handle.headerLines.append(line.trimmingCharacters(in: .whitespacesAndNewlines))
            }
            return length
        }
        return curl_easy_perform(curl)
    }

    /// The last response code (HTTP status, or the SMTP server's last reply code).
    var responseCode: Int {
        var code = 0
        _ = hotline_curl_response_code(curl, &code)
        return code
    }

    /// The value of a response header of the last request, if sent.
    func header(_ name: String) -> String? {
        let prefix = name.lowercased() + ":"
        // The last block of headers is the final response's (after 100-continue and the like).
        for line in headerLines.reversed() where line.lowercased().hasPrefix(prefix) {
            return line.dropFirst(prefix.count).trimmingCharacters(in: .whitespaces)
        }
        return nil
    }

    /// libcurl's text for a result code.
    static func message(_ code: CURLcode) -> String { String(cString: curl_easy_strerror(code)) }

    /// Results that trying again later may fix.
    static func isTransient(_ code: CURLcode) -> Bool {
        [CURLE_OPERATION_TIMEDOUT, CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_GOT_NOTHING].contains(code)
    }
}

/// One easy handle kept across requests (so libcurl reuses the connection), used by one
/// request at a time; dropped after a failure so a broken connection is not reused.
final class ReusedCurlHandle: @unchecked Sendable {
    private let lock = NSLock()
    private var handle: CurlHandle?

    /// Runs `body` with the handle, reset for a new request; when `body` throws, the handle
    /// (and its connection) is dropped. `makeError` turns a failure to make a handle into
    /// the caller's error type.
    func with<T, E: Error>(errors makeError: (HTTPError) -> E, _ body: (CurlHandle) throws(E) -> T) throws(E) -> T {
        lock.lock()
        defer { lock.unlock() }
        let current: CurlHandle
        if let existing = handle {
            current = existing
            current.reset()
        } else {
            do { current = try CurlHandle() } catch { throw makeError(error) }
            handle = current
        }
        do {
            return try body(current)
        } catch {
            handle = nil
            throw error
        }
    }

    /// Closes the connection.
    func close() {
        lock.lock()
        handle = nil
        lock.unlock()
    }
}

extension MailServerSettings {
    /// Timeouts, allowed protocols, transport security (STARTTLS required when asked), CA and login.
    func configure(_ handle: CurlHandle, protocols: String) throws(SecretError) {
        handle.set(CURLOPT_NOSIGNAL, 1)
        handle.set(CURLOPT_TIMEOUT_MS, Int(timeout * 1000))
        handle.set(CURLOPT_CONNECTTIMEOUT_MS, Int(min(timeout, 10) * 1000))
        handle.set(CURLOPT_PROTOCOLS_STR, protocols)
        if security == .starttls { handle.set(CURLOPT_USE_SSL, Int(CURLUSESSL_ALL.rawValue)) }
        if let caFile { handle.set(CURLOPT_CAINFO, caFile) }
        if let username { handle.set(CURLOPT_USERNAME, username) }
        if let password { handle.set(CURLOPT_PASSWORD, try password.reveal()) }
    }
}
