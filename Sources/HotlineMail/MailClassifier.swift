import Foundation
import HotlineCore
import HotlineYAML

/// What a message in a gateway mailbox is.
public enum MailContent: Sendable {
    /// Reports (as report JSON objects) found in the message.
    case reports([JSONValue])
    /// An answer to a notice: the notice's Message-IDs or reference, and what it says.
    case reply(messageIDs: [String], reference: String?, answer: NoticeAnswer?, text: String)
    /// A delivery status notification (RFC 3464) for one of our messages.
    case bounce(recipients: [String], status: String, originalMessageID: String?, diagnostic: String)
    /// Nothing the gateway can use, and why.
    case unusable(String)
}

/// Reads what a message carries: X-ARF v4 JSON (attachment or body), X-ARF 0.2 (YAML part),
/// URL lists from trusted senders, replies to notices (machine-readable or Dutch and English
/// text), and bounces.
public struct MailClassifier: Sendable {
    /// The hotline's domain, which the Message-IDs of its notices end in.
    public var domain: String
    /// Senders whose plain URL lists are reports.
    public var trustedSenders: Set<String>

    /// Creates a classifier.
    public init(domain: String, trustedSenders: Set<String>) {
        self.domain = domain
        self.trustedSenders = trustedSenders
    }

    /// Classifies `message`; in a replies mailbox (`expectingReplies`) everything that is not a
    /// bounce must be a reply to a notice.
    public func classify(_ message: MailMessage, expectingReplies: Bool) -> MailContent {
        if let bounce = Self.bounce(message) { return bounce }
        let ours = message.referencedIDs.filter { $0.hasSuffix("@" + domain) }
        let reference = Self.reference(in: message.subject)
        if expectingReplies || !ours.isEmpty || reference != nil {
            guard !ours.isEmpty || reference != nil else {
                return .unusable("not a reply to a notice: no In-Reply-To/References to our messages and no [HG-…] reference in the subject")
            }
            let (answer, text) = Self.answer(message)
            return .reply(messageIDs: ours, reference: reference, answer: answer, text: text)
        }
        return reports(message)
    }

    /// The notice reference in a subject (`[HG-0193A1B2C3D4-4A5B]`).
    static func reference(in subject: String) -> String? {
        guard let range = subject.range(of: #"HG-[0-9A-Fa-f]{12}-[0-9A-Fa-f]{4}"#, options: .regularExpression) else { return nil }
        return subject[range].uppercased()
    }

    // MARK: Bounces

    static func bounce(_ message: MailMessage) -> MailContent? {
        guard message.contentType == "multipart/report", message.parameters["report-type"]?.lowercased() == "delivery-status",
            let status = message.parts.first(where: { $0.contentType == "message/delivery-status" })
        else { return nil }
        // The status part is header blocks: one for the message, one per recipient.
        let (fields, rest) = MailMessage.splitHeaders(ArraySlice(status.body))
        var blocks = [fields]
        var remaining = rest
        while !remaining.isEmpty {
            let (block, next) = MailMessage.splitHeaders(remaining)
            if !block.isEmpty { blocks.append(block) }
            if next.count == remaining.count { break }
            remaining = next
        }
        var recipients: [String] = []
        var statuses: [String] = []
        var diagnostics: [String] = []
        for block in blocks.dropFirst() {
            func value(_ name: String) -> String? { block.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value }
            guard let action = value("Action")?.lowercased(), action == "failed" else { continue }
            if let recipient = value("Final-Recipient") ?? value("Original-Recipient") {
                recipients.append((recipient.split(separator: ";").last.map { $0.trimmingCharacters(in: .whitespaces) } ?? recipient).lowercased())
            }
            if let code = value("Status") { statuses.append(code) }
            if let diagnostic = value("Diagnostic-Code") { diagnostics.append(diagnostic) }
        }
        guard !recipients.isEmpty else { return .unusable("a delivery report without a failed recipient") }
        // The original message's headers come as text/rfc822-headers or message/rfc822.
        var original: String?
        for part in message.parts where part.contentType == "text/rfc822-headers" || part.contentType == "message/rfc822" {
            let (headers, _) = MailMessage.splitHeaders(ArraySlice(part.body))
            if let id = headers.first(where: { $0.name.lowercased() == "message-id" }) { original = MailMessage.messageIDs(id.value).first }
        }
        if original == nil { original = message.referencedIDs.first }
        return .bounce(recipients: recipients, status: statuses.first ?? "5.0.0", originalMessageID: original, diagnostic: diagnostics.first ?? "")
    }

    // MARK: Replies

    static let notOurs = [
        "not our customer", "not our client", "not a customer", "not hosted by us", "not on our network", "not our network", "not ours", "geen klant",
        "niet bij ons", "niet ons netwerk", "niet op ons netwerk", "niet onze klant",
    ]
    static let rejected = [
        "will not remove", "won't remove", "will not take", "we refuse", "refuse to", "decline to", "is not illegal", "weigeren", "niet verwijderen",
        "zullen niet",
    ]
    static let removed = [
        "has been removed", "have been removed", "was removed", "were removed", "removed", "taken down", "been deleted", "deleted", "no longer available",
        "disabled", "verwijderd", "offline gehaald", "weggehaald", "is offline", "zijn offline",
    ]

    /// The answer in a reply: a machine-readable part first (X-ARF `content_removed`, or JSON
    /// `status`), else the words of the reply above any quoted text.
    static func answer(_ message: MailMessage) -> (NoticeAnswer?, String) {
        for part in message.parts where part.contentType == "application/json" || part.text.hasPrefix("{") {
            guard case .object(let object)? = try? JSONValue.parse(part.body) else { continue }
            if case .bool(let removed)? = object["content_removed"] { return (removed ? .removed : nil, part.text) }
            if case .string(let status)? = object["status"], let answer = NoticeAnswer(rawValue: status) { return (answer, part.text) }
        }
        let text = message.parts.first { $0.contentType == "text/plain" }?.text ?? ""
        let own = ownWords(text)
        let lowered = own.lowercased()
        let found: [NoticeAnswer] = [
            notOurs.contains { lowered.contains($0) } ? .notOurs : nil,
            rejected.contains { lowered.contains($0) } ? .rejected : nil,
        ].compactMap { $0 }
        if found.count == 1 { return (found[0], own) }
        if found.isEmpty, removed.contains(where: { lowered.contains($0) }), !lowered.contains("not removed"), !lowered.contains("niet verwijderd") {
            return (.removed, own)
        }
        return (nil, own)
    }

    /// The reply's own text: up to the first quoted line or "On … wrote:" / "Op … schreef".
    static func ownWords(_ text: String) -> String {
        var lines: [Substring] = []
        // "\r\n" is one Character in Swift: normalise first, or nothing would split.
        let normalized = text.replacingOccurrences(of: "\r\n", with: "\n")
        for line in normalized.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix(">") || trimmed.hasPrefix("-----Original Message") || trimmed.hasPrefix("-----Oorspronkelijk bericht") { break }
            if (trimmed.hasPrefix("On ") && trimmed.hasSuffix("wrote:")) || (trimmed.hasPrefix("Op ") && trimmed.hasSuffix("schreef:")) { break }
            lines.append(line)
        }
        return lines.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    // MARK: Reports

    func reports(_ message: MailMessage) -> MailContent {
        var reports: [JSONValue] = []
        var problems: [String] = []
        // X-ARF v4: JSON attachments or a JSON body.
        for part in message.parts
        where part.contentType == "application/json"
            || (part.contentType == "text/plain" && part.text.trimmingCharacters(in: .whitespacesAndNewlines).hasPrefix("{"))
        {
            guard let value = try? JSONValue.parse(part.body), XARFIntake.isXARF(value) else { continue }
            do {
                reports.append(try XARFIntake.report(value, path: ""))
            } catch {
                problems.append(error.message)
            }
        }
        // X-ARF 0.2: a YAML part (marked `X-ARF: YES` by its header, or named *.yaml).
        for part in message.parts
        where part.header("X-ARF")?.lowercased() == "yes" || (part.parameters["name"] ?? part.parameters["filename"] ?? "").hasSuffix(".yaml") {
            switch Self.xarf02(part.text) {
            case .success(let report): reports.append(report)
            case .failure(let problem): problems.append(problem.message)
            }
        }
        if !reports.isEmpty { return .reports(reports) }
        if let sender = message.from, trustedSenders.contains(sender) {
            let urls = message.parts.filter { $0.contentType == "text/plain" }.flatMap { Self.urls(in: Self.ownWords($0.text)) }
            if !urls.isEmpty { return .reports(urls.map { .object(["url": .string($0)]) }) }
            return .unusable("a message from trusted sender \(sender) without URLs")
        }
        if !problems.isEmpty { return .unusable("X-ARF report not usable: " + problems.joined(separator: "; ")) }
        return .unusable("no X-ARF report, and \(message.from ?? "the sender") is not a trusted sender")
    }

    /// http(s) URLs in text, trailing punctuation removed, each once.
    static func urls(in text: String) -> [String] {
        var found: [String] = []
        var seen = Set<String>()
        let pattern = #"https?://[^\s<>"'\]\)]+"#
        var rest = text[...]
        while let range = rest.range(of: pattern, options: [.regularExpression, .caseInsensitive]) {
            var url = String(rest[range])
            while let last = url.last, ".,;:!?".contains(last) { url.removeLast() }
            if seen.insert(url).inserted { found.append(url) }
            rest = rest[range.upperBound...]
        }
        return found
    }

    /// An X-ARF 0.2 YAML report as report JSON: `Source` is the URL, `Date` the time,
    /// `Reported-From` the sender.
    static func xarf02(_ text: String) -> Result<JSONValue, MailError> {
        let root: YAMLNode?
        do {
            root = try YAMLParser.parse(text, file: "x-arf", limits: .message).node
        } catch {
            return .failure(MailError("X-ARF 0.2 part is not YAML: \(error.message)"))
        }
        guard let root, case .mapping(let pairs) = root.kind else { return .failure(MailError("X-ARF 0.2 part is not a YAML mapping")) }
        var fields: [String: String] = [:]
        for pair in pairs { if let key = pair.key.scalar, let value = pair.value.scalar { fields[key.lowercased()] = value } }
        guard let url = fields["source"] ?? fields["url"], url.lowercased().hasPrefix("http") else {
            return .failure(MailError("X-ARF 0.2 report without a URL in Source"))
        }
        var report: JSONObject = ["url": .string(url)]
        if let date = fields["date"], RFC3339.parse(date) != nil { report.append("received_at", .string(date)) }
        var source: JSONObject = ["type": .string("partner")]
        if let from = fields["reported-from"] { source.append("name", .string(from)) }
        report.append("source", .object(source))
        return .success(.object(report))
    }
}
