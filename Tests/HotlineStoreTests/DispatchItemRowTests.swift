import Foundation
import HotlineCore
import Testing

@testable import HotlineStore

/// A dispatch item's stored body is written without `JSONEncoder`; it must be the JSON the
/// item's `Codable` conformance gives, and read back as the same item.
@Suite struct DispatchItemRowTests {
    static let at = Date(timeIntervalSince1970: 1_798_000_000.25)

    static let items: [DispatchItem] = [
        // Every optional field set, text that needs escaping, hashes in no particular order.
        DispatchItem(
            id: "i1",
            subject: ReportedURL(
                reportID: "r1", caseID: "c1", decisionID: "d1", url: "https://a.example/x?q=\"1\"&b=\\/é", host: "a.example",
                hashes: ["sha256": String(repeating: "a", count: 64), "md5": String(repeating: "b", count: 32), "pdq": String(repeating: "c", count: 64)]),
            kind: .notify, target: .contact("nl-hotline"),
            recipient: Recipient(
                target: .contact("nl-hotline"), name: "Näme \"H\"", addresses: ["a@h.test", "b@h.test"], contactID: "h", language: "nl", channel: .webhook,
                endpoint: "https://hook.example.test/in", secretEnvironment: "HOOK_SECRET"),
            template: "ntd-first", deadline: .hours(24), batchWindow: .hours(1), reason: "line\nbreak\ttab",
            hosting: HostingSnapshot(ip: "192.0.2.1", asn: 64500, country: "NL", org: "Example B.V.", abuseEmail: "abuse@example.test"),
            classification: "A1", detectionMethod: "hash_match", status: .held, createdAt: at, dueAt: at.addingTimeInterval(3600), parentNoticeID: "n0"),
        // Every optional field absent.
        DispatchItem(
            id: "i2", subject: ReportedURL(reportID: "r2", caseID: "c2", decisionID: "d2", url: "https://b.example/", host: "b.example", hashes: [:]),
            kind: .forward, target: .partner, recipient: nil, template: "forward", deadline: nil, batchWindow: .hours(0), hosting: HostingSnapshot(),
            classification: nil, detectionMethod: "reported", status: .waiting, createdAt: at, dueAt: at),
        DispatchItem(
            id: "i3", subject: ReportedURL(reportID: "r3", caseID: "c3", decisionID: "d3", url: "https://c.example/", host: "c.example", hashes: ["md5": "d"]),
            kind: .notify, target: .hosting, recipient: Recipient(target: .hosting, name: "H", addresses: []), template: "ntd", deadline: .hours(48),
            batchWindow: .hours(2), hosting: HostingSnapshot(asn: 0), classification: "B", detectionMethod: "analyst", status: .waiting, createdAt: at,
            dueAt: at),
    ]

    @Test(arguments: 0..<items.count) func theBodyIsTheCodableJSONAndReadsBackAsTheItem(_ index: Int) throws {
        let item = Self.items[index]
        let body = DispatchItemRow.body(item)
        #expect(try JSONValue.parse(body) == JSONValue.parse(try StoredJSON.text(item)))
        #expect(try StoredJSON.value(DispatchItem.self, body) == item)
        // Keys in the encoder's sorted order, as the bodies stored before.
        guard case .object(let object) = try JSONValue.parse(body) else {
            Issue.record("not an object: \(body)")
            return
        }
        let keys = object.members.map(\.key)
        #expect(keys == keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) })
    }
}
