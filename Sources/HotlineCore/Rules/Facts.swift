import Foundation

/// The facts one decision sees: a value (or nothing) per schema field.
///
/// Stored by field index so the compiled rules read a fact with one array access.
public struct Facts: Hashable, Sendable {
    /// The schema the indices refer to.
    public let schema: FieldSchema
    /// One slot per schema field.
    public private(set) var values: [FactValue?]

    /// Empty facts of `schema`.
    public init(schema: FieldSchema = .standard) {
        self.schema = schema
        self.values = Array(repeating: nil, count: schema.fields.count)
    }

    /// The value of the field named `name`; `nil` when absent or not in the schema.
    public subscript(name: String) -> FactValue? {
        get { schema[name].flatMap { values[$0.index] } }
        set {
            guard let field = schema[name] else { preconditionFailure("no field \(name) in the schema") }
            precondition(newValue == nil || newValue!.type == field.type, "\(name) is a \(field.type.rawValue)")
            values[field.index] = newValue
        }
    }

    /// The value at a field index.
    @inline(__always)
    public func value(at index: Int) -> FactValue? { values[index] }

    /// Sets a field from outside input (rule tests, stored facts), checking name and type.
    public mutating func set(_ name: String, json: JSONValue) throws(FactError) {
        guard let field = schema[name] else {
            var message = "unknown field \"\(name)\""
            if let suggestion = schema.suggestion(for: name) { message += "; did you mean \"\(suggestion)\"?" }
            throw FactError(message: message)
        }
        if json == .null { values[field.index] = nil; return }
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
        for field in schema.fields {
            if let value = values[field.index] { object.append(field.name, value.json) }
        }
        return object
    }

    /// The present facts as compact JSON text, the same as `JSONValue.object(json).serialized`
    /// but written directly.
    public var serializedJSON: String {
        var output = "{"
        var first = true
        for field in schema.fields {
            guard let value = values[field.index] else { continue }
            if !first { output += "," }
            first = false
            output += field.jsonKey
            value.json.write(to: &output)
        }
        return output + "}"
    }

    public static func == (lhs: Facts, rhs: Facts) -> Bool { lhs.values == rhs.values }
    public func hash(into hasher: inout Hasher) { hasher.combine(values) }
}

/// A fact that does not fit the schema.
public struct FactError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What is wrong.
    public var message: String
    /// The message.
    public var description: String { message }
}

extension FieldSchema: Hashable {
    public static func == (lhs: FieldSchema, rhs: FieldSchema) -> Bool { lhs.fields == rhs.fields }
    public func hash(into hasher: inout Hasher) { hasher.combine(fields.count) }
}

extension Facts {
    /// Facts derived from the report itself and its case; enrichers add hash and hosting facts.
    public static func intake(report: Report, caseInfo: CaseInfo, channel: String, now: Date, schema: FieldSchema = .standard) -> Facts {
        var facts = Facts(schema: schema)
        facts["report.url"] = .string(report.url.canonical)
        facts["report.original_url"] = .string(report.url.original)
        facts["report.scheme"] = .string(report.url.scheme)
        facts["report.host"] = .string(report.url.host)
        if let tld = report.url.topLevelDomain { facts["report.tld"] = .string(tld) }
        facts["report.path"] = .string(report.url.path)
        facts["report.source.type"] = .string(report.source.kind.rawValue)
        if let name = report.source.name { facts["report.source.name"] = .string(name) }
        facts["report.source.channel"] = .string(channel)
        if let mediaType = report.mediaType { facts["report.media_type"] = .string(mediaType) }
        if let classification = report.classification { facts["report.classification"] = .string(classification.rawValue) }
        facts["report.has_hashes"] = .bool(!report.hashes.isEmpty)
        facts["report.has_reporter"] = .bool(report.reporter != nil)
        facts["report.age"] = .duration(TimeSpan(seconds: max(0, Int(now.timeIntervalSince(report.receivedAt)))))
        facts["case.duplicate"] = .bool(caseInfo.isDuplicate)
        facts["case.report_count"] = .number(Double(caseInfo.reportCount))
        facts["case.age"] = .duration(TimeSpan(seconds: max(0, Int(now.timeIntervalSince(caseInfo.openedAt)))))
        return facts
    }
}

extension Facts {
    /// Facts read back from their stored JSON. Fields the schema no longer has, or values it
    /// no longer accepts, are left out: a stored record outlives schema changes.
    public init(storedJSON text: String, schema: FieldSchema) {
        self.init(schema: schema)
        guard case .object(let object)? = try? JSONValue.parse(text) else { return }
        for member in object.members { try? set(member.key, json: member.value) }
    }
}
