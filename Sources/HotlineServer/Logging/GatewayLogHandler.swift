import Foundation
import HotlineCore
import Logging

/// Writes one line per log record, whatever the record holds: messages and metadata carry
/// values from outside (URLs, mail senders, server replies, error texts quoting input), and a
/// raw line break in one of them could forge a record. Control characters are escaped in the
/// text format; the JSON format escapes them as JSON does.
public struct GatewayLogHandler: LogHandler {
    /// How records are written.
    public enum Format: String, Sendable, CaseIterable {
        /// `2026-11-30T10:00:00Z info hotline: message key=value key="quoted value"`.
        case text
        /// One JSON object per line: `ts`, `level`, `label`, `msg` and the metadata.
        case json
    }

    /// The logger's label.
    public let label: String
    /// The output format.
    public let format: Format
    /// The level below which records are dropped.
    public var logLevel: Logger.Level = .info
    /// Metadata added to every record.
    public var metadata: Logger.Metadata = [:]
    private let write: @Sendable (String) -> Void

    /// Creates a handler writing lines to `write` (standard error by default).
    public init(
        label: String, format: Format = .text, write: @escaping @Sendable (String) -> Void = { line in FileHandle.standardError.write(Data(line.utf8)) }
    ) {
        self.label = label
        self.format = format
        self.write = write
    }

    /// The metadata value for `key`.
    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// Formats and writes one record as one line.
    public func log(event: LogEvent) {
        var all = metadata
        if let extra = event.metadata { all.merge(extra) { $1 } }
        write(Self.line(level: event.level, label: label, message: event.message.description, metadata: all, format: format, at: Date()))
    }

    /// The line (with its newline) for one record.
    public static func line(level: Logger.Level, label: String, message: String, metadata: Logger.Metadata, format: Format, at date: Date) -> String {
        let keys = metadata.keys.sorted()
        switch format {
        case .json:
            var object: JSONObject = ["ts": .string(RFC3339.format(date)), "level": .string(level.rawValue), "label": .string(label), "msg": .string(message)]
            for key in keys where !["ts", "level", "label", "msg"].contains(key) { object.append(key, .string(metadata[key]!.description)) }
            return JSONValue.object(object).serialized + "\n"
        case .text:
            var line = "\(RFC3339.format(date)) \(level.rawValue) \(escaped(label)): \(escaped(message))"
            for key in keys { line += " \(escaped(key).replacingOccurrences(of: " ", with: "_"))=\(value(metadata[key]!.description))" }
            return line + "\n"
        }
    }

    /// `text` with control characters (C0, DEL, C1, line and paragraph separators) and
    /// backslashes escaped, so it stays on one line and reads back unambiguously.
    public static func escaped(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: needsEscape) else { return text }
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\\": out += "\\\\"
            default:
                if needsEscape(scalar) { out += "\\u{\(String(scalar.value, radix: 16))}" } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out
    }

    static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar == "\u{2028}" || scalar == "\u{2029}" || scalar == "\\"
    }

    /// A metadata value: bare when it is one plain word, else quoted with quotes escaped.
    static func value(_ text: String) -> String {
        let body = escaped(text)
        if !body.isEmpty && !body.contains(where: { $0 == " " || $0 == "\"" || $0 == "=" }) { return body }
        return "\"" + body.replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
