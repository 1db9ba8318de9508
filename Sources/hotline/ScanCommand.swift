import ArgumentParser
import Foundation
import HotlineConfig
import HotlineCore
import HotlineHashing
import HotlineNet

/// `hotline scan PATH…`: the hoster's own tool. Hashes its files in memory and checks them
/// against the gateway's lists in batches, with a provider token.
struct ScanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scan",
        abstract: "Check your own files against the hotline's hash lists: MD5, SHA-1, SHA-256, and PDQ for images.",
        discussion: """
            Walks the folders (no symlinks unless --follow-symlinks; special files and files
            over --max-size skipped), hashes every file in memory (nothing is written), and
            checks the hashes with POST /v1/hashcheck/batch. Prints one JSON line per match
            (path, algorithm, classification, list) and a summary line. With --state, an
            interrupted scan resumes after the last file whose check came back. The token is
            read from --token-file or HOTLINE_TOKEN. With --report and --public-base, matches
            are filed as provider reports with the file's public URL and its hashes, never the file.
            """
    )

    @Argument(help: "Files or folders to scan.") var paths: [String] = []
    @Option(help: "Crawl your own site from this URL instead: same origin only, robots.txt honoured.") var crawl: String?
    @Option(help: "With --crawl: pages to fetch at most.") var maxPages: Int = 500
    @Option(help: "With --crawl: links to follow from the start page at most.") var maxDepth: Int = 5
    @Flag(help: "With --crawl: reach private and loopback addresses too (your internal hosts).") var allowPrivate = false
    @Option(help: "The gateway, e.g. https://gateway.hotline.example (http only to loopback).") var gateway: String
    @Option(help: "A file holding the provider token (else HOTLINE_TOKEN).") var tokenFile: String?
    @Flag(help: "Follow symlinks (each folder is still scanned once).") var followSymlinks = false
    @Option(help: "Skip files larger than this many bytes.") var maxSize: Int = 256 * 1024 * 1024
    @Flag(help: "Also check the eight rotations and flips of every image's PDQ.") var dihedral = false
    @Option(help: "Hashes per request (at most 10000).") var batch: Int = 5000
    @Option(help: "A state file: resume an interrupted scan after its last finished file.") var state: String?
    @Flag(help: "File each match as a provider report (needs --public-base).") var report = false
    @Option(help: "The public URL of the first path, for --report: PATH/a/b.jpg is reported as URL/a/b.jpg.") var publicBase: String?
    @Option(help: "A CA file for the gateway's certificate.") var caFile: String?
    @Flag(help: "Show progress on standard error even when it is not a terminal.") var progress = false

    func validate() throws {
        guard paths.isEmpty != (crawl == nil) else { throw ValidationError("give paths to scan, or --crawl URL, not both") }
        if let crawl {
            guard let url = URL(string: crawl), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https", url.host != nil else {
                throw ValidationError("--crawl must be an http(s) URL, got \(Quoted.text(crawl))")
            }
            guard (1...100_000).contains(maxPages), (0...100).contains(maxDepth) else {
                throw ValidationError("--max-pages must be 1–100000 and --max-depth 0–100")
            }
            if state != nil { throw ValidationError("--state is for folders; a crawl starts again") }
        }
        guard let url = URL(string: gateway), let scheme = url.scheme?.lowercased(), let host = url.host else {
            throw ValidationError("--gateway must be a URL such as https://gateway.hotline.example, got \(Quoted.text(gateway))")
        }
        guard scheme == "https" || (scheme == "http" && LoopbackHost.contains(host)) else {
            throw ValidationError("--gateway must be https (http only to this machine), got \(Quoted.text(gateway))")
        }
        guard (1...10_000).contains(batch) else { throw ValidationError("--batch must be from 1 to 10000, got \(batch)") }
        guard maxSize > 0 else { throw ValidationError("--max-size must be above 0, got \(maxSize)") }
        if report, publicBase == nil, crawl == nil {
            throw ValidationError("--report needs --public-base: a match is reported by its public URL, never the file")
        }
        if let publicBase, URL(string: publicBase)?.scheme == nil { throw ValidationError("--public-base must be a URL, got \(Quoted.text(publicBase))") }
    }

    /// One file waiting for its check.
    struct Pending {
        let path: String
        let key: [String]
        let items: [(algorithm: String, value: String, variant: Int?)]
        let hashes: ReportHashes
    }

    func token() throws -> String {
        if let tokenFile {
            guard let data = FileManager.default.contents(atPath: tokenFile) else {
                Output.err("hotline: cannot read --token-file \(tokenFile)\n")
                throw ExitCode(66)
            }
            return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        guard let value = ProcessInfo.processInfo.environment["HOTLINE_TOKEN"], !value.isEmpty else {
            Output.err("hotline: give the provider token with --token-file or HOTLINE_TOKEN\n")
            throw ExitCode(64)
        }
        return value
    }

    func run() throws {
        let secret = try token()
        let roots = paths.map { ($0 as NSString).standardizingPath }
        var saved: ScanState
        do { saved = try state.flatMap { try ScanState.load($0, roots: roots) } ?? ScanState(roots: roots) } catch {
            Output.err("hotline: \(error)\n")
            throw ExitCode(1)
        }
        let resumeAfter = saved.last
        var counts = saved.counts
        let client = HTTPClient(timeout: 120, maximumBytes: 16 * 1024 * 1024, userAgent: "hotline-scan/\(GatewayVersion.number)", caFile: caFile)
        let endpoint = gateway.hasSuffix("/") ? String(gateway.dropLast()) : gateway
        let showProgress = progress || isatty(STDERR_FILENO) == 1
        var pending: [Pending] = []
        var pendingHashes = 0

        func post(_ path: String, _ body: JSONValue) throws -> JSONObject {
            let bytes = Array(body.serialized.utf8)
            for attempt in 1...6 {
                let response: HTTPResponse
                do {
                    response = try client.post(endpoint + path, headers: ["Authorization: Bearer \(secret)", "Content-Type: application/json"], body: bytes)
                } catch {
                    throw ScanError("the gateway did not answer: \(error)")
                }
                // Faster than the token's hashes per second: wait as the gateway asks, then again.
                if response.status == 429, attempt < 6 {
                    Thread.sleep(forTimeInterval: min(30, max(1, response.retryAfterSeconds() ?? 1)))
                    continue
                }
                let answer = (try? JSONValue.parse(response.body)).flatMap(\.objectValue)
                guard response.status == 200 || response.status == 201 || response.status == 202, let answer else {
                    let detail = answer?["detail"].flatMap { if case .string(let text) = $0 { text } else { nil } }
                    throw ScanError("the gateway answered \(response.status)\(detail.map { ": \($0)" } ?? "")")
                }
                return answer
            }
            throw ScanError("the gateway kept answering 429")
        }

        func flush() throws {
            guard !pending.isEmpty else { return }
            let items = pending.flatMap { file in
                file.items.map { JSONValue.object(["algorithm": .string($0.algorithm), "value": .string($0.value)]) }
            }
            let answer = try post("/v1/hashcheck/batch", .object(["hashes": .array(items)]))
            guard case .array(let results)? = answer["results"], results.count == items.count else {
                throw ScanError("the gateway's answer does not hold one result per hash")
            }
            var position = 0
            var reports: [JSONValue] = []
            for file in pending {
                var best: [String: JSONObject] = [:]
                for item in file.items {
                    defer { position += 1 }
                    guard case .object(let result) = results[position], result["match"] == .bool(true) else { continue }
                    // One line per algorithm that matched; for PDQ, the closest variant.
                    if let current = best[item.algorithm], (current["distance"]?.numberValue ?? 0) <= (result["distance"]?.numberValue ?? 0) { continue }
                    var line: JSONObject = ["path": .string(file.path), "algorithm": .string(item.algorithm)]
                    for key in ["classification", "list", "distance"] { if let value = result[key] { line.append(key, value) } }
                    if let variant = item.variant, variant > 0 { line.append("dihedral_variant", .number(Double(variant))) }
                    best[item.algorithm] = line
                }
                for algorithm in ["md5", "sha1", "sha256", "pdq"] { if let line = best[algorithm] { Output.out(JSONValue.object(line).serialized + "\n") } }
                if !best.isEmpty {
                    counts["matched_files", default: 0] += 1
                    if report, let url = crawl != nil ? file.path : publicURL(for: file.path, roots: roots) {
                        var hashes: JSONObject = [:]
                        for (name, value) in [("md5", file.hashes.md5), ("sha1", file.hashes.sha1), ("sha256", file.hashes.sha256), ("pdq", file.hashes.pdq)] {
                            if let value { hashes.append(name, .string(value)) }
                        }
                        reports.append(.object(["url": .string(url), "source": .object(["type": .string("provider")]), "hashes": .object(hashes)]))
                    }
                }
            }
            if !reports.isEmpty {
                _ = try post("/v1/reports", .object(["reports": .array(reports)]))
                counts["reported", default: 0] += reports.count
            }
            counts["checked_files", default: 0] += pending.count
            counts["checked_hashes", default: 0] += items.count
            saved.last = pending.last!.key
            saved.counts = counts
            if let state { try saved.save(state) }
            pending = []
            pendingHashes = 0
            if showProgress {
                Output.err(
                    "\rscan: \(counts["checked_files", default: 0]) files, \(counts["checked_hashes", default: 0]) hashes checked, \(counts["matched_files", default: 0]) matching"
                )
            }
        }

        /// Hashes one file's bytes in memory and queues its hashes for the next batch.
        func add(path: String, key: [String], bytes: [UInt8]) throws {
            let media = MediaHasher.observe(bytes, url: path, declaredType: nil)
            var items: [(algorithm: String, value: String, variant: Int?)] = [
                ("md5", media.md5, nil), ("sha1", media.sha1, nil), ("sha256", media.sha256, nil),
            ]
            // A PDQ of quality under 50 (flat or smooth images) matches too loosely to send.
            if media.pdq != nil, (media.quality ?? 0) < VerdictReview.pdqQualityFloor { counts["pdq_low_quality", default: 0] += 1 }
            if let pdq = media.pdq, (media.quality ?? 0) >= VerdictReview.pdqQualityFloor {
                if dihedral, let image = try? ImageDecoder.decode(bytes, minimumSide: MediaHasher.pdqDecodeSide) {
                    items += PDQ.dihedralHashes(image).all.enumerated().map { ("pdq", $0.element.description, $0.offset) }
                } else {
                    items.append(("pdq", pdq.description, nil))
                }
            }
            if pendingHashes + items.count > batch { try flush() }
            pending.append(
                Pending(
                    path: path, key: key, items: items,
                    hashes: ReportHashes(md5: media.md5, sha1: media.sha1, sha256: media.sha256, pdq: media.pdq?.description)))
            pendingHashes += items.count
        }

        do {
            if let crawl {
                var policy = AddressPolicy()
                if allowPrivate {
                    policy = AddressPolicy(
                        allowed: ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "127.0.0.0/8", "fc00::/7", "::1/128"].compactMap(IPNetwork.init))
                }
                let fetcher = SafeFetcher(resolver: DNSClient(), policy: policy, maximumBytes: maxSize, userAgent: "hotline-scan/\(GatewayVersion.number)")
                try SiteCrawler(start: crawl, fetcher: fetcher, maximumPages: maxPages, maximumDepth: maxDepth).crawl { event in
                    switch event {
                    case .skipped(let url, let reason):
                        counts["skipped", default: 0] += 1
                        Output.err("scan: skipped \(url): \(reason)\n")
                    case .media(let url, let bytes):
                        try add(path: url, key: [], bytes: bytes)
                    }
                }
            } else {
                try ScanWalker(roots: roots, followSymlinks: followSymlinks, maximumSize: maxSize).walk { entry in
                    switch entry {
                    case .skipped(let path, let reason):
                        counts["skipped", default: 0] += 1
                        Output.err("scan: skipped \(path): \(reason)\n")
                    case .file(let path, let key, _):
                        if let resumeAfter, ScanWalker.isDone(key, last: resumeAfter) { return }
                        guard let data = FileManager.default.contents(atPath: path) else {
                            counts["skipped", default: 0] += 1
                            Output.err("scan: skipped \(path): cannot read\n")
                            return
                        }
                        try add(path: path, key: key, bytes: [UInt8](data))
                    }
                }
            }
            try flush()
        } catch let error as ScanError {
            if showProgress { Output.err("\n") }
            Output.err("hotline: scan stopped: \(error)\(state.map { "; run it again with --state \($0) to resume" } ?? "")\n")
            throw ExitCode(1)
        }
        if showProgress { Output.err("\n") }
        Output.out(
            JSONValue.object(["summary": .object(JSONObject(counts.sorted { $0.key < $1.key }.map { ($0.key, .number(Double($0.value))) }))]).serialized + "\n")
    }

    /// The public URL of a file under the first root, for --report.
    func publicURL(for path: String, roots: [String]) -> String? {
        guard let publicBase, let root = roots.first else { return nil }
        let relative = path.hasPrefix(root + "/") ? String(path.dropFirst(root.count + 1)) : (path == root ? "" : nil)
        guard let relative else { return nil }
        let encoded = relative.split(separator: "/").map {
            $0.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/"))) ?? ""
        }
        return (publicBase.hasSuffix("/") ? String(publicBase.dropLast()) : publicBase) + "/" + encoded.joined(separator: "/")
    }
}
