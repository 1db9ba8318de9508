import Foundation

extension ReportSubmission {
    /// The fields a report object may have.
    public static let fieldNames = ["id", "url", "received_at", "source", "reporter", "media_type", "hashes", "classification", "comment"]

    /// Longest accepted free-text value (comment, reporter, names), in bytes.
    public static let maximumTextLength = 16_384

    /// Parses one JSON report (a line of JSON Lines): an error only when the report is
    /// unusable; problems with its hints are ``ReportSubmission/warnings``.
    public static func parse<Bytes: Collection<UInt8>>(json bytes: Bytes) throws(ReportError) -> ReportSubmission {
        let value: JSONValue
        do {
            value = try JSONValue.parse(bytes)
        } catch {
            throw ReportError(code: "invalid-json", message: "invalid JSON at column \(error.column): \(error.message)")
        }
        return try parse(value)
    }

    /// Validates a parsed JSON report. Only what makes it unusable is an error: not an object,
    /// no URL, a URL that is not http(s) or not a URL. A malformed hint (media type,
    /// classification, a hash, the time, an unknown field) is dropped with a warning: a report
    /// of a possible CSAM URL is never lost over an optional detail.
    public static func parse(_ value: JSONValue) throws(ReportError) -> ReportSubmission {
        guard case .object(let object) = value else {
            throw ReportError(code: "wrong-type", message: "a report must be a JSON object, got \(value.typeName)")
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
        func warn(_ error: ReportError) { submission.warnings.append(error) }
        func hint(_ key: String, path: String? = nil, in object: JSONObject = object) -> String? {
            do throws(ReportError) { return try optionalString(object, key, path: path) } catch {
                warn(ReportError(code: error.code, message: error.message + "; ignored", field: error.field))
                return nil
            }
        }
        for member in object.members where !fieldNames.contains(member.key) {
            warn(ReportError(code: "unknown-field", message: "unknown field \(quote(member.key)) ignored", field: member.key))
        }
        if let id = object["id"], id != .null {
            switch id {
            case .string(let text) where !text.isEmpty && text.utf8.count <= 256: submission.clientID = text
            // Numeric ids are common in exports; they are kept as their decimal text.
            case .number(let number) where number.rounded() == number && abs(number) < 1e15: submission.clientID = String(Int64(number))
            case .string: warn(ReportError(code: "invalid-field", message: "field \"id\" must be 1 to 256 bytes long; ignored", field: "id"))
            default: warn(wrongType("id", expected: "a string", got: id, ignored: true))
            }
        }
        if let received = hint("received_at") {
            if let date = RFC3339.parse(received) {
                submission.receivedAt = date
            } else {
                warn(
                    ReportError(
                        code: "invalid-field", message: "field \"received_at\" is not an RFC 3339 timestamp: \(quote(received)); the time of receipt is used",
                        field: "received_at"))
            }
        }
        if let source = object["source"], source != .null {
            if case .object(let sourceObject) = source {
                for member in sourceObject.members where member.key != "type" && member.key != "name" {
                    warn(ReportError(code: "unknown-field", message: "unknown field \"source.\(member.key)\" ignored", field: "source.\(member.key)"))
                }
                if let kind = hint("type", path: "source.type", in: sourceObject) {
                    if let parsed = ReportSource.Kind(rawValue: kind) {
                        submission.source.kind = parsed
                    } else {
                        let allowed = ReportSource.Kind.allCases.map(\.rawValue).joined(separator: ", ")
                        warn(
                            ReportError(
                                code: "invalid-field",
                                message: "field \"source.type\" has unknown value \(quote(kind)); expected one of \(allowed); public is used",
                                field: "source.type"))
                    }
                }
                submission.source.name = hint("name", path: "source.name", in: sourceObject)
            } else {
                warn(wrongType("source", expected: "an object", got: source, ignored: true))
            }
        }
        submission.reporter = hint("reporter")
        if let mediaType = hint("media_type") {
            if mediaType.contains("/"), !mediaType.contains(where: { $0.isWhitespace || $0.isNewline }) {
                submission.mediaType = mediaType
            } else {
                warn(ReportError(code: "invalid-field", message: "field \"media_type\" is not a media type: \(quote(mediaType)); ignored", field: "media_type"))
            }
        }
        submission.comment = hint("comment")
        if let classification = hint("classification") {
            if let parsed = Classification(rawValue: classification) {
                submission.classification = parsed
            } else {
                warn(
                    ReportError(
                        code: "invalid-field",
                        message: "field \"classification\" has unknown value \(quote(classification)); expected one of baseline, A1, A2, B1, B2; ignored",
                        field: "classification"))
            }
        }
        if let hashes = object["hashes"], hashes != .null {
            guard case .object(let hashObject) = hashes else {
                warn(wrongType("hashes", expected: "an object", got: hashes, ignored: true))
                return submission
            }
            let lengths = ["md5": 32, "sha1": 40, "sha256": 64, "pdq": 64]
            var parsed = ReportHashes()
            for member in hashObject.members {
                let path = "hashes.\(member.key)"
                guard let length = lengths[member.key] else {
                    warn(ReportError(code: "unknown-field", message: "unknown field \(quote(path)) ignored", field: path))
                    continue
                }
                guard let text = hint(member.key, path: path, in: hashObject)?.lowercased() else { continue }
                guard text.utf8.count == length, text.utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) }) else {
                    warn(
                        ReportError(code: "invalid-field", message: "field \"\(path)\" must be \(length) hex digits, got \(quote(text)); ignored", field: path))
                    continue
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

    private static func wrongType(_ field: String, expected: String, got value: JSONValue, ignored: Bool = false) -> ReportError {
        ReportError(code: "wrong-type", message: "field \"\(field)\" must be \(expected), got \(value.typeName)" + (ignored ? "; ignored" : ""), field: field)
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
