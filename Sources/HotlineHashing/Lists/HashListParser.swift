import Foundation
import HotlineCore

/// The hash list formats `hotline hashes import` reads.
public enum HashListFormat: String, Sendable, CaseIterable {
    /// Comma-separated with a header naming `md5`, `sha1`, `sha256`, `pdq`, `classification`, `quality`.
    case csv
    /// One JSON object a line with the same keys.
    case jsonl
    /// Project VIC / VICS OData JSON: a `value` array of Media with `MD5`, `SHA1`, `Category`.
    case vics
    /// One MD5 a line (`md5sum` output works too); `#` starts a comment.
    case md5list
    /// Listed videos as python-threatexchange's file exchange holds them: one a line,
    /// `vpdq` and the signal (a JSON array of `hex,quality,timestamp` strings), or the
    /// signal alone; `#` starts a comment.
    case vpdq
}

/// A problem with one row; the import goes on without it.
public struct HashListRowError: Hashable, Sendable, CustomStringConvertible {
    /// Row (line for text formats, item of `value` for VICS), 1-based.
    public var row: Int
    /// What is wrong, quoting the field and value.
    public var message: String
    /// `row N: MESSAGE`.
    public var description: String { "row \(row): \(message)" }
}

/// What a parse found.
public struct HashListParseResult: Sendable {
    /// Entries to import.
    public var entries: [HashListEntry] = []
    /// Rows refused.
    public var errors: [HashListRowError] = []
    /// Rows left out on purpose (categories mapped to skip, PDQ quality under 50), with why.
    public var skipped: [String: Int] = [:]
    /// Remarks about the file as a whole (ignored columns).
    public var notes: [String] = []
    /// Hashes the gateway cannot compute (PhotoDNA), kept for an external matcher.
    public var external: [ExternalHashEntry] = []
    /// Listed videos (vPDQ).
    public var videos: [VideoListEntry] = []
}

/// Parses hash list files. Hex is normalized to lowercase; rows with a bad hash or
/// classification are reported and left out.
public enum HashListParser {
    /// PDQ hashes with a quality under this are unreliable and are not imported.
    public static let minimumPDQQuality = 50

    /// How VICS categories map to classifications when no map is given: category 1
    /// (child abuse material) takes the list's default classification, 2 (exploitative,
    /// age-difficult) and 3 (CGI/animation) are nationally illegal at most, and every other
    /// category (uncategorized, comparison, non-pertinent) is left out.
    public static func defaultVICSCategoryMap(listDefault: HashClassification) -> [String: HashClassification?] {
        ["1": listDefault, "2": .nationallyIllegal, "3": .nationallyIllegal]
    }

    /// Parses a category map such as `1=A1,2=nationally_illegal,3=skip`.
    public static func parseCategoryMap(_ text: String) -> [String: HashClassification?]? {
        var map: [String: HashClassification?] = [:]
        for pair in text.split(separator: ",") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, !parts[0].isEmpty else { return nil }
            if parts[1] == "skip" {
                map[parts[0]] = .some(nil)
                continue
            }
            guard let classification = classification(parts[1]) else { return nil }
            map[parts[0]] = classification
        }
        return map
    }

    /// Reads a classification name, case-insensitively (`a1`, `Baseline`, `nationally_illegal`).
    public static func classification(_ text: String) -> HashClassification? {
        HashClassification.allCases.first { $0.rawValue.lowercased() == text.lowercased() }
    }

    /// Parses `bytes` as `format`.
    public static func parse(
        _ bytes: [UInt8], format: HashListFormat, categoryMap: [String: HashClassification?]? = nil, listDefault: HashClassification = .unclassified
    ) -> HashListParseResult {
        switch format {
        case .csv: return parseCSV(bytes)
        case .jsonl: return parseJSONLines(bytes)
        case .vics: return parseVICS(bytes, categoryMap: categoryMap ?? defaultVICSCategoryMap(listDefault: listDefault))
        case .md5list: return parseMD5List(bytes)
        case .vpdq: return parseVPDQ(bytes)
        }
    }

    private static let hashColumns: [HashAlgorithm] = [.md5, .sha1, .sha256, .pdq]

    /// Adds the hashes of one row, given as `(column, value)`; reports the first bad value.
    private static func addRow(_ row: Int, hashes: [(HashAlgorithm, String)], classification: String?, quality: Double?, into result: inout HashListParseResult)
    {
        var parsedClassification: HashClassification?
        if let classification, !classification.isEmpty {
            guard let value = HashListParser.classification(classification) else {
                result.errors.append(
                    HashListRowError(
                        row: row,
                        message:
                            "unknown classification \(JSONValue.string(classification).serialized); expected one of \(HashClassification.allCases.map(\.rawValue).joined(separator: ", "))"
                    ))
                return
            }
            parsedClassification = value
        }
        var entries: [HashListEntry] = []
        for (algorithm, text) in hashes where !text.isEmpty {
            guard let value = algorithm.normalize(text) else {
                result.errors.append(
                    HashListRowError(
                        row: row,
                        message: "\(algorithm.rawValue) must be \(algorithm.hexLength) hex digits, got \(JSONValue.string(String(text.prefix(80))).serialized)")
                )
                return
            }
            if algorithm == .pdq, let quality, quality < Double(minimumPDQQuality) {
                result.skipped["pdq quality under \(minimumPDQQuality)", default: 0] += 1
                continue
            }
            entries.append(HashListEntry(algorithm: algorithm, value: value, classification: parsedClassification))
        }
        if entries.isEmpty && !hashes.contains(where: { $0.0 == .pdq && !$0.1.isEmpty }) {
            result.errors.append(HashListRowError(row: row, message: "no hash (expected one of md5, sha1, sha256, pdq)"))
            return
        }
        result.entries.append(contentsOf: entries)
    }

    static func parseVPDQ(_ bytes: [UInt8]) -> HashListParseResult {
        var result = HashListParseResult()
        for line in lines(bytes) {
            var text = line.text.trimmingCharacters(in: .whitespaces)
            if text.isEmpty || text.hasPrefix("#") { continue }
            if !text.hasPrefix("[") {
                let (type, rest) = (text.prefix { $0 != " " }, text.drop { $0 != " " })
                guard type == "vpdq" else {
                    result.errors.append(
                        HashListRowError(
                            row: line.number,
                            message: "signal type \(JSONValue.string(String(type.prefix(40))).serialized) is not vpdq (this format holds listed videos)"))
                    continue
                }
                text = rest.trimmingCharacters(in: .whitespaces)
            }
            switch VideoHash.parse(signal: text) {
            case .success(let video):
                let kept = VPDQ.prepared(video.frames)
                guard !kept.isEmpty else {
                    result.skipped["videos without a frame of quality \(VPDQ.qualityFloor) or more", default: 0] += 1
                    continue
                }
                result.videos.append(VideoListEntry(id: video.id, video: video))
            case .failure(let error):
                result.errors.append(HashListRowError(row: line.number, message: "\(error) (\(error.code))"))
            }
        }
        return result
    }

    static func lines(_ bytes: [UInt8]) -> [(number: Int, text: String)] {
        var reader = JSONLinesReader(maximumLineLength: 1 << 20)
        return (reader.feed(bytes) + reader.finish()).map { ($0.number, String(decoding: $0.bytes, as: UTF8.self)) }
    }

    /// RFC 4180 fields: commas, double quotes, doubled quotes inside them.
    static func csvFields(_ line: String) -> [String] {
        var fields: [String] = []
        var current = ""
        var quoted = false
        var iterator = line.makeIterator()
        while let character = iterator.next() {
            if quoted {
                if character == "\"" {
                    var lookahead = iterator
                    if lookahead.next() == "\"" {
                        current.append("\"")
                        iterator = lookahead
                    } else {
                        quoted = false
                    }
                } else {
                    current.append(character)
                }
            } else if character == "\"" {
                quoted = true
            } else if character == "," {
                fields.append(current.trimmingCharacters(in: .whitespaces))
                current = ""
            } else {
                current.append(character)
            }
        }
        fields.append(current.trimmingCharacters(in: .whitespaces))
        return fields
    }

    static func parseCSV(_ bytes: [UInt8]) -> HashListParseResult {
        var result = HashListParseResult()
        let rows = lines(bytes)
        guard let header = rows.first else { return result }
        let columns = csvFields(header.text).map { $0.lowercased() }
        let known = Set(hashColumns.map(\.rawValue) + ["classification", "quality"])
        for column in columns where !known.contains(column) { result.notes.append("column \(JSONValue.string(column).serialized) ignored") }
        guard columns.contains(where: { name in hashColumns.contains { $0.rawValue == name } }) else {
            result.errors.append(HashListRowError(row: header.number, message: "the header names no hash column (md5, sha1, sha256, pdq)"))
            return result
        }
        for row in rows.dropFirst() {
            let fields = csvFields(row.text)
            func value(_ name: String) -> String? {
                columns.firstIndex(of: name).flatMap { $0 < fields.count ? fields[$0] : nil }
            }
            let hashes = hashColumns.compactMap { algorithm in value(algorithm.rawValue).map { (algorithm, $0) } }
            let quality = value("quality").flatMap { $0.isEmpty ? nil : Double($0) }
            if let text = value("quality"), !text.isEmpty, quality == nil {
                result.errors.append(HashListRowError(row: row.number, message: "quality must be a number, got \(JSONValue.string(text).serialized)"))
                continue
            }
            addRow(row.number, hashes: hashes, classification: value("classification"), quality: quality, into: &result)
        }
        return result
    }

    static func parseJSONLines(_ bytes: [UInt8]) -> HashListParseResult {
        var result = HashListParseResult()
        var ignored = Set<String>()
        for line in lines(bytes) {
            guard case .object(let object)? = try? JSONValue.parse(line.text) else {
                result.errors.append(HashListRowError(row: line.number, message: "not a JSON object"))
                continue
            }
            var hashes: [(HashAlgorithm, String)] = []
            var classification: String?
            var quality: Double?
            var bad: String?
            for member in object.members {
                if let algorithm = HashAlgorithm(rawValue: member.key) {
                    guard case .string(let text) = member.value else {
                        bad = "\(member.key) must be a string"
                        break
                    }
                    hashes.append((algorithm, text))
                } else if member.key == "classification" {
                    guard case .string(let text) = member.value else {
                        bad = "classification must be a string"
                        break
                    }
                    classification = text
                } else if member.key == "quality" {
                    guard case .number(let number) = member.value else {
                        bad = "quality must be a number"
                        break
                    }
                    quality = number
                } else {
                    ignored.insert(member.key)
                }
            }
            if let bad {
                result.errors.append(HashListRowError(row: line.number, message: bad))
                continue
            }
            addRow(line.number, hashes: hashes, classification: classification, quality: quality, into: &result)
        }
        result.notes = ignored.sorted().map { "field \(JSONValue.string($0).serialized) ignored" }
        return result
    }

    static func parseVICS(_ bytes: [UInt8], categoryMap: [String: HashClassification?]) -> HashListParseResult {
        var result = HashListParseResult()
        let root: JSONValue
        do {
            root = try JSONValue.parse(bytes)
        } catch {
            result.errors.append(HashListRowError(row: 0, message: "invalid JSON at column \(error.column): \(error.message)"))
            return result
        }
        guard case .array(let items)? = root.objectValue?["value"] else {
            result.errors.append(HashListRowError(row: 0, message: "not a VICS file: no \"value\" array"))
            return result
        }
        var media: [(row: Int, object: JSONObject)] = []
        for (index, item) in items.enumerated() {
            guard case .object(let object) = item else {
                result.errors.append(HashListRowError(row: index + 1, message: "item is not an object"))
                continue
            }
            // VICS 1.x nests Media inside cases; 2.0 lists Media directly.
            if case .array(let nested)? = object["Media"] {
                for element in nested { if case .object(let inner) = element { media.append((index + 1, inner)) } }
            } else {
                media.append((index + 1, object))
            }
        }
        for (row, object) in media {
            var category = ""
            switch object["Category"] {
            // A category is a small whole number; anything else (1e30, 2.5, NaN) is kept as
            // written and finds no mapping, rather than trapping on the conversion.
            case .number(let number)?: category = Int(exactly: number).map(String.init) ?? "\(number)"
            case .string(let text)?: category = text
            default: break
            }
            guard let mapped = categoryMap[category] else {
                result.skipped["category \(category.isEmpty ? "missing" : category)", default: 0] += 1
                continue
            }
            guard let classification = mapped else {
                result.skipped["category \(category) mapped to skip", default: 0] += 1
                continue
            }
            if let text = object["PhotoDNA"]?.stringValue, !text.isEmpty {
                if let value = ExternalHashEntry.photoDNA(text) {
                    result.external.append(ExternalHashEntry(algorithm: .photodna, value: value, classification: classification))
                } else {
                    result.errors.append(HashListRowError(row: row, message: "PhotoDNA value is not 144 bytes of base64; the other hashes of the row are kept"))
                }
            }
            let hashes: [(HashAlgorithm, String)] = [("MD5", HashAlgorithm.md5), ("SHA1", .sha1), ("SHA256", .sha256)].compactMap { key, algorithm in
                object[key]?.stringValue.map { (algorithm, $0) }
            }
            addRow(row, hashes: hashes, classification: classification.rawValue, quality: nil, into: &result)
        }
        if !result.external.isEmpty {
            result.notes.append("\(result.external.count) PhotoDNA values kept for an external matcher (they cannot be computed here)")
        }
        return result
    }

    static func parseMD5List(_ bytes: [UInt8]) -> HashListParseResult {
        var result = HashListParseResult()
        for line in lines(bytes) {
            let text = line.text.trimmingCharacters(in: .whitespaces)
            if text.isEmpty || text.hasPrefix("#") { continue }
            let first = String(text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "," || $0 == ";" }).first ?? "")
            addRow(line.number, hashes: [(.md5, first)], classification: nil, quality: nil, into: &result)
        }
        return result
    }
}
