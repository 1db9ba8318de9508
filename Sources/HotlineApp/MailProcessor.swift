import Crypto
import Foundation
import HotlineConfig
import HotlineCore
import HotlineMail
import HotlineNet

/// What one poll of a mailbox did.
public struct MailPoll: Hashable, Sendable {
    /// The mailbox.
    public var mailbox: String
    /// Messages looked at.
    public var messages = 0
    /// Reports stored (new or known by client id).
    public var reports = 0
    /// Replies recorded as acknowledgements.
    public var acknowledgements = 0
    /// Replies that went to people as unclear.
    public var unclear = 0
    /// Bounces recorded.
    public var bounces = 0
    /// Messages moved to the people folder.
    public var setAside = 0
    /// Messages seen before (flagged now).
    public var alreadyHandled = 0

    /// `{"mailbox",…}`.
    public var json: JSONValue {
        .object([
            "mailbox": .string(mailbox), "messages": .number(Double(messages)), "reports": .number(Double(reports)),
            "acknowledgements": .number(Double(acknowledgements)), "unclear": .number(Double(unclear)), "bounces": .number(Double(bounces)),
            "set_aside": .number(Double(setAside)), "already_handled": .number(Double(alreadyHandled)),
        ])
    }
}

/// Reads a mailbox and turns each message into what it carries: reports, acknowledgements,
/// bounces, or a message for people. A message is flagged handled (or moved) only after its
/// effect is stored and logged, so a crash never loses one; the mail log makes a message
/// handled once even when the flag was not set.
public struct MailProcessor: Sendable {
    /// Shared state.
    public let runtime: GatewayRuntime
    /// Called after a message's effect is stored and before it is flagged (crash tests).
    public let afterEffect: (@Sendable () -> Void)?
    /// Called when handling a message begins, before anything is stored (crash tests).
    public let beforeEffect: (@Sendable () -> Void)?

    /// Creates a processor.
    public init(runtime: GatewayRuntime, afterEffect: (@Sendable () -> Void)? = nil, beforeEffect: (@Sendable () -> Void)? = nil) {
        self.runtime = runtime
        self.afterEffect = afterEffect
        self.beforeEffect = beforeEffect
    }

    /// Polls one mailbox until it has no unhandled message.
    public func poll(_ mailbox: MailboxConfig, client: IMAPClient? = nil) throws -> MailPoll {
        let client = client ?? runtime.assembly.imapClient(mailbox)
        let classifier = MailClassifier(domain: runtime.config.dispatch.identity.domain, trustedSenders: mailbox.trustedSenders)
        var poll = MailPoll(mailbox: mailbox.name)
        for uid in try client.unhandledUIDs(in: mailbox.folder) {
            poll.messages += 1
            let bytes = try client.fetch(uid: uid, in: mailbox.folder)
            let parsed = Result { () throws(MailError) -> MailMessage in try MailMessage.parse(bytes) }
            let message = try? parsed.get()
            let key = message?.messageID ?? "sha256:" + Hex.string(SHA256.hash(data: bytes))
            if try runtime.store.mailHandled(mailbox: mailbox.name, messageKey: key) {
                poll.alreadyHandled += 1
                try client.markHandled(uid: uid, in: mailbox.folder)
                continue
            }
            // Only the sender's domain: an address is personal data, kept with the reporter's
            // contact details (which the purge erases), never in the mail log.
            let sender = message?.from.flatMap { $0.split(separator: "@").last.map(String.init) }
            // An earlier attempt that never finished killed the process: set the message
            // aside rather than die on it at every poll.
            let attempt = try runtime.store.beginMailAttempt(mailbox: mailbox.name, messageKey: key)
            let outcome: String
            let detail: String
            if attempt > 1 {
                (outcome, detail) = ("set-aside", "handling this message stopped the gateway before (attempt \(attempt)); set aside for people")
            } else {
                beforeEffect?()
                do {
                    (outcome, detail) = try handle(parsed, classifier: classifier, mailbox: mailbox, poll: &poll)
                } catch {
                    // An error, not a crash: the next poll tries again.
                    try? runtime.store.endMailAttempt(mailbox: mailbox.name, messageKey: key)
                    throw error
                }
            }
            try runtime.store.logMail(
                MailLogEntry(
                    mailbox: mailbox.name, messageKey: key, uid: uid, sender: sender, outcome: outcome,
                    detail: mailbox.role == .reports ? Self.redacted(detail) : detail, handledAt: runtime.time.now()))
            afterEffect?()
            if outcome == "set-aside" {
                poll.setAside += 1
                try client.move(uid: uid, in: mailbox.folder, to: mailbox.peopleFolder)
                // A note beside it in the folder, so people reading mail see why.
                try client.append(
                    Self.note(about: message, key: key, reason: detail, identity: runtime.config.dispatch.identity, at: runtime.time.now()),
                    to: mailbox.peopleFolder)
            } else {
                try client.markHandled(uid: uid, in: mailbox.folder)
            }
        }
        return poll
    }

    private func handle(_ parsed: Result<MailMessage, MailError>, classifier: MailClassifier, mailbox: MailboxConfig, poll: inout MailPoll) throws -> (
        String, String
    ) {
        let message: MailMessage
        switch parsed {
        case .success(let value): message = value
        case .failure(let error): return ("set-aside", "not a readable message: \(error.message)")
        }
        let now = runtime.time.now()
        let authenticated = MailAuthentication(authservID: mailbox.authservID).sender(of: message)
        switch classifier.classify(message, expectingReplies: mailbox.role == .replies) {
        case .unusable(let reason):
            return ("set-aside", reason)
        case .reports(let reports):
            // Reports only from senders the hotline's own MTA authenticated, and that this
            // mailbox names; anyone else's go to people, undecided.
            let sender: String
            switch authenticated {
            case .success(let address): sender = address
            case .failure(let why): return ("set-aside", "reports from a sender that is not authenticated: \(why.message)")
            }
            guard mailbox.mayReport(sender) else {
                return ("set-aside", "the authenticated sender \(sender) is not among the senders of mailbox \(mailbox.name)")
            }
            let domain = sender.split(separator: "@").last.map(String.init) ?? sender
            let id = message.messageID ?? UUIDv7Generator().next()
            let inputs: [IngestInput] = reports.enumerated().map { index, report in
                guard case .object(var object) = report else {
                    return IngestInput(
                        line: index + 1,
                        submission: .failure(ReportError(code: "wrong-type", message: "a report must be a JSON object, got \(report.typeName)")))
                }
                // The rules see the channel (mail) and the sender; the client id is the
                // message's Message-ID, so a message read twice is the same reports.
                object.members.removeAll { $0.key == "id" || $0.key == "source" }
                object.append("id", .string("\(id)#\(index + 1)"))
                // The sending organisation's domain is the label; the address is personal data.
                object.append("source", .object(["type": .string("partner"), "name": .string(domain)]))
                if object["reporter"] == nil { object.append("reporter", .string(sender)) }
                if object["comment"] == nil { object.append("comment", .string("mail \(id) to \(mailbox.name)")) }
                return IngestInput(line: index + 1, submission: Result { () throws(ReportError) in try ReportSubmission.parse(.object(object)) })
            }
            let results = try runtime.pipeline(
                channel: "mail", actor: "mail:\(mailbox.name)", submitter: Submitter(id: "mailbox:\(mailbox.name)", scope: "mail:\(domain)")
            ).ingest(inputs)
            let stored = results.filter { if case .rejected = $0.outcome { false } else { true } }.count
            let errors = results.compactMap { if case .rejected(let error) = $0.outcome { "report \($0.line): \(error.message)" } else { nil } }
            poll.reports += stored
            if stored == 0 { return ("set-aside", "no usable report: " + errors.joined(separator: "; ")) }
            return ("reports", "\(stored) report(s) stored" + (errors.isEmpty ? "" : "; rejected: " + errors.joined(separator: "; ")))
        case .reply(let messageIDs, let reference, let answer, let text):
            var noticeID: String?
            for id in messageIDs where noticeID == nil { noticeID = try runtime.store.noticeID(messageID: id) }
            var notice = try noticeID.flatMap { try runtime.store.notice($0) }
            if notice == nil, let reference { notice = try runtime.store.notice(reference) }
            guard let notice else {
                return ("set-aside", "a reply to a notice this gateway does not know (\(reference ?? messageIDs.joined(separator: ", ")))")
            }
            // Only the notice's recipient can answer for it.
            let sender: String
            switch authenticated {
            case .success(let address): sender = address
            case .failure(let why): return ("set-aside", "a reply to notice \(notice.reference) from a sender that is not authenticated: \(why.message)")
            }
            guard Self.isRecipient(sender, of: notice) else {
                return ("set-aside", "a reply to notice \(notice.reference) from \(sender), who is not its recipient")
            }
            let excerpt = NoticeTemplate.singleLine(text).prefix(500)
            guard let answer else {
                try NoticeAcknowledgement.unclear(
                    notice, detail: "reply from \(sender) (\(message.messageID ?? "no Message-ID")) needs a person: \(excerpt)", store: runtime.store, at: now)
                poll.unclear += 1
                return ("unclear", "notice \(notice.reference): to analysts")
            }
            try NoticeAcknowledgement.apply(
                answer, to: notice, detail: "\(answer.rawValue) by mail from \(sender) (\(message.messageID ?? "no Message-ID")): \(excerpt)",
                store: runtime.store, at: now)
            poll.acknowledgements += 1
            return ("ack", "notice \(notice.reference): \(answer.rawValue)")
        case .bounce(let recipients, let status, let originalMessageID, let diagnostic):
            // A bounce counts only for a message of ours it quotes, and only for addresses that
            // message went to: anyone can write a bounce naming a hoster's address.
            guard let originalMessageID, let noticeID = try runtime.store.noticeID(messageID: originalMessageID),
                let notice = try runtime.store.notice(noticeID)
            else {
                return ("set-aside", "a bounce for \(recipients.joined(separator: ", ")) that quotes no message of ours")
            }
            let sentTo = Set(notice.recipient.addresses.map { $0.lowercased() })
            let ours = recipients.filter { sentTo.contains($0) }
            guard !ours.isEmpty else {
                return ("set-aside", "a bounce for \(recipients.joined(separator: ", ")), to whom notice \(notice.reference) was not sent")
            }
            for recipient in ours { try runtime.store.recordBounce(address: recipient, status: status, at: now) }
            poll.bounces += 1
            try runtime.worker().deliveryFailed(
                noticeID: noticeID, error: "bounced for \(ours.joined(separator: ", ")): \(status) \(NoticeTemplate.singleLine(diagnostic).prefix(200))")
            return ("bounce", "notice \(noticeID): delivery failed (\(status))")
        }
    }

    /// `text` with the local part of every address in it cut (`…@partner.test`): a reporter's
    /// address is personal data, and the mail log is kept longer than the purge allows it.
    static func redacted(_ text: String) -> String {
        var result = text
        for address in EmailAddress.scan(text, limit: 64) {
            result = result.replacingOccurrences(of: address, with: "…@" + (address.split(separator: "@").last.map(String.init) ?? ""))
        }
        return result
    }

    /// Whether `sender` (authenticated) is the notice's recipient: one of its addresses, or
    /// an address at the domain of one of them.
    static func isRecipient(_ sender: String, of notice: Notice) -> Bool {
        let domain = sender.split(separator: "@").last.map(String.init) ?? ""
        return notice.recipient.addresses.contains { address in
            let address = address.lowercased()
            let recipientDomain = address.split(separator: "@").last.map(String.init) ?? ""
            return address == sender || domain == recipientDomain || domain.hasSuffix("." + recipientDomain)
        }
    }

    /// The note put beside a message set aside.
    static func note(about message: MailMessage?, key: String, reason: String, identity: HotlineIdentity, at date: Date) -> [UInt8] {
        let subject = "Hotline Gateway could not use: " + NoticeTemplate.singleLine(message?.subject ?? key).prefix(120)
        let text = [
            "From: \"Hotline Gateway\" <\(identity.email)>",
            "To: \(identity.email)",
            "Subject: \(MIME.encodedWord(subject))",
            "Date: \(MIME.date(date))",
            "Message-ID: <note-\(UUIDv7Generator().next())@\(identity.domain)>",
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: quoted-printable",
            "",
            MIME.quotedPrintable("The message \(key) from \(message?.from ?? "an unknown sender") was set aside for people.\nReason: \(reason)\n"),
            "",
        ]
        return Array(text.joined(separator: "\r\n").utf8)
    }
}
