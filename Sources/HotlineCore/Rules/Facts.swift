import Foundation

/// The facts one decision sees: a value (or nothing) per schema field.
///
/// Stored by field index so the compiled rules read a fact with one array access.
public struct Facts: Hashable, Sendable {
    /// The schema the indices refer to: the gateway's one schema.
    public static let schema = FieldSchema.standard
    /// One slot per schema field.
    public private(set) var values: [FactValue?]

    /// No facts yet.
    public init() {
        self.values = Array(repeating: nil, count: Self.schema.fields.count)
    }

    /// The value of `fact`; setting one of the wrong type is a programming error.
    public subscript(fact: Fact) -> FactValue? {
        @inline(__always) get { values[fact.rawValue] }
        set {
            precondition(
                newValue == nil || newValue!.type == Self.schema.fields[fact.rawValue].type,
                "\(fact.name) is a \(Self.schema.fields[fact.rawValue].type.rawValue)")
            values[fact.rawValue] = newValue
        }
    }

    /// The text of a string fact.
    public func string(_ fact: Fact) -> String? {
        if case .string(let value)? = values[fact.rawValue] { return value }
        return nil
    }

    /// The value of a number fact.
    public func number(_ fact: Fact) -> Double? {
        if case .number(let value)? = values[fact.rawValue] { return value }
        return nil
    }

    /// The value of a boolean fact.
    public func bool(_ fact: Fact) -> Bool? {
        if case .bool(let value)? = values[fact.rawValue] { return value }
        return nil
    }

    /// The value of the field named `name` (outside input: rule tests, stored facts); `nil`
    /// when absent or not in the schema.
    public func value(named name: String) -> FactValue? {
        Self.schema[name].flatMap { values[$0.index] }
    }

    /// The value at a field index.
    @inline(__always)
    public func value(at index: Int) -> FactValue? { values[index] }

    /// Sets a field from outside input (rule tests, stored facts), checking name and type.
    public mutating func set(_ name: String, json: JSONValue) throws(FactError) {
        let schema = Self.schema
        guard let field = schema[name] else {
            var message = "unknown field \"\(name)\""
            if let suggestion = schema.suggestion(for: name) { message += "; did you mean \"\(suggestion)\"?" }
            throw FactError(message: message)
        }
        if json == .null {
            values[field.index] = nil
            return
        }
        guard let value = FactValue(json: json, as: field.type) else {
            throw FactError(message: "field \"\(name)\" is a \(field.type.rawValue), got \(json.serialized)")
        }
        if case .string(let text) = value, let allowed = field.allowedValues, !allowed.contains(text) {
            throw FactError(message: "field \"\(name)\" has unknown value \(json.serialized); expected one of \(allowed.joined(separator: ", "))")
        }
        values[field.index] = value
    }

    /// The present facts as a JSON object in schema order.
    public var json: JSONObject {
        var object = JSONObject()
        for field in Self.schema.fields {
            if let value = values[field.index] { object.append(field.name, value.json) }
        }
        return object
    }

    /// The present facts as compact JSON text, the same as `JSONValue.object(json).serialized`
    /// but written directly.
    public var serializedJSON: String {
        var output: [UInt8] = [UInt8(ascii: "{")]
        output.reserveCapacity(512)
        var first = true
        for field in Self.schema.fields {
            guard let value = values[field.index] else { continue }
            if !first { output.append(UInt8(ascii: ",")) }
            first = false
            output.append(contentsOf: field.jsonKey.utf8)
            value.json.write(to: &output)
        }
        output.append(UInt8(ascii: "}"))
        return String(decoding: output, as: UTF8.self)
    }

}

/// A fact that does not fit the schema.
public struct FactError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What is wrong.
    public var message: String
    /// The message.
    public var description: String { message }
}

extension Facts {
    /// Facts derived from the report itself and its case; enrichers add hash and hosting facts.
    public static func intake(report: Report, caseInfo: CaseInfo, channel: String, now: Date) -> Facts {
        var facts = Facts()
        facts[.reportURL] = .string(report.url.canonical)
        facts[.reportOriginalURL] = .string(report.url.original)
        facts[.reportScheme] = .string(report.url.scheme)
        facts[.reportHost] = .string(report.url.host)
        if let tld = report.url.topLevelDomain { facts[.reportTLD] = .string(tld) }
        facts[.reportPath] = .string(report.url.path)
        facts[.reportSourceType] = .string(report.source.kind.rawValue)
        if let name = report.source.name { facts[.reportSourceName] = .string(name) }
        facts[.reportSourceChannel] = .string(channel)
        if let mediaType = report.mediaType { facts[.reportMediaType] = .string(mediaType) }
        if let classification = report.classification { facts[.reportClassification] = .string(classification.rawValue) }
        facts[.reportHasHashes] = .bool(!report.hashes.isEmpty)
        facts[.reportHasReporter] = .bool(report.reporter != nil)
        facts[.reportAge] = .duration(TimeSpan(seconds: max(0, Int(now.timeIntervalSince(report.receivedAt)))))
        facts[.caseID] = .string(caseInfo.caseID)
        facts[.caseDuplicate] = .bool(caseInfo.isDuplicate)
        facts[.caseReportCount] = .number(Double(caseInfo.reportCount))
        facts[.caseAge] = .duration(TimeSpan(seconds: max(0, Int(now.timeIntervalSince(caseInfo.openedAt)))))
        return facts
    }
}

extension Facts {
    /// Facts read back from their stored JSON. Fields the schema no longer has, or values it
    /// no longer accepts, are left out: a stored record outlives schema changes.
    public init(storedJSON text: String) {
        self.init()
        guard case .object(let object)? = try? JSONValue.parse(text) else { return }
        for member in object.members { try? set(member.key, json: member.value) }
    }
}
