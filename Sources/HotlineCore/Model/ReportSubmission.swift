import Foundation

/// A report as submitted, validated but not yet given an id or stored.
public struct ReportSubmission: Hashable, Sendable {
    /// The sender's own id.
    public var clientID: String?
    /// The URL.
    public var url: CanonicalURL
    /// When it was received; `nil` means "now", filled in at intake.
    public var receivedAt: Date?
    /// Who sent it.
    public var source: ReportSource
    /// The reporter's contact (personal data).
    public var reporter: String?
    /// The media type.
    public var mediaType: String?
    /// Supplied hashes.
    public var hashes: ReportHashes
    /// Classification hint.
    public var classification: Classification?
    /// Free text.
    public var comment: String?
    /// Hints that were malformed and dropped, each naming its field and why.
    public var warnings: [ReportError] = []

    /// Creates a submission.
    public init(
        clientID: String? = nil, url: CanonicalURL, receivedAt: Date? = nil, source: ReportSource = ReportSource(),
        reporter: String? = nil, mediaType: String? = nil, hashes: ReportHashes = ReportHashes(),
        classification: Classification? = nil, comment: String? = nil
    ) {
        self.clientID = clientID
        self.url = url
        self.receivedAt = receivedAt
        self.source = source
        self.reporter = reporter
        self.mediaType = mediaType
        self.hashes = hashes
        self.classification = classification
        self.comment = comment
    }

    /// The report this submission becomes once it has an id and a receive time.
    public func report(id: String, now: Date) -> Report {
        Report(
            id: id, clientID: clientID, url: url, receivedAt: receivedAt ?? now, source: source, reporter: reporter,
            mediaType: mediaType, hashes: hashes, classification: classification, comment: comment)
    }
}

/// Why a submitted report was refused, with the field it concerns.
public struct ReportError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A stable code: `invalid-json`, `missing-field`, `invalid-field`, `wrong-type`, `unknown-field`, `too-long`.
    public var code: String
    /// The message, quoting the field and the bad value.
    public var message: String
    /// The field's path (`source.type`), when one field is at fault.
    public var field: String?

    /// Creates an error.
    public init(code: String, message: String, field: String? = nil) {
        self.code = code
        self.message = message
        self.field = field
    }

    /// The message.
    public var description: String { message }
}
