import Foundation
import HotlineCore
import HotlineHashing
import HotlineNet
import HotlinePages
import HotlineVideo

/// Fetches a reported URL through the ``SafeFetcher`` and hashes what it serves, in memory:
/// a medium is hashed as it is; a page is read for the media it shows, and those are fetched
/// (depth 1, through the same fetcher, within the page and byte limits) and hashed. Only
/// hashes leave: the bytes are dropped as soon as they are hashed.
public struct EvidenceCollector: EvidenceGathering {
    /// The fetcher: address policy, pinning, redirects, time and size limits.
    public let fetcher: SafeFetcher
    /// Media per page, bytes per report, and the limits a video is decoded within (the
    /// fetcher's byte limit comes first).
    public let policy: EvidencePolicy
    /// Decoding limits against image bombs.
    public let imageLimits: ImageLimits
    /// PDQ by SHA-256 for files seen before (hashes only), shared by the collectors of one process.
    public let cache: PDQCache?
    /// A matcher outside the gateway, asked about media the lists in force do not know.
    public let matcher: (any ExternalMatcher)?
    /// The lists in force, so that only what they do not know goes out to the matcher.
    public let lists: (any HashMatching)?

    /// Creates a collector.
    public init(
        fetcher: SafeFetcher, policy: EvidencePolicy, imageLimits: ImageLimits = .standard, cache: PDQCache? = nil, matcher: (any ExternalMatcher)? = nil,
        lists: (any HashMatching)? = nil
    ) {
        self.fetcher = fetcher
        self.policy = policy
        self.imageLimits = imageLimits
        self.cache = cache
        self.matcher = matcher
        self.lists = lists
    }

    /// Hashes `body` and, for an image or a video the lists do not know, asks the external
    /// matcher with the bytes, while they are still in memory.
    func observe(_ body: [UInt8], url: String, declaredType: String?) -> ObservedMedia {
        var observed = MediaHasher.observe(body, url: url, declaredType: declaredType, limits: imageLimits, cache: cache)
        // A video is hashed with vPDQ while its bytes are in memory; one that does not decode
        // within the limits keeps its digests only. One decoding thread: the evidence
        // workers already run side by side.
        if observed.mediaType?.hasPrefix("video/") == true { observed.video = try? VideoHasher.hash(body, limits: policy.videoLimits, threads: 1) }
        guard let matcher, let type = observed.mediaType, type.hasPrefix("image/") || type.hasPrefix("video/") else { return observed }
        if let known = lists?.match(observed: [observed]), known.kind != .none { return observed }
        observed.external = ExternalMatch(matcher: matcher.name, answer: matcher.match(.bytes(body, mediaType: type)))
        return observed
    }

    /// What `url` serves now.
    public func gather(_ url: CanonicalURL) -> FetchEvidence {
        var budget = max(0, policy.totalBytes)
        let answer: FetchedBody
        switch fetcher.get(url.canonical, limit: min(fetcher.maximumBytes, budget)) {
        case .noSuchHost(let host, let after, let detail):
            guard after.isEmpty else { return FetchEvidence(status: .failed, detail: "redirected to \(host), which does not exist: \(detail)") }
            return FetchEvidence(status: .gone, detail: "no such host: \(detail)")
        case .refused(let detail):
            return FetchEvidence(status: .refused, detail: detail)
        case .failed(let detail):
            return FetchEvidence(status: .failed, detail: detail)
        case .response(let body):
            answer = body
        }
        switch answer.status {
        case 200..<300: break
        case 404, 410, 451: return FetchEvidence(status: .gone, httpStatus: answer.status, detail: "HTTP \(answer.status)")
        default: return FetchEvidence(status: .failed, httpStatus: answer.status, detail: "HTTP \(answer.status)")
        }
        if answer.truncated {
            return FetchEvidence(
                status: .ok, httpStatus: answer.status, mediaType: answer.contentType, bytes: budget,
                detail: "larger than \(min(fetcher.maximumBytes, budget)) bytes: not hashed")
        }
        budget -= answer.body.count
        let isPage = MediaSniffer.isHTML(answer.body) || (answer.contentType == "text/html" && MediaSniffer.mediaType(answer.body) == nil)
        let observed = observe(answer.body, url: answer.url, declaredType: answer.contentType)
        guard isPage else {
            return FetchEvidence(status: .ok, httpStatus: answer.status, mediaType: observed.mediaType, bytes: answer.body.count, media: [observed])
        }
        // A page: its own body is hashed too (every fetched body is), then what it shows.
        let references = PageMedia.references(inHTML: answer.body, pageURL: answer.url, limit: policy.mediaPerPage)
        var media = [observed]
        var bytes = answer.body.count
        var notes: [String] = []
        if references.found > references.urls.count { notes.append("\(references.found) media on the page, the first \(references.urls.count) fetched") }
        for reference in references.urls {
            guard budget > 0 else {
                notes.append("stopped at \(policy.totalBytes) bytes")
                break
            }
            guard case .response(let medium) = fetcher.get(reference, limit: min(fetcher.maximumBytes, budget)), (200..<300).contains(medium.status) else {
                continue
            }
            if medium.truncated {
                notes.append("\(reference) larger than the limit: not hashed")
                continue
            }
            budget -= medium.body.count
            bytes += medium.body.count
            // A page linked from a page is not followed: depth 1.
            guard !MediaSniffer.isHTML(medium.body) else { continue }
            media.append(observe(medium.body, url: medium.url, declaredType: medium.contentType))
        }
        return FetchEvidence(
            status: .ok, httpStatus: answer.status, mediaType: "text/html", bytes: bytes, mediaFound: references.found, media: media,
            detail: notes.joined(separator: "; "))
    }
}
