import Foundation
import HotlineCore

/// NCMEC's hash-sharing API (v2), as python-threatexchange's NCMEC client speaks it: GET
/// `/v2/entries?from=…&to=…` with HTTP Basic, `images` and `videos` of entries and
/// `deletedImage`/`deletedVideo` tombstones, paging by the `next` path each page gives;
/// votes with PUT `/v2/entries/{member}/{id}/{TYPE}/feedback`. Every value read is checked
/// before it reaches a URL, the store or a log.
public struct NCMECHashSource: HashSyncSource {
    /// The environment's base URL (`https://report.cybertip.org/hashsharing`, …).
    public let baseURL: String
    /// HTTP Basic user.
    public let user: String
    /// HTTP Basic password.
    public let password: String
    /// Requests.
    public let client: HTTPClient
    /// The downvote reason to give, by name, when the API offers more than one.
    public let downvoteReason: String?

    /// Creates a source.
    public init(baseURL: String, user: String, password: String, timeout: TimeInterval = 60, downvoteReason: String? = nil) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.user = user
        self.password = password
        self.client = HTTPClient(timeout: timeout, maximumBytes: 64 << 20)
        self.downvoteReason = downvoteReason
    }

    var authorization: String { "Authorization: Basic " + Data("\(user):\(password)".utf8).base64EncodedString() }

    /// The API's dates: UTC, to the second.
    static func format(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd'T'HH:mm:ss'Z'"
        return formatter.string(from: date)
    }

    /// A `next` path from a response: the entries endpoint with a query of plain URL
    /// characters, never another host.
    static func isSafeNext(_ next: String) -> Bool {
        next.hasPrefix("/v2/entries?") && next.utf8.count <= 2048
            && next.unicodeScalars.allSatisfy { $0.isASCII && $0.value > 0x20 && $0.value < 0x7F && $0 != "\\" && $0 != "#" }
    }

    /// An id or classification the gateway keeps: a plain token.
    static func isToken(_ text: String, maximum: Int = 128) -> Bool {
        !text.isEmpty && text.utf8.count <= maximum
            && text.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) && $0.isASCII || "-_.:".unicodeScalars.contains($0) }
    }

    func get(_ url: String) throws(HashSyncError) -> XMLTree {
        let response: HTTPResponse
        do {
            response = try client.request(HTTPRequest(method: "GET", url: url, headers: ["Accept: application/xml", authorization]))
        } catch {
            throw HashSyncError(code: "sync.http", message: error.message, isTransient: error.isTransient)
        }
        guard (200..<300).contains(response.status) else {
            throw HashSyncError(code: "sync.http", message: "HTTP \(response.status)", isTransient: response.status == 429 || response.status >= 500)
        }
        guard let tree = XMLTree.parse(response.body) else { throw HashSyncError(code: "sync.response", message: "not XML", isTransient: false) }
        return tree
    }

    /// One page of entries.
    public func entries(from: Date, to: Date, next: String?) throws(HashSyncError) -> HashSyncPage {
        let url: String
        if let next {
            guard Self.isSafeNext(next) else {
                throw HashSyncError(code: "sync.response", message: "a next page outside the entries endpoint", isTransient: false)
            }
            url = baseURL + next
        } else {
            let encode = { (text: String) in text.replacingOccurrences(of: ":", with: "%3A") }
            url = baseURL + "/v2/entries?from=" + encode(Self.format(from)) + "&to=" + encode(Self.format(to))
        }
        let tree = try get(url)
        guard tree.name == "queryResult" else { throw HashSyncError(code: "sync.response", message: "not a queryResult", isTransient: false) }
        var entries: [HashSyncEntry] = []
        for group in tree.children where group.name == "images" || group.name == "videos" {
            for item in group.children {
                let deleted = item.name.hasPrefix("deleted")
                let kindName = (deleted ? String(item.name.dropFirst("deleted".count)) : item.name).lowercased()
                guard let kind = HashSyncEntry.Kind(rawValue: kindName) else { continue }
                guard let id = item.child("id")?.text, Self.isToken(id), let memberText = item.child("member")?.attributes["id"],
                    let member = Int(memberText), member >= 0
                else {
                    throw HashSyncError(code: "sync.response", message: "an entry without a well-formed id and member", isTransient: false)
                }
                let classification = item.child("classification").map(\.text).flatMap { Self.isToken($0, maximum: 32) ? $0 : nil }
                var fingerprints: [String: String] = [:]
                for fingerprint in item.child("fingerprints")?.children ?? [] where !fingerprint.text.isEmpty && fingerprint.text.utf8.count <= 4096 {
                    fingerprints[fingerprint.name.lowercased()] = fingerprint.text
                }
                entries.append(HashSyncEntry(id: id, member: member, kind: kind, deleted: deleted, classification: classification, fingerprints: fingerprints))
            }
        }
        let next = tree.child("paging")?.child("next")?.text
        guard next.map({ $0.isEmpty || Self.isSafeNext($0) }) ?? true else {
            throw HashSyncError(code: "sync.response", message: "a next page outside the entries endpoint", isTransient: false)
        }
        return HashSyncPage(entries: entries, next: next?.isEmpty == false ? next : nil)
    }

    /// Sends a vote: affirmative, or negative with the API's reason.
    public func vote(_ vote: HashSyncVote, entry: HashSyncEntry, fingerprint: String) throws(HashSyncError) {
        let type = fingerprint.uppercased()
        guard Self.isToken(entry.id), Self.isToken(type, maximum: 32) else {
            throw HashSyncError(code: "sync.config", message: "not a votable entry", isTransient: false)
        }
        var body = "<feedbackSubmission xmlns=\"https://hashsharing.ncmec.org/hashsharing/v2\">"
        switch vote {
        case .upvote:
            body += "<affirmative/>"
        case .downvote:
            body += "<negative><reasonIds><guid>\(try reason(type))</guid></reasonIds></negative>"
        }
        body += "</feedbackSubmission>"
        let response: HTTPResponse
        do {
            response = try client.request(
                HTTPRequest(
                    method: "PUT", url: "\(baseURL)/v2/entries/\(entry.member)/\(entry.id)/\(type)/feedback",
                    headers: ["Content-Type: application/xml; charset=utf-8", authorization], body: Array(body.utf8)))
        } catch {
            throw HashSyncError(code: "sync.http", message: error.message, isTransient: error.isTransient)
        }
        guard (200..<300).contains(response.status) else {
            throw HashSyncError(code: "sync.http", message: "feedback: HTTP \(response.status)", isTransient: response.status == 429 || response.status >= 500)
        }
    }

    /// The guid of the downvote reason: the only one offered, or the configured one by name.
    func reason(_ type: String) throws(HashSyncError) -> String {
        let tree = try get("\(baseURL)/v2/feedback/\(type)/reasons")
        let reasons =
            (tree.name == "availableFeedbackReasons" ? tree : tree.child("availableFeedbackReasons"))?.children.compactMap { reason -> (String, String)? in
                guard let guid = reason.attributes["guid"], Self.isToken(guid, maximum: 64) else { return nil }
                return (guid, reason.attributes["name"] ?? "")
            } ?? []
        if reasons.count == 1 { return reasons[0].0 }
        if let wanted = downvoteReason, let found = reasons.first(where: { $0.1 == wanted }) { return found.0 }
        throw HashSyncError(
            code: "sync.config", message: "\(reasons.count) downvote reasons for \(type); name one with downvote_reason", isTransient: false)
    }
}
