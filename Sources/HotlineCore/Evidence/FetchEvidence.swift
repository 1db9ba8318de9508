import Foundation

/// One file the gateway fetched and hashed in memory: the reported URL's own body when it is
/// media, or a medium a reported page shows. Only its hashes are kept, never its bytes.
public struct ObservedMedia: Hashable, Sendable {
    /// Where it was fetched.
    public var url: String
    /// Its media type, as sniffed from the bytes (or declared when they say nothing).
    public var mediaType: String?
    /// Its size.
    public var bytes: Int
    /// MD5, lowercase hex.
    public var md5: String
    /// SHA-1, lowercase hex.
    public var sha1: String
    /// SHA-256, lowercase hex.
    public var sha256: String
    /// PDQ, for images that decoded.
    public var pdq: PDQHash?
    /// PDQ quality (0–100), for images that decoded.
    public var quality: Int?
    /// What an external matcher answered for its bytes, when one was asked.
    public var external: ExternalMatch? = nil
    /// vPDQ, for videos that decoded.
    public var video: VideoHash? = nil

    /// Creates one.
    public init(url: String, mediaType: String?, bytes: Int, md5: String, sha1: String, sha256: String, pdq: PDQHash? = nil, quality: Int? = nil) {
        self.url = url
        self.mediaType = mediaType
        self.bytes = bytes
        self.md5 = md5
        self.sha1 = sha1
        self.sha256 = sha256
        self.pdq = pdq
        self.quality = quality
    }

    /// Its exact digests, with their algorithms.
    public var digests: [(HashAlgorithm, String)] { [(.md5, md5), (.sha1, sha1), (.sha256, sha256)] }
}

/// What the gateway observed at a reported URL: how the fetch went, and everything it hashed
/// there (the body itself, or the media a page shows).
public struct FetchEvidence: Hashable, Sendable {
    /// How the fetch went.
    public enum Status: String, Hashable, Sendable, CaseIterable {
        /// Fetched (2xx) and read.
        case ok
        /// The URL is gone: 404, 410, 451, or its host does not exist.
        case gone
        /// Not fetched because the address policy refuses where it points.
        case refused
        /// No usable answer: a timeout, a connection error, a DNS failure, another status.
        case failed
        /// Not fetched: fetching is off for this report's source or channel.
        case skipped
    }

    /// How the fetch went.
    public var status: Status
    /// The final HTTP status, when there was an answer.
    public var httpStatus: Int?
    /// The media type of the URL's own body.
    public var mediaType: String?
    /// Bytes read in all: the body and every medium fetched for it.
    public var bytes: Int
    /// Media references found on a reported page (0 for a medium itself).
    public var mediaFound: Int
    /// What was hashed: every body fetched, a page's own included (as `text/html`).
    public var media: [ObservedMedia]
    /// What happened, for people: the reason of a failure, limits that cut the fetch short.
    public var detail: String

    /// Creates evidence.
    public init(
        status: Status, httpStatus: Int? = nil, mediaType: String? = nil, bytes: Int = 0, mediaFound: Int = 0, media: [ObservedMedia] = [], detail: String = ""
    ) {
        self.status = status
        self.httpStatus = httpStatus
        self.mediaType = mediaType
        self.bytes = bytes
        self.mediaFound = mediaFound
        self.media = media
        self.detail = detail
    }

    /// The files hashed besides a page's own body: the URL itself when it is media, and the
    /// media of a page.
    public var hashedMedia: [ObservedMedia] { media.filter { $0.mediaType != "text/html" } }

    /// Evidence of a report that was not fetched.
    public static func skipped(_ reason: String) -> FetchEvidence { FetchEvidence(status: .skipped, detail: reason) }

    /// Writes the `fetch.*` facts.
    public func apply(to facts: inout Facts) {
        facts[.fetchStatus] = .string(status.rawValue)
        if let httpStatus { facts[.fetchHTTPStatus] = .number(Double(httpStatus)) }
        if let mediaType { facts[.fetchMediaType] = .string(mediaType) }
        facts[.fetchBytes] = .number(Double(bytes))
        facts[.fetchMediaFound] = .number(Double(mediaFound))
        facts[.fetchMediaHashed] = .number(Double(hashedMedia.count))
        if !detail.isEmpty { facts[.fetchDetail] = .string(detail) }
    }
}

/// Fetches a reported URL and hashes what it finds, in memory: the body, and for a page the
/// media it shows. The network adapter implements it; tests use a scripted fake.
public protocol EvidenceGathering: Sendable {
    /// What `url` serves now.
    func gather(_ url: CanonicalURL) -> FetchEvidence
}
