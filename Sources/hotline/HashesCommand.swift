import ArgumentParser
import Foundation
import HotlineCore
import HotlineHashing
import HotlineVideo

/// `hotline hashes …`: the known-hash lists.
struct HashesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hashes",
        abstract: "Import, inspect and match known-hash lists.",
        subcommands: [
            HashesImportCommand.self, HashesStatsCommand.self, HashesMatchCommand.self, HashesEnableCommand.self, HashesDisableCommand.self,
            HashesRetractCommand.self, HashesAllowCommand.self, HashesSyncCommand.self,
        ])
}

/// Options naming one hash.
struct HashValueOptions: ParsableArguments {
    @Option(help: "An MD5.") var md5: String?
    @Option(help: "A SHA-1.") var sha1: String?
    @Option(help: "A SHA-256.") var sha256: String?
    @Option(help: "A PDQ hash (64 hex digits).") var pdq: String?

    /// The one hash given, normalized; exits 2 with a message otherwise.
    func single() throws -> (HashAlgorithm, String) {
        let given = [(HashAlgorithm.md5, md5), (.sha1, sha1), (.sha256, sha256), (.pdq, pdq)].compactMap { pair in pair.1.map { (pair.0, $0) } }
        guard given.count == 1, let (algorithm, text) = given.first else {
            Output.err("hotline: give exactly one of --md5, --sha1, --sha256, --pdq\n")
            throw ExitCode(2)
        }
        guard let value = algorithm.normalize(text) else {
            Output.err("hotline: --\(algorithm.rawValue) must be \(algorithm.hexLength) hex digits, got \(JSONValue.string(text).serialized)\n")
            throw ExitCode(2)
        }
        return (algorithm, value)
    }
}

/// `hotline hashes import FILE --format F --list NAME`.
struct HashesImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import a hash list; bad rows are reported with their row number and the rest is imported. Importing again is idempotent.")

    @OptionGroup var global: GlobalOptions
    @Option(help: "csv, jsonl, vics, md5list or vpdq.") var format: String
    @Option(help: "The list's name, e.g. nl-police.") var list: String
    @Option(help: "Who supplied the list (kept with it).") var source: String?
    @Option(
        help:
            "Classification of entries that carry none (baseline, A1, A2, B1, B2, nationally_illegal, unclassified); a new list defaults to unclassified, an existing one keeps its own."
    ) var classification: String?
    @Option(
        name: .customLong("category-map"),
        help:
            "VICS categories to classifications, e.g. 1=A1,2=nationally_illegal,3=skip (default: 1=the list's classification, 2 and 3 nationally_illegal, others skipped)."
    ) var categoryMap: String?
    @Argument(help: "The file.") var file: String
    @Flag(help: "Show progress on standard error even when it is not a terminal (it is shown on a terminal anyway).")
    var progress = false

    /// Rejected rows printed one by one; beyond this, a count (a broken export can reject
    /// every one of 300,000 rows).
    static let rowErrorsShown = 100

    func run() throws {
        let started = Date()
        guard let format = HashListFormat(rawValue: format) else {
            Output.err(
                "hotline: --format must be one of \(HashListFormat.allCases.map(\.rawValue).joined(separator: ", ")), got \(JSONValue.string(format).serialized)\n"
            )
            throw ExitCode(2)
        }
        let store = try global.openStore()
        let existing = try store.list(named: list)
        var defaultClassification = existing?.defaultClassification ?? .unclassified
        if let classification {
            guard let parsed = HashListParser.classification(classification) else {
                Output.err(
                    "hotline: --classification must be one of \(HashClassification.allCases.map(\.rawValue).joined(separator: ", ")), got \(JSONValue.string(classification).serialized)\n"
                )
                throw ExitCode(2)
            }
            defaultClassification = parsed
        }
        var map: [String: HashClassification?]?
        if let categoryMap {
            guard let parsed = HashListParser.parseCategoryMap(categoryMap) else {
                Output.err("hotline: --category-map must look like 1=A1,2=nationally_illegal,3=skip, got \(JSONValue.string(categoryMap).serialized)\n")
                throw ExitCode(2)
            }
            map = parsed
        }
        guard let data = FileManager.default.contents(atPath: file) else {
            Output.err("hotline: cannot read \(file)\n")
            throw ExitCode(2)
        }
        let parsed = HashListParser.parse([UInt8](data), format: format, categoryMap: map, listDefault: defaultClassification)
        for error in parsed.errors.prefix(Self.rowErrorsShown) { Output.err("\(file): \(error)\n") }
        if parsed.errors.count > Self.rowErrorsShown {
            Output.err("\(file): … and \(parsed.errors.count - Self.rowErrorsShown) more rows rejected\n")
        }
        for note in parsed.notes { Output.err("\(file): note: \(note)\n") }
        try store.saveList(
            HashList(name: list, source: source ?? existing?.source ?? (file as NSString).lastPathComponent, defaultClassification: defaultClassification))
        var counts = HashImportCounts()
        var start = 0
        let showProgress = progress || isatty(STDERR_FILENO) == 1
        while start < parsed.entries.count {
            let batch = Array(parsed.entries[start..<min(parsed.entries.count, start + 10_000)])
            let result = try store.importEntries(batch, into: list)
            counts.added += result.added
            counts.updated += result.updated
            counts.unchanged += result.unchanged
            start += batch.count
            if showProgress {
                let percent = Int((Double(start) / Double(parsed.entries.count) * 100).rounded(.down))
                Output.err("\rimported \(start) of \(parsed.entries.count) entries (\(percent) %)")
            }
        }
        if showProgress && !parsed.entries.isEmpty { Output.err("\n") }
        var videos = HashImportCounts()
        for start in stride(from: 0, to: parsed.videos.count, by: 1000) {
            let result = try store.importVideos(Array(parsed.videos[start..<min(parsed.videos.count, start + 1000)]), into: list)
            videos.added += result.added
            videos.updated += result.updated
            videos.unchanged += result.unchanged
        }
        // PhotoDNA values cannot be matched here; they are kept for an external matcher.
        let kept = parsed.external.isEmpty ? 0 : try store.importExternalHashes(parsed.external, into: list, at: Date())
        let skipped = parsed.skipped.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
        try store.audit(
            "hashes.import",
            [
                "list": .string(list), "file": .string((file as NSString).lastPathComponent), "format": .string(format.rawValue),
                "added": .number(Double(counts.added)), "updated": .number(Double(counts.updated)), "unchanged": .number(Double(counts.unchanged)),
                "rejected_rows": .number(Double(parsed.errors.count)), "external_added": .number(Double(kept)),
                "videos_added": .number(Double(videos.added)), "videos_updated": .number(Double(videos.updated)),
            ])
        let videoSummary =
            parsed.videos.isEmpty ? "" : ", videos: \(videos.added) added, \(videos.updated) updated, \(videos.unchanged) unchanged"
        Output.out(
            "\(list): \(counts.added) added, \(counts.updated) updated, \(counts.unchanged) unchanged, \(parsed.errors.count) rows rejected" + videoSummary
                + (skipped.isEmpty ? "" : ", skipped: \(skipped)")
                + (parsed.external.isEmpty ? "" : ", \(parsed.external.count) PhotoDNA values kept for an external matcher (\(kept) new)") + "\n")
        Output.err(
            "hashes import: \(parsed.entries.count + parsed.errors.count) rows read, \(parsed.entries.count) entries stored in \(String(format: "%.1f", Date().timeIntervalSince(started))) s\n"
        )
    }
}

/// `hotline hashes stats`.
struct HashesStatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "stats", abstract: "Entries per list and algorithm, retractions, allow-list size.")
    @OptionGroup var global: GlobalOptions

    func run() throws {
        let store = try global.openStore()
        let (lists, allowed) = try store.hashListStatistics()
        var text = ""
        for stats in lists {
            let entries = HashAlgorithm.allCases.map { "\($0.rawValue) \(stats.entries[$0] ?? 0)" }.joined(separator: ", ")
            text +=
                "\(stats.list.name)\t\(stats.list.enabled ? "enabled" : "disabled")\tdefault \(stats.list.defaultClassification.rawValue)\tsource \(stats.list.source)\t\(entries), vpdq videos \(stats.videos), retracted \(stats.retracted)\n"
        }
        text += "allow-list: \(allowed)\n"
        Output.out(text)
    }
}

/// `hotline hashes match`.
struct HashesMatchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "match",
        abstract: "Print the list entries a hash or an image matches, with list, classification and PDQ distance; exit 1 when nothing matches.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var hash: HashValueOptions
    @Option(help: "An image, a video or any file: its digests, PDQ (images) and vPDQ (videos) are matched.") var file: String?
    @Option(help: "PDQ match threshold (default: from the config, 31).") var threshold: Int?
    @Flag(help: "With --file, also match the image's rotations and flips.") var dihedral = false

    func validate() throws {
        if let threshold { try ArgumentChecks.count(threshold, option: "--threshold", in: 0...256) }
    }

    func run() throws {
        let gateway = try global.assembly()
        let store = try global.openStore(gateway)
        let index = try HashIndex.load(from: store, pdqThreshold: threshold ?? gateway.config.pdqThreshold)
        var matches: [HashMatch] = []
        var note: String?
        var videoMatched = false
        if let file {
            guard let data = FileManager.default.contents(atPath: file) else {
                Output.err("hotline: cannot read \(file)\n")
                throw ExitCode(2)
            }
            let bytes = [UInt8](data)
            let hashes = ContentHasher.hash(bytes)
            matches += index.matches(.md5, hashes.digests.md5) + index.matches(.sha1, hashes.digests.sha1) + index.matches(.sha256, hashes.digests.sha256)
            if let pdq = hashes.pdq {
                if pdq.quality < HashListParser.minimumPDQQuality {
                    note = "PDQ quality \(pdq.quality) is under \(HashListParser.minimumPDQQuality): not matched"
                } else {
                    let variants = dihedral ? (try? ImageDecoder.decode(bytes)).map { Array(PDQ.dihedralHashes($0).all.dropFirst()) } ?? [] : []
                    matches += index.pdqMatches(pdq.hash, variants: variants)
                }
            } else if let error = hashes.imageError, MediaSniffer.mediaType(bytes)?.hasPrefix("video/") != true {
                note = "no PDQ: \(error.message)"
            }
            if MediaSniffer.mediaType(bytes)?.hasPrefix("video/") == true {
                do {
                    let video = try VideoHasher.hash(bytes)
                    if let closest = index.videos.closest(to: video) {
                        let object: JSONObject = [
                            "list": .string(closest.list), "classification": .string(closest.classification.rawValue), "algorithm": .string("vpdq"),
                            "id": .string(closest.comparison.id), "query_share": .number(closest.comparison.queryShare),
                            "target_share": .number(closest.comparison.targetShare),
                        ]
                        if closest.comparison.matched {
                            videoMatched = true
                            Output.out(JSONValue.object(object).serialized + "\n")
                        } else {
                            note = "no listed video matches; the closest: " + JSONValue.object(object).serialized
                        }
                    } else {
                        note = index.videos.count == 0 ? "no video is listed" : "the video has no frame of PDQ quality \(VPDQ.qualityFloor) or more"
                    }
                } catch {
                    note = "no vPDQ: \(error.description)"
                }
            }
        } else {
            let (algorithm, value) = try hash.single()
            matches = index.matches(algorithm, value)
            if matches.isEmpty && index.isAllowed(algorithm, value) { note = "on the allow-list: never matched" }
        }
        if let note { Output.err(note + "\n") }
        for match in matches {
            var object: JSONObject = [
                "list": .string(match.list), "classification": .string(match.classification.rawValue), "algorithm": .string(match.algorithm.rawValue),
                "hash": .string(match.value),
            ]
            if match.algorithm == .pdq {
                object.append("distance", .number(Double(match.distance)))
                if match.variant > 0 {
                    object.append(
                        "variant", .string(["original", "rotate90", "rotate180", "rotate270", "flipx", "flipy", "flipplus1", "flipminus1"][match.variant]))
                }
            }
            Output.out(JSONValue.object(object).serialized + "\n")
        }
        if matches.isEmpty && !videoMatched { throw ExitCode(1) }
    }
}

/// `hotline hashes enable NAME`.
struct HashesEnableCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "enable", abstract: "Use a disabled list again.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The list.") var list: String

    func run() throws { try toggle(global, list, enabled: true) }
}

/// `hotline hashes disable NAME`.
struct HashesDisableCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "disable", abstract: "Stop matching a list without deleting it.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The list.") var list: String

    func run() throws { try toggle(global, list, enabled: false) }
}

private func toggle(_ global: GlobalOptions, _ list: String, enabled: Bool) throws {
    let store = try global.openStore()
    guard try store.setEnabled(enabled, list: list) else {
        Output.err("hotline: no hash list named \(JSONValue.string(list).serialized)\n")
        throw ExitCode(1)
    }
    try store.audit(enabled ? "hashes.enable" : "hashes.disable", ["list": .string(list)])
    Output.out("\(list): \(enabled ? "enabled" : "disabled")\n")
}

/// `hotline hashes retract`.
struct HashesRetractCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retract",
        abstract: "Take a hash out of a list (or all lists) as a false positive; kept on record, never matched again, not revived by a re-import.")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var hash: HashValueOptions
    @Option(help: "Only in this list (default: every list).") var list: String?
    @Option(help: "Why; kept with the retraction.") var reason: String

    func run() throws {
        let (algorithm, value) = try hash.single()
        let store = try global.openStore()
        let count = try store.retract(algorithm, value, list: list, reason: reason, at: Date())
        try store.audit(
            "hashes.retract",
            [
                "algorithm": .string(algorithm.rawValue), "hash": .string(value), "list": list.map(JSONValue.string) ?? .null, "reason": .string(reason),
                "entries": .number(Double(count)),
            ])
        Output.out("retracted \(count) entr\(count == 1 ? "y" : "ies")\n")
        if count == 0 { throw ExitCode(1) }
    }
}

/// `hotline hashes allow`.
struct HashesAllowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "allow", abstract: "Put a hash on the allow-list: it never matches, whatever list holds it.")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var hash: HashValueOptions
    @Option(help: "Why; kept with the entry.") var reason: String

    func run() throws {
        let (algorithm, value) = try hash.single()
        let store = try global.openStore()
        try store.allow(algorithm, value, reason: reason, at: Date())
        try store.audit("hashes.allow", ["algorithm": .string(algorithm.rawValue), "hash": .string(value), "reason": .string(reason)])
        Output.out("allowed \(algorithm.rawValue) \(value)\n")
    }
}
