import Foundation

/// Writes a notice's outbox message: an e-mail (text part from the template in the
/// recipient's language plus one X-ARF v4 JSON attachment per URL) or a webhook body.
public struct NoticeRenderer: Sendable {
    /// Who sends.
    public var identity: HotlineIdentity
    /// The templates.
    public var templates: NoticeTemplates
    /// Signs e-mails; `nil` sends them unsigned.
    public var signer: (any MessageSigner)?

    /// Creates a renderer.
    public init(identity: HotlineIdentity, templates: NoticeTemplates, signer: (any MessageSigner)? = nil) {
        self.identity = identity
        self.templates = templates
        self.signer = signer
    }

    /// Why a message could not be written.
    public struct RenderError: Error, Hashable, Sendable {
        /// What is missing.
        public var message: String
    }

    /// The message for `notice`: the first notice, or reminder number `reminder` (which
    /// refers to the first message so that mail clients thread it).
    public func message(for notice: Notice, purpose: String, template name: String, reminder: Int, messageID: String, firstMessageID: String?, at date: Date)
        throws(RenderError) -> OutboxMessage
    {
        let items = notice.onlineItems.isEmpty ? notice.items : notice.onlineItems
        let reports = items.compactMap { XARFReport.report(for: $0, identity: identity, at: date) }.map {
            purpose == "test" ? TestNotice.marked($0, identity: identity) : $0
        }
        switch notice.recipient.channel {
        case .webhook:
            guard let endpoint = notice.recipient.endpoint else {
                throw RenderError(message: "recipient \(notice.recipient.name) has the webhook channel but no endpoint")
            }
            var body: JSONObject = [
                "notice": .object(noticeSummary(notice, purpose: purpose, reminder: reminder)),
                "reports": .array(reports),
            ]
            let unclassified = items.filter { XARFReport.report(for: $0, identity: identity, at: date) == nil }.map { JSONValue.string($0.subject.url) }
            if !unclassified.isEmpty { body.append("unclassified_urls", .array(unclassified)) }
            return OutboxMessage(
                id: messageID, noticeID: notice.id, purpose: purpose, channel: .webhook, destinations: [endpoint],
                sender: identity.email, messageID: nil, secretEnvironment: notice.recipient.secretEnvironment,
                payload: Array(JSONValue.object(body).serialized.utf8), nextAttemptAt: date, createdAt: date)
        case .email:
            guard !notice.recipient.addresses.isEmpty else { throw RenderError(message: "recipient \(notice.recipient.name) has no e-mail address") }
            // Addresses come from registries and facts: only plain mailboxes reach the To: line.
            if let refused = (notice.recipient.addresses + [identity.email]).first(where: { !EmailAddress.isValid($0) }) {
                throw RenderError(message: "refused address \(Quoted.text(refused)) for \(Quoted.text(notice.recipient.name)): not a plain e-mail address")
            }
            guard let template = templates.template(name, language: notice.recipient.language) else {
                throw RenderError(message: "no template \"\(name)\" for language \(notice.recipient.language) or \(templates.fallbackLanguage)")
            }
            let values = templateValues(notice, items: items, reminder: reminder, at: date)
            let subject = template.renderSubject(values)
            let text = template.renderBody(values)
            let mailID = "\(messageID)@\(identity.domain)"
            var headers: [(String, String)] = [
                ("From", "\(MIME.phrase(identity.name)) <\(identity.email)>"),
                ("To", notice.recipient.addresses.joined(separator: ", ")),
                ("Subject", MIME.encodedWord(subject)),
                ("Date", MIME.date(date)),
                ("Message-ID", "<\(mailID)>"),
            ]
            if let firstMessageID {
                headers.append(("In-Reply-To", "<\(firstMessageID)>"))
                headers.append(("References", "<\(firstMessageID)>"))
            }
            headers.append(("X-Hotline-Reference", notice.reference))
            headers.append(("Auto-Submitted", "auto-generated"))
            headers.append(("MIME-Version", "1.0"))
            let boundary = "hg-\(messageID)"
            // Every header is one line, whatever a value holds.
            if let broken = headers.first(where: { $0.1.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "\0" }) }) {
                throw RenderError(message: "refused header \(broken.0): a line break in \(Quoted.text(broken.1))")
            }
            // The entity (what is signed, when a signer is set): the parts with their own Content-Type.
            var lines: [String] = ["Content-Type: multipart/mixed; boundary=\"\(boundary)\"", ""]
            lines.append("--\(boundary)")
            lines.append("Content-Type: text/plain; charset=utf-8")
            lines.append("Content-Transfer-Encoding: quoted-printable")
            lines.append("")
            lines.append(MIME.quotedPrintable(text))
            for (index, report) in reports.enumerated() {
                let filename = "xarf-\(notice.reference)-\(index + 1).json"
                lines.append("--\(boundary)")
                lines.append("Content-Type: application/json; name=\"\(filename)\"")
                lines.append("Content-Disposition: attachment; filename=\"\(filename)\"")
                lines.append("Content-Transfer-Encoding: base64")
                lines.append("")
                lines.append(MIME.base64Lines(Array(report.serialized.utf8)))
            }
            lines.append("--\(boundary)--")
            lines.append("")
            let entity = Array(lines.joined(separator: "\r\n").utf8)
            var payload = Array(headers.map { "\($0.0): \($0.1)\r\n" }.joined().utf8)
            if let signer {
                do {
                    let signed = try signer.sign(entity: entity, boundary: "hg-signed-\(messageID)")
                    payload += Array("Content-Type: \(signed.contentType)\r\n\r\n".utf8) + signed.body
                } catch {
                    throw RenderError(message: "cannot sign the notice: \(error)")
                }
            } else {
                payload += entity
            }
            return OutboxMessage(
                id: messageID, noticeID: notice.id, purpose: purpose, channel: .email, destinations: notice.recipient.addresses,
                sender: identity.email, messageID: mailID, payload: payload, nextAttemptAt: date, createdAt: date)
        }
    }

    private func noticeSummary(_ notice: Notice, purpose: String, reminder: Int) -> JSONObject {
        var summary: JSONObject = [
            "id": .string(notice.id),
            "reference": .string(notice.reference),
            "kind": .string(notice.kind.rawValue),
            "purpose": .string(purpose),
        ]
        if reminder > 0 { summary.append("reminder", .number(Double(reminder))) }
        if let deadline = notice.deadline { summary.append("deadline", .string(RFC3339.format(deadline))) }
        summary.append("sender", .object(["org": .string(identity.name), "contact": .string(identity.email)]))
        return summary
    }

    func templateValues(_ notice: Notice, items: [NoticeItem], reminder: Int, at date: Date) -> NoticeTemplate.Values {
        var values: [String: String] = [
            "reference": notice.reference,
            "hotline.name": identity.name,
            "hotline.email": identity.email,
            "hotline.website": identity.website,
            "recipient.name": notice.recipient.name,
            "url_count": String(items.count),
            "reminder": String(reminder),
            "date": RFC3339.format(date),
            "reason": notice.reason ?? "",
        ]
        if let deadline = notice.deadline { values["deadline"] = MIME.humanDate(deadline) }
        if let span = notice.deadlineSpan { values["deadline_hours"] = String(span.seconds / 3600) }
        if let sent = notice.sentAt { values["first_sent"] = MIME.humanDate(sent) }
        let urls = items.enumerated().map { index, item -> [String: String] in
            [
                "number": String(index + 1),
                "url": item.subject.url,
                "host": item.subject.host,
                "classification": item.classification ?? "unclassified",
                "detection_method": item.detectionMethod,
                "hashes": item.subject.hashes.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" }.joined(separator: " "),
                // What the follow-up found, as it found it: a reminder must not say "still
                // online" of a URL whose every check was inconclusive.
                "last_check": item.lastCheckAt.map { "\(item.lastCheck ?? "checked") (\(MIME.humanDate($0)))" } ?? "not checked yet",
            ]
        }
        return NoticeTemplate.Values(notice: values, urls: urls)
    }
}

/// The bits of MIME (RFC 2045-2047, 5322) notices need.
public enum MIME {
    /// A display name, quoted, with quotes and backslashes escaped and line breaks removed.
    public static func phrase(_ text: String) -> String {
        let clean = NoticeTemplate.singleLine(text).replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        return clean.allSatisfy(\.isASCII) ? "\"\(clean)\"" : encodedWord(clean)
    }

    /// A header value: as is when printable ASCII, else one or more RFC 2047 encoded words.
    public static func encodedWord(_ text: String) -> String {
        let clean = NoticeTemplate.singleLine(text)
        if clean.allSatisfy({ $0.isASCII }) { return clean }
        // Encoded words stay under 76 characters: 45 bytes of UTF-8 each, split on characters.
        var words: [String] = []
        var chunk: [UInt8] = []
        for character in clean {
            let bytes = Array(String(character).utf8)
            if chunk.count + bytes.count > 45 {
                words.append("=?UTF-8?B?\(Data(chunk).base64EncodedString())?=")
                chunk = []
            }
            chunk += bytes
        }
        if !chunk.isEmpty { words.append("=?UTF-8?B?\(Data(chunk).base64EncodedString())?=") }
        return words.joined(separator: "\r\n ")
    }

    /// Quoted-printable (RFC 2045) with CRLF line ends and soft breaks before 76 characters.
    public static func quotedPrintable(_ text: String) -> String {
        var output: [String] = []
        let lines = text.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false)
        for line in lines {
            var encoded = ""
            var length = 0
            let bytes = Array(line.utf8)
            for (index, byte) in bytes.enumerated() {
                let isLast = index == bytes.count - 1
                let piece: String
                if (byte == 0x20 || byte == 0x09) && isLast {
                    piece = String(format: "=%02X", byte)
                } else if (byte >= 33 && byte <= 126 && byte != 61) || byte == 0x20 || byte == 0x09 {
                    piece = String(UnicodeScalar(byte))
                } else {
                    piece = String(format: "=%02X", byte)
                }
                if length + piece.count > 75 {
                    encoded += "=\r\n"
                    length = 0
                }
                encoded += piece
                length += piece.count
            }
            output.append(encoded)
        }
        return output.joined(separator: "\r\n")
    }

    /// Base64 in lines of 76 characters.
    public static func base64Lines(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
    }

    /// An RFC 5322 date, in UTC.
    public static func date(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second, .weekday], from: date)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ value: Int?) -> String { value.map { $0 < 10 ? "0\($0)" : "\($0)" } ?? "00" }
        return "\(days[c.weekday! - 1]), \(two(c.day)) \(months[c.month! - 1]) \(c.year!) \(two(c.hour)):\(two(c.minute)):\(two(c.second)) +0000"
    }

    /// `2026-11-30 14:00 UTC`, for notice texts.
    public static func humanDate(_ date: Date) -> String {
        let text = RFC3339.format(date)
        return String(text.prefix(10)) + " " + String(text.dropFirst(11).prefix(5)) + " UTC"
    }
}
