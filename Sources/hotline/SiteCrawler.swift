import Foundation
import HotlineCore
import HotlineNet
import HotlinePages

/// Crawls a hoster's own site for `hotline scan --crawl`: the start URL's origin only,
/// robots.txt honoured (the `hotline-scan` group, else `*`), at most `maximumPages` pages and
/// `maximumDepth` links deep, every fetch through the safe fetcher. Media bodies are handed
/// over in memory, to be hashed and dropped.
struct SiteCrawler {
    /// What the crawl meets.
    enum Event {
        /// A media file of the site, its bytes in memory.
        case media(url: String, bytes: [UInt8])
        /// A URL not fetched or not usable, and why.
        case skipped(url: String, reason: String)
    }

    let start: String
    let fetcher: SafeFetcher
    let maximumPages: Int
    let maximumDepth: Int
    /// How many media files at most per page.
    let mediaPerPage = 200

    /// The scheme, host and port a URL belongs to.
    static func origin(_ text: String) -> String? {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), let host = url.host?.lowercased() else { return nil }
        return "\(scheme)://\(host):\(url.port ?? (scheme == "https" ? 443 : 80))"
    }

    /// robots.txt rules for one user agent: the longest matching prefix decides, Allow winning a tie.
    struct Robots {
        var rules: [(allow: Bool, prefix: String)] = []

        static func parse(_ text: String, agent: String) -> Robots {
            var groups: [String: [(Bool, String)]] = [:]
            var current: [String] = []
            var inRules = false
            for raw in text.split(whereSeparator: { $0 == "\n" || $0 == "\r" }) {
                let line = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
                let parts = line.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                guard parts.count == 2 else { continue }
                switch parts[0].lowercased() {
                case "user-agent":
                    if inRules { current = [] }
                    inRules = false
                    current.append(parts[1].lowercased())
                case "allow", "disallow":
                    inRules = true
                    // An empty Disallow allows everything.
                    guard !parts[1].isEmpty else { continue }
                    for name in current { groups[name, default: []].append((parts[0].lowercased() == "allow", parts[1])) }
                default:
                    continue
                }
            }
            return Robots(rules: (groups[agent] ?? groups["*"] ?? []).map { (allow: $0.0, prefix: $0.1) })
        }

        func allows(_ path: String) -> Bool {
            let matching = rules.filter { path.hasPrefix($0.prefix) }
            guard let best = matching.max(by: { ($0.prefix.count, $0.allow ? 1 : 0) < ($1.prefix.count, $1.allow ? 1 : 0) }) else { return true }
            return best.allow
        }
    }

    func crawl(_ visit: (Event) throws -> Void) throws {
        guard let origin = Self.origin(start), let startURL = URL(string: start) else { throw ScanError("--crawl must be an http(s) URL, got \(start)") }
        let base = "\(startURL.scheme!)://\(startURL.host!)\(startURL.port.map { ":\($0)" } ?? "")"
        var robots = Robots()
        if case .response(let answer) = fetcher.get(base + "/robots.txt", limit: 512 * 1024), answer.status == 200 {
            robots = Robots.parse(String(decoding: answer.body, as: UTF8.self), agent: "hotline-scan")
        }
        func path(_ url: String) -> String {
            guard let parsed = URL(string: url) else { return "/" }
            let path = parsed.path.isEmpty ? "/" : parsed.path
            return parsed.query.map { path + "?" + $0 } ?? path
        }
        var queue: [(url: String, depth: Int)] = [(start, 0)]
        var seen: Set<String> = [start]
        var hashed: Set<String> = []
        var pages = 0
        while !queue.isEmpty, pages < maximumPages {
            let (url, depth) = queue.removeFirst()
            guard robots.allows(path(url)) else {
                try visit(.skipped(url: url, reason: "disallowed by robots.txt"))
                continue
            }
            guard case .response(let answer) = fetcher.get(url) else {
                try visit(.skipped(url: url, reason: "not fetched"))
                continue
            }
            // A redirect off the site is not followed into someone else's.
            guard Self.origin(answer.url) == origin else {
                try visit(.skipped(url: url, reason: "redirected off the site to \(answer.url)"))
                continue
            }
            guard (200..<300).contains(answer.status), !answer.truncated else {
                try visit(.skipped(url: url, reason: answer.truncated ? "larger than the fetch limit" : "HTTP \(answer.status)"))
                continue
            }
            guard answer.contentType == "text/html" || answer.contentType == "application/xhtml+xml" else {
                if hashed.insert(answer.url).inserted { try visit(.media(url: answer.url, bytes: answer.body)) }
                continue
            }
            pages += 1
            let references = PageMedia.references(inHTML: answer.body, pageURL: answer.url, limit: mediaPerPage)
            for media in references.urls {
                guard Self.origin(media) == origin else {
                    try visit(.skipped(url: media, reason: "off the site's origin"))
                    continue
                }
                guard robots.allows(path(media)), hashed.insert(media).inserted else { continue }
                guard case .response(let file) = fetcher.get(media), (200..<300).contains(file.status), !file.truncated else {
                    try visit(.skipped(url: media, reason: "not fetched"))
                    continue
                }
                try visit(.media(url: media, bytes: file.body))
            }
            guard depth < maximumDepth else { continue }
            for link in references.links where seen.insert(link).inserted {
                if Self.origin(link) == origin { queue.append((link, depth + 1)) } else { try visit(.skipped(url: link, reason: "off the site's origin")) }
            }
        }
        if !queue.isEmpty { try visit(.skipped(url: queue[0].url, reason: "--max-pages reached; \(queue.count) page(s) not crawled")) }
    }
}
