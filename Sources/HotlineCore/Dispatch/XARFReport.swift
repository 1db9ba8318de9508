import Foundation

/// X-ARF v4 reports for one notice's URLs: `category: content`, `type: csam`. They carry the
/// URL, classification, detection method and hash values: never the content.
public enum XARFReport {
    /// The X-ARF version written.
    public static let version = "4.0.0"

    /// The X-ARF classifications (`content-csam.json`).
    public static let classifications: Set<String> = Set(Classification.allCases.map(\.rawValue))

    /// One URL's report. `nil` when the URL has no X-ARF classification (the schema requires
    /// one); the text part still lists it.
    public static func report(for item: NoticeItem, identity: HotlineIdentity, at date: Date) -> JSONValue? {
        guard let classification = item.classification, classifications.contains(classification) else { return nil }
        let contact: JSONValue = .object(["org": .string(identity.name), "contact": .string(identity.email), "domain": .string(identity.domain)])
        var object: JSONObject = [
            "xarf_version": .string(version),
            "report_id": .string(item.xarfReportID),
            "timestamp": .string(RFC3339.format(date)),
            "reporter": contact,
            "sender": contact,
            "source_identifier": .string(item.hosting.ip ?? item.subject.host),
            "category": .string("content"),
            "type": .string("csam"),
            "url": .string(item.subject.url),
        ]
        if IPAddress(item.subject.host.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))) == nil {
            object.append("domain", .string(item.subject.host))
        }
        object.append("classification", .string(classification))
        object.append("detection_method", .string(item.detectionMethod))
        let hashes = item.subject.hashes.filter { ["md5", "sha1", "sha256"].contains($0.key) }.sorted { $0.key < $1.key }
        if !hashes.isEmpty {
            object.append("hash_values", .object(JSONObject(hashes.map { ($0.key, JSONValue.string($0.value)) })))
        }
        if let asn = item.hosting.asn, asn > 0 { object.append("asn", .number(Double(asn))) }
        if let country = item.hosting.country, country.count == 2 { object.append("country_code", .string(country.uppercased())) }
        if let org = item.hosting.org { object.append("hosting_provider", .string(org)) }
        object.append("evidence_source", .string(item.detectionMethod == "hash_match" ? "automated_scan" : "user_report"))
        return .object(object)
    }
}
