import Foundation

extension ReportSubmission {
    /// The fields a report object may have.
    public static let fieldNames = ["id", "url", "received_at", "source", "reporter", "media_type", "hashes", "classification", "comment"]

    /// Longest accepted free-text value (comment, reporter, names), in bytes.
    public static let maximumTextLength = 16_384

    /// Parses one JSON report (a line of JSON Lines) strictly: unknown fields and wrong
    /// types are errors that name the field.
    public static func parse<Bytes: Collection<UInt8>>(json bytes: Bytes) throws(ReportError) -> ReportSubmission {
        let value: JSONValue
        do {
            value = try JSONValue.parse(bytes)
        } catch {
            throw ReportError(code: "invalid-json", message: "invalid JSON at column \(error.column): \(error.message)")
        }
        return try parse(value)
    }

    /// Validates a parsed JSON report.
    public static func parse(_ value: JSONValue) throws(ReportError) -> ReportSubmission {
        guard case .object(let object) = value else {
            throw ReportError(code: "wrong-type", message: "a report must be a JSON object, got \(value.typeName)")
        }
        for member in object.members where !fieldNames.contains(member.key) {
            throw ReportError(code: "unknown-field", message: "unknown field \"\(member.key)\"", field: member.key)
        }
        guard let urlValue = object["url"] else {
            throw ReportError(code: "missing-field", message: "missing required field \"url\"", field: "url")
        }
        let urlText = try string(urlValue, field: "url")
        let url: CanonicalURL
        do {
            url = try URLCanonicalizer.canonicalize(urlText)
        } catch {
            throw ReportError(code: "invalid-field", message: "field \"url\" \(error.message): \(quote(urlText))", field: "url")
        }
        var submission = ReportSubmission(url: url)
        if let id = object["id"] {
            let text: String
            switch id {
            case .string(let value): text = value
            // Numeric ids are common in exports; they are kept as their decimal text.
            case .number(let value) where value.rounded() == value && abs(value) < 1e15: text = String(Int64(value))
            default: throw wrongType("id", expected: "a string", got: id)
            }
            if text.isEmpty || text.utf8.count > 256 {
                throw ReportError(code: "invalid-field", message: "field \"id\" must be 1 to 256 bytes long", field: "id")
            }
            submission.clientID = text
        }
        if let received = try optionalString(object, "received_at") {
            guard let date = RFC3339.parse(received) else {
                throw ReportError(
                    code: "invalid-field", message: "field \"received_at\" is not an RFC 3339 timestamp: \(quote(received))", field: "received_at")
            }
            submission.receivedAt = date
        }
        if let source = object["source"], source != .null {
            guard case .object(let sourceObject) = source else { throw wrongType("source", expected: "an object", got: source) }
            for member in sourceObject.members where member.key != "type" && member.key != "name" {
                throw ReportError(code: "unknown-field", message: "unknown field \"source.\(member.key)\"", field: "source.\(member.key)")
            }
            if let kind = try optionalString(sourceObject, "type", path: "source.type") {
                guard let parsed = ReportSource.Kind(rawValue: kind) else {
                    let allowed = ReportSource.Kind.allCases.map(\.rawValue).joined(separator: ", ")
                    throw ReportError(
                        code: "invalid-field", message: "field \"source.type\" has unknown value \(quote(kind)); expected one of \(allowed)",
                        field: "source.type")
                }
                submission.source.kind = parsed
            }
            submission.source.name = try optionalString(sourceObject, "name", path: "source.name")
        }
        submission.reporter = try optionalString(object, "reporter")
        submission.mediaType = try optionalString(object, "media_type")
        if let mediaType = submission.mediaType, !mediaType.contains("/") {
            throw ReportError(code: "invalid-field", message: "field \"media_type\" is not a media type: \(quote(mediaType))", field: "media_type")
        }
        submission.comment = try optionalString(object, "comment")
        if let classification = try optionalString(object, "classification") {
            guard let parsed = Classification(rawValue: classification) else {
                throw ReportError(
                    code: "invalid-field",
                    message: "field \"classification\" has unknown value \(quote(classification)); expected one of baseline, A1, A2, B1, B2",
                    field: "classification")
            }
            submission.classification = parsed
        }
        if let hashes = object["hashes"], hashes != .null {
            guard case .object(let hashObject) = hashes else { throw wrongType("hashes", expected: "an object", got: hashes) }
            let lengths = ["md5": 32, "sha1": 40, "sha256": 64, "pdq": 64]
            var parsed = ReportHashes()
            for member in hashObject.members {
                let path = "hashes.\(member.key)"
                guard let length = lengths[member.key] else {
                    throw ReportError(code: "unknown-field", message: "unknown field \"\(path)\"", field: path)
                }
                let text = try string(member.value, field: path).lowercased()
                guard text.utf8.count == length, text.utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) }) else {
                    throw ReportError(code: "invalid-field", message: "field \"\(path)\" must be \(length) hex digits, got \(quote(text))", field: path)
                }
                switch member.key {
                case "md5": parsed.md5 = text
                case "sha1": parsed.sha1 = text
                case "sha256": parsed.sha256 = text
                default: parsed.pdq = text
                }
            }
            submission.hashes = parsed
        }
        return submission
    }

    private static func quote(_ text: String) -> String {
        let shortened = text.count > 200 ? String(text.prefix(200)) + "…" : text
        return JSONValue.string(shortened).serialized
    }

    private static func wrongType(_ field: String, expected: String, got value: JSONValue) -> ReportError {
        ReportError(code: "wrong-type", message: "field \"\(field)\" must be \(expected), got \(value.typeName)", field: field)
    }

    private static func string(_ value: JSONValue, field: String) throws(ReportError) -> String {
        guard case .string(let text) = value else { throw wrongType(field, expected: "a string", got: value) }
        if text.utf8.count > maximumTextLength {
            throw ReportError(code: "too-long", message: "field \"\(field)\" is longer than \(maximumTextLength) bytes", field: field)
        }
        return text
    }

    private static func optionalString(_ object: JSONObject, _ key: String, path: String? = nil) throws(ReportError) -> String? {
        guard let value = object[key], value != .null else { return nil }
        return try string(value, field: path ?? key)
    }
}
