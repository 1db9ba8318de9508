/// X-ARF v4 reports as partner hotlines send them (`category: content`, `type: csam`), read
/// into the gateway's own report form: the URL, the X-ARF `report_id` as the client id, the
/// timestamp, the sender organisation as the source, hash values and classification.
public enum XARFIntake {
    /// Whether `value` is an X-ARF document (it has `xarf_version`).
    public static func isXARF(_ value: JSONValue) -> Bool {
        if case .object(let object) = value, object["xarf_version"] != nil { return true }
        return false
    }

    /// The report JSON for an X-ARF document, or an error naming the field at fault.
    public static func report(_ value: JSONValue, path: String) throws(ReportError) -> JSONValue {
        guard case .object(let xarf) = value else { throw ReportError(code: "wrong-type", message: "an X-ARF report must be an object", field: path) }
        func field(_ name: String) -> String { path.isEmpty ? name : "\(path).\(name)" }
        func string(_ name: String, required: Bool = true) throws(ReportError) -> String? {
            guard let value = xarf[name] else {
                if required { throw ReportError(code: "missing-field", message: "X-ARF field \"\(field(name))\" is required", field: field(name)) }
                return nil
            }
            guard case .string(let text) = value else {
                throw ReportError(code: "wrong-type", message: "X-ARF field \"\(field(name))\" must be a string, got \(value.typeName)", field: field(name))
            }
            return text
        }
        guard let version = try string("xarf_version"), version.hasPrefix("4.") else {
            throw ReportError(
                code: "invalid-field", message: "only X-ARF version 4 is accepted, got \(xarf["xarf_version"]?.serialized ?? "nothing")",
                field: field("xarf_version"))
        }
        guard try string("category") == "content", try string("type") == "csam" else {
            throw ReportError(
                code: "invalid-field", message: "only X-ARF reports with category \"content\" and type \"csam\" are accepted", field: field("type"))
        }
        var report: JSONObject = ["url": .string(try string("url")!)]
        if let id = try string("report_id", required: false) { report.append("id", .string(id)) }
        if let timestamp = try string("timestamp", required: false) { report.append("received_at", .string(timestamp)) }
        var sourceName: String?
        for party in ["sender", "reporter"] where sourceName == nil {
            if case .object(let contact)? = xarf[party], case .string(let org)? = contact["org"] { sourceName = org }
        }
        var source: JSONObject = ["type": .string("partner")]
        if let sourceName { source.append("name", .string(sourceName)) }
        report.append("source", .object(source))
        if let classification = try string("classification", required: false) { report.append("classification", .string(classification)) }
        if case .object(let values)? = xarf["hash_values"] {
            let hashes = values.members.filter { ["md5", "sha1", "sha256"].contains($0.key) }
            if !hashes.isEmpty { report.append("hashes", .object(JSONObject(hashes))) }
        }
        if let description = try string("description", required: false) { report.append("comment", .string(description)) }
        return .object(report)
    }
}
