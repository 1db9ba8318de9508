import CXML2
import Foundation

/// The media a web page shows, read from its HTML with libxml2's tolerant HTML parser (as
/// browsers read broken markup, never with regular expressions), resolved against the page's
/// URL or its `<base href>`. Nothing is fetched and nothing is kept but the URLs.
public enum PageMedia {
    /// What a page shows.
    public struct References: Hashable, Sendable {
        /// The absolute http(s) URLs of the media, in document order, each once, at most the limit.
        public var urls: [String]
        /// How many distinct media references the page holds (beyond the limit too).
        public var found: Int
        /// The absolute http(s) URLs of the page's links to other pages (`a` and `area`
        /// that are not media), each once, at most the limit: what a crawl follows.
        public var links: [String] = []
    }

    /// File extensions of links that point at media rather than pages.
    static let mediaExtensions: Set<String> = [
        "jpg", "jpeg", "jpe", "png", "gif", "webp", "bmp", "tif", "tiff", "avif", "heic", "mp4", "m4v", "webm", "mov", "avi", "mkv", "mpg", "mpeg", "3gp",
    ]
    /// `<meta>` properties and names that name the page's image.
    static let imageMeta: Set<String> = ["og:image", "og:image:url", "og:image:secure_url", "twitter:image", "twitter:image:src"]

    private static let initialize: Void = { xmlInitParser() }()

    /// The media references of `html`, a page fetched from `pageURL`; at most `limit` URLs.
    public static func references(inHTML html: [UInt8], pageURL: String, limit: Int) -> References {
        initialize
        guard !html.isEmpty, html.count <= Int(Int32.max) else { return References(urls: [], found: 0) }
        let options = Int32(
            HTML_PARSE_RECOVER.rawValue | HTML_PARSE_NOERROR.rawValue | HTML_PARSE_NOWARNING.rawValue | HTML_PARSE_NONET.rawValue | HTML_PARSE_COMPACT.rawValue)
        let document = html.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { htmlReadMemory($0.baseAddress, Int32($0.count), pageURL, nil, options) }
        }
        guard let document else { return References(urls: [], found: 0) }
        defer { xmlFreeDoc(document) }
        var collector = Collector(base: URL(string: pageURL), limit: limit)
        guard let root = xmlDocGetRootElement(document) else { return References(urls: [], found: 0) }
        // Depth first, without recursion: a hostile page can nest deeply.
        var stack: [UnsafeMutablePointer<xmlNode>] = [root]
        while let node = stack.popLast() {
            if node.pointee.type == XML_ELEMENT_NODE { collector.visit(node) }
            var children: [UnsafeMutablePointer<xmlNode>] = []
            var child = node.pointee.children
            while let current = child {
                children.append(current)
                child = current.pointee.next
            }
            stack.append(contentsOf: children.reversed())
        }
        return References(urls: collector.urls, found: collector.seen.count, links: collector.links)
    }

    /// Collects references as the walk meets them.
    struct Collector {
        var base: URL?
        let limit: Int
        var urls: [String] = []
        var seen: Set<String> = []
        var links: [String] = []
        var linked: Set<String> = []

        mutating func visit(_ node: UnsafeMutablePointer<xmlNode>) {
            let name = String(cString: node.pointee.name).lowercased()
            func attribute(_ key: String) -> String? {
                guard let value = xmlGetProp(node, key) else { return nil }
                defer { hotline_xml_free(value) }
                return String(cString: value)
            }
            switch name {
            case "base":
                // The first <base href> sets where relative URLs resolve from.
                if let href = attribute("href"), let resolved = URL(string: href, relativeTo: base)?.absoluteURL, seen.isEmpty { base = resolved }
            case "img":
                add(attribute("src"))
                add(attribute("data-src"))
                addSourceSet(attribute("srcset"))
                addSourceSet(attribute("data-srcset"))
            case "source":
                add(attribute("src"))
                addSourceSet(attribute("srcset"))
            case "video":
                add(attribute("src"))
                add(attribute("poster"))
            case "a", "area":
                if let href = attribute("href") {
                    if Self.isMediaLink(href) { add(href) } else { addLink(href) }
                }
            case "link":
                if attribute("rel")?.lowercased() == "image_src" { add(attribute("href")) }
            case "meta":
                let key = (attribute("property") ?? attribute("name"))?.lowercased() ?? ""
                if PageMedia.imageMeta.contains(key) { add(attribute("content")) }
            case "style":
                if let content = xmlNodeGetContent(node) {
                    addStyleURLs(String(cString: content))
                    hotline_xml_free(content)
                }
            default:
                break
            }
            if let style = attribute("style") { addStyleURLs(style) }
        }

        /// The URLs of a `srcset`: candidates separated by commas, each a URL and a descriptor.
        mutating func addSourceSet(_ value: String?) {
            guard let value else { return }
            for candidate in value.split(separator: ",") {
                add(candidate.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).first.map(String.init))
            }
        }

        /// The `url(…)` values of CSS (`background-image: url("a.jpg")`).
        mutating func addStyleURLs(_ css: String) {
            var rest = css[...]
            while let start = rest.range(of: "url(", options: .caseInsensitive) {
                let after = rest[start.upperBound...]
                guard let close = after.firstIndex(of: ")") else { return }
                add(after[..<close].trimmingCharacters(in: CharacterSet(charactersIn: " \t\n\"'")))
                rest = after[after.index(after: close)...]
            }
        }

        static func isMediaLink(_ href: String) -> Bool {
            let path = href.split(separator: "#").first?.split(separator: "?").first ?? ""
            guard let dot = path.lastIndex(of: ".") else { return false }
            return PageMedia.mediaExtensions.contains(path[path.index(after: dot)...].lowercased())
        }

        /// A link to another page, resolved, without its fragment.
        mutating func addLink(_ reference: String) {
            guard let text = resolve(reference), links.count < limit, linked.insert(text).inserted else { return }
            links.append(text)
        }

        func resolve(_ reference: String) -> String? {
            let trimmed = reference.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !trimmed.isEmpty, !trimmed.hasPrefix("data:"), let resolved = URL(string: trimmed, relativeTo: base)?.absoluteURL,
                let scheme = resolved.scheme?.lowercased(), scheme == "http" || scheme == "https"
            else { return nil }
            var text = resolved.absoluteString
            if let hash = text.firstIndex(of: "#") { text = String(text[..<hash]) }
            return text
        }

        mutating func add(_ reference: String?) {
            guard let reference, let text = resolve(reference), seen.insert(text).inserted else { return }
            if urls.count < limit { urls.append(text) }
        }
    }
}
