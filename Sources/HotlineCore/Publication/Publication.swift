import Foundation

/// One edition of the published statistics: drafted with the figures of its period, open
/// for the listed hosters' response during the review window, then published, dated and
/// versioned, with the SHA-256 of every file in its manifest.
public struct Publication: Hashable, Sendable {
    /// Where it stands.
    public enum Status: String, Hashable, Sendable, CaseIterable {
        /// Drafted; listed hosters may respond until the review window closes.
        case review
        /// Written out for the public.
        case published
        /// Replaced by a newer draft before it was published.
        case withdrawn
    }

    /// Version number, from 1.
    public var version: Int
    /// Where it stands.
    public var status: Status
    /// The period's start.
    public var since: Date
    /// The period's end (and the time the figures are taken at).
    public var until: Date
    /// When it was drafted.
    public var createdAt: Date
    /// When the review window closes.
    public var reviewUntil: Date
    /// When it was published.
    public var publishedAt: Date?
    /// The SHA-256 of the manifest, once published.
    public var manifestSHA256: String?
    /// The organisations (directory contact ids) on its comply-or-explain list, who may respond.
    public var listed: [String]

    /// Creates a publication.
    public init(
        version: Int, status: Status, since: Date, until: Date, createdAt: Date, reviewUntil: Date, publishedAt: Date? = nil, manifestSHA256: String? = nil,
        listed: [String] = []
    ) {
        self.version = version
        self.status = status
        self.since = since
        self.until = until
        self.createdAt = createdAt
        self.reviewUntil = reviewUntil
        self.publishedAt = publishedAt
        self.manifestSHA256 = manifestSHA256
        self.listed = listed
    }

    /// As JSON.
    public var json: JSONValue {
        .object([
            "version": .number(Double(version)), "status": .string(status.rawValue), "since": .string(RFC3339.format(since)),
            "until": .string(RFC3339.format(until)), "created_at": .string(RFC3339.format(createdAt)),
            "review_until": .string(RFC3339.format(reviewUntil)), "published_at": publishedAt.map { .string(RFC3339.format($0)) } ?? .null,
            "manifest_sha256": manifestSHA256.map(JSONValue.string) ?? .null, "listed": .array(listed.map(JSONValue.string)),
        ])
    }
}

/// Storage of publications.
public protocol PublicationStore: Sendable {
    /// Every publication, newest version first.
    func publications() throws -> [Publication]
    /// Stores a new draft (withdrawing any other in review) with its audit entry; `false` when
    /// its version is taken (another instance drafted at the same time).
    func insertPublication(_ publication: Publication, audit: AuditEntry) throws -> Bool
    /// Marks a draft published with its manifest and audit entry; `false` when it was no
    /// longer in review.
    func markPublished(version: Int, at date: Date, manifestSHA256: String, audit: AuditEntry) throws -> Bool
}
