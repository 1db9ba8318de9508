import CCurl
import Foundation
import HotlineConfig

/// Why an IMAP command failed.
public struct IMAPError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong.
    public var message: String
    /// The message.
    public var description: String { message }
}

/// The few IMAP commands the gateway needs, through libcurl on one reused connection:
/// find messages not yet handled (by a keyword, so the `\\Seen` flag people use is left
/// alone), fetch one, flag it handled, move it to a folder, append (tests and replies).
public final class IMAPClient: @unchecked Sendable {
    /// The settings.
    public let settings: IMAPSettings
    /// The keyword that marks a message handled by the gateway.
    public static let handledKeyword = "$HotlineHandled"
    private let connection = ReusedCurlHandle()

    /// Creates a client; nothing connects until the first command.
    public init(settings: IMAPSettings) {
        self.settings = settings
    }

    private func url(_ mailbox: String?, uid: Int? = nil) -> String {
        var text = "\(settings.security == .tls ? "imaps" : "imap")://\(settings.host):\(settings.port)/"
        if let mailbox {
            text += mailbox.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/;"))) ?? mailbox
        }
        if let uid { text += ";UID=\(uid)" }
        return text
    }

    /// Runs one request on the shared handle; returns the body (the message, or the
    /// untagged responses of a custom command).
    private func perform(url: String, command: String? = nil, upload: [UInt8]? = nil, limit: Int = 64 << 20) throws(IMAPError) -> [UInt8] {
        try connection.with(errors: { IMAPError(message: $0.message) }) { (handle) throws(IMAPError) -> [UInt8] in
            handle.bodyLimit = limit
            handle.set(CURLOPT_URL, url)
            do throws(SecretError) { try settings.configure(handle, protocols: "imap,imaps") } catch {
                throw IMAPError(message: "IMAP \(settings.host): password from \(error.source): \(error.message)")
            }
            if let command { handle.set(CURLOPT_CUSTOMREQUEST, command) }
            if let upload {
                handle.setReadSource(upload)
                handle.set(CURLOPT_UPLOAD, 1)
                handle.set(offset: CURLOPT_INFILESIZE_LARGE, upload.count)
            }
            let code = handle.perform()
            if handle.bodyExceeded { throw IMAPError(message: "IMAP \(settings.host): message larger than \(limit) bytes") }
            guard code == CURLE_OK else {
                throw IMAPError(message: "IMAP \(settings.host):\(settings.port) \(command ?? "FETCH"): \(CurlHandle.message(code))")
            }
            return handle.body
        }
    }

    /// UIDs in `mailbox` not yet flagged handled, oldest first. Searched in windows of UIDs:
    /// libcurl cuts a response line at 16 KiB, so one `* SEARCH` line must stay shorter.
    public func unhandledUIDs(in mailbox: String) throws(IMAPError) -> [Int] {
        let next = try uidNext(in: mailbox)
        var uids: [Int] = []
        var low = 1
        while low < next {
            let high = min(next - 1, low + Self.searchWindow - 1)
            uids += try search(in: mailbox, "UID \(low):\(high) NOT KEYWORD \(Self.handledKeyword)")
            low = high + 1
        }
        return uids.sorted()
    }

    /// UIDs per search; with UIDs of up to 9 digits a result line stays under 16 KiB.
    static let searchWindow = 1500

    private func search(in mailbox: String, _ criteria: String) throws(IMAPError) -> [Int] {
        let text = String(decoding: try perform(url: url(mailbox), command: "UID SEARCH \(criteria)"), as: UTF8.self)
        var uids: [Int] = []
        for line in text.split(whereSeparator: \.isNewline) where line.hasPrefix("* SEARCH") {
            uids += line.dropFirst(8).split(separator: " ").compactMap { Int($0) }
        }
        return uids
    }

    /// The UID the next message will get (all UIDs are below it).
    public func uidNext(in mailbox: String) throws(IMAPError) -> Int {
        let text = String(decoding: try perform(url: url(nil), command: "STATUS \(Self.quoted(mailbox)) (UIDNEXT)"), as: UTF8.self)
        guard let range = text.range(of: "UIDNEXT "), let value = Int(text[range.upperBound...].prefix { $0.isNumber }) else {
            throw IMAPError(message: "IMAP \(settings.host): no UIDNEXT for \(mailbox)")
        }
        return value
    }

    /// The whole message (RFC 5322 bytes).
    public func fetch(uid: Int, in mailbox: String, limit: Int = 32 << 20) throws(IMAPError) -> [UInt8] {
        try perform(url: url(mailbox, uid: uid), limit: limit)
    }

    /// Flags a message handled.
    public func markHandled(uid: Int, in mailbox: String) throws(IMAPError) {
        _ = try perform(url: url(mailbox), command: "UID STORE \(uid) +FLAGS (\(Self.handledKeyword))")
    }

    /// Moves a message to `folder` (created when missing), flagged handled first so that a
    /// crash between the two never makes it look new.
    public func move(uid: Int, in mailbox: String, to folder: String) throws(IMAPError) {
        try markHandled(uid: uid, in: mailbox)
        try createFolder(folder)
        _ = try perform(url: url(mailbox), command: "UID MOVE \(uid) \(Self.quoted(folder))")
    }

    /// Creates a folder; one that exists already is fine.
    public func createFolder(_ folder: String) throws(IMAPError) {
        do {
            _ = try perform(url: url(nil), command: "CREATE \(Self.quoted(folder))")
        } catch {
            // CREATE answers NO for a folder that exists; check it is there.
            _ = try perform(url: url(folder), command: "UID SEARCH ALL")
        }
    }

    /// Appends a message to `mailbox`.
    public func append(_ message: [UInt8], to mailbox: String) throws(IMAPError) {
        _ = try perform(url: url(mailbox), upload: message)
    }

    /// How many messages `mailbox` holds.
    public func count(in mailbox: String) throws(IMAPError) -> Int {
        let text = String(decoding: try perform(url: url(nil), command: "STATUS \(Self.quoted(mailbox)) (MESSAGES)"), as: UTF8.self)
        guard let range = text.range(of: "MESSAGES "), let value = Int(text[range.upperBound...].prefix { $0.isNumber }) else {
            throw IMAPError(message: "IMAP \(settings.host): no MESSAGES for \(mailbox)")
        }
        return value
    }

    static func quoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
