import Foundation

/// One line of the mail log.
public struct MailLogEntry: Hashable, Sendable {
    /// The mailbox's name.
    public var mailbox: String
    /// The Message-ID, or the SHA-256 of the message when it has none.
    public var messageKey: String
    /// The IMAP UID when it was read.
    public var uid: Int
    /// The sender, as the message says.
    public var sender: String?
    /// What was done: reports, ack, unclear, bounce, set-aside.
    public var outcome: String
    /// The details.
    public var detail: String
    /// When.
    public var handledAt: Date

    /// Creates an entry.
    public init(mailbox: String, messageKey: String, uid: Int, sender: String?, outcome: String, detail: String, handledAt: Date) {
        self.mailbox = mailbox
        self.messageKey = messageKey
        self.uid = uid
        self.sender = sender
        self.outcome = outcome
        self.detail = detail
        self.handledAt = handledAt
    }
}

/// Every mail message the gateway used or set aside, so a message is handled once even when
/// a crash left it unflagged in the mailbox.
public protocol MailLog: Sendable {
    /// Whether a message was handled already.
    func mailHandled(mailbox: String, messageKey: String) throws -> Bool
    /// Counts an attempt at handling a message and returns how many there were, this one
    /// included: more than one means an earlier attempt never finished (the process died
    /// in it), and the message is set aside rather than tried again and again.
    func beginMailAttempt(mailbox: String, messageKey: String) throws -> Int
    /// Forgets the attempts at a message whose handling failed with an error (not a crash),
    /// so that it is tried again normally.
    func endMailAttempt(mailbox: String, messageKey: String) throws
    /// Records what was done with a message.
    func logMail(_ entry: MailLogEntry) throws
    /// The newest entries first.
    func mailLog(limit: Int) throws -> [MailLogEntry]
}
