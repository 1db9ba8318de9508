import Foundation

/// Who sent a report in.
public struct ReportSource: Hashable, Sendable {
    /// The kind of sender.
    public enum Kind: String, Hashable, Sendable, CaseIterable {
        /// A member of the public, through a web form.
        case `public`
        /// A member organisation of the hotline.
        case member
        /// A partner hotline (INHOPE).
        case partner
        /// An automated crawler.
        case crawler
        /// A hosting or service provider.
        case provider
    }

    /// The kind of sender; `public` when not given.
    public var kind: Kind
    /// The sender's name, e.g. a partner hotline or crawler name.
    public var name: String?

    /// Creates a source.
    public init(kind: Kind = .public, name: String? = nil) {
        self.kind = kind
        self.name = name
    }
}

/// The severity classification used by INHOPE/ICCAM and X-ARF v4.
public enum Classification: String, Hashable, Sendable, CaseIterable {
    /// The INTERPOL baseline: illegal in every country.
    case baseline
    /// Youngest age group, most severe.
    case A1
    /// Youngest age group.
    case A2
    /// Older age group, most severe.
    case B1
    /// Older age group.
    case B2
}

/// Hashes a reporter supplied for the reported file, as lowercase hex.
public struct ReportHashes: Hashable, Sendable {
    /// MD5, 32 hex digits.
    public var md5: String?
    /// SHA-1, 40 hex digits.
    public var sha1: String?
    /// SHA-256, 64 hex digits.
    public var sha256: String?
    /// PDQ, 64 hex digits.
    public var pdq: String?

    /// Creates hashes.
    public init(md5: String? = nil, sha1: String? = nil, sha256: String? = nil, pdq: String? = nil) {
        self.md5 = md5
        self.sha1 = sha1
        self.sha256 = sha256
        self.pdq = pdq
    }

    /// Whether no hash is present.
    public var isEmpty: Bool { md5 == nil && sha1 == nil && sha256 == nil && pdq == nil }

    /// The hashes present, with their algorithms.
    public var all: [(HashAlgorithm, String)] {
        [(HashAlgorithm.md5, md5), (.sha1, sha1), (.sha256, sha256), (.pdq, pdq)].compactMap { pair in pair.1.map { (pair.0, $0) } }
    }
}

/// A report of one URL, as accepted by intake.
public struct Report: Hashable, Sendable {
    /// The gateway's id for the report.
    public var id: String
    /// The sender's own id, if they gave one; the same client id from the same source is the same report.
    public var clientID: String?
    /// The URL, canonical and original.
    public var url: CanonicalURL
    /// When the report was received by whoever first took it.
    public var receivedAt: Date
    /// Who sent it.
    public var source: ReportSource
    /// The reporter's contact: personal data, never passed to hosters.
    public var reporter: String?
    /// The reported media type, e.g. `image/jpeg`.
    public var mediaType: String?
    /// Hashes the sender supplied.
    public var hashes: ReportHashes
    /// The sender's classification hint; a hint, not an assessment.
    public var classification: Classification?
    /// Free text from the sender.
    public var comment: String?
    /// Who handed it in (``Submitter/id``), when known.
    public var submittedBy: String?
    /// The namespace of its client id and of who may read it back (``Submitter/scope``).
    public var clientScope: String = ""

    /// Creates a report.
    public init(
        id: String, clientID: String? = nil, url: CanonicalURL, receivedAt: Date, source: ReportSource = ReportSource(),
        reporter: String? = nil, mediaType: String? = nil, hashes: ReportHashes = ReportHashes(),
        classification: Classification? = nil, comment: String? = nil
    ) {
        self.id = id
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
}
