import Foundation
import HTTPTypes
import HotlineCore
import HotlineServer
import Hummingbird
import HummingbirdTesting
import Testing

/// `POST /v1/hashcheck/batch`: many hashes per request for hosters cleaning their servers.
@Suite struct HashcheckBatchTests {
    static let listed = "0123456789abcdef0123456789abcdef"

    @Test func aBatchAnswersEveryHashInOrderAndABadOneDoesNotCostTheRest() async throws {
        let fixture = try ServerFixture(api: "hashcheck_batch_rate: 20000")
        defer { fixture.remove() }
        try fixture.store.saveList(HashList(name: "pdq-list", source: "test", defaultClassification: .B1))
        let listedPDQ = String(repeating: "f0", count: 32)
        _ = try fixture.store.importEntries([HashListEntry(algorithm: .pdq, value: listedPDQ)], into: "pdq-list")
        fixture.runtime.reloadHashesIfChanged()
        // Two bits away from the listed PDQ.
        let nearPDQ = "f3" + String(repeating: "f0", count: 31)
        let app = Application(router: fixture.server.router())
        try await app.test(.router) { client in
            let request = """
                {"hashes": [{"algorithm": "md5", "value": "\(Self.listed.uppercased())"}, {"sha1": "\(String(repeating: "a", count: 40))"},
                 {"algorithm": "md5", "value": "xyz"}, {"algorithm": "pdq", "value": "\(nearPDQ)"},
                 {"algorithm": "pdq", "value": "\(nearPDQ)", "distance": 1}, 42]}
                """
            let response = try await client.execute(uri: "/v1/hashcheck/batch", method: .post, headers: fixture.headers("provider"), body: body(request))
            #expect(response.status == .ok, "\(response.text)")
            guard case .array(let results)? = response.json.object?["results"] else {
                Issue.record("\(response.text)")
                return
            }
            let match = results.map { $0.object?["match"] }
            #expect(match == [.bool(true), .bool(false), nil, .bool(true), .bool(false), nil])
            #expect(results[0].object?["list"] == .string("police") && results[0].object?["classification"] == .string("A1"))
            #expect(results[0].object?["value"] == .string(Self.listed), "normalized")
            #expect(results[2].object?["error"] == .string("hashes[2]: md5 must be 32 hex digits"))
            #expect(results[3].object?["distance"] == .number(2) && results[3].object?["list"] == .string("pdq-list"))
            #expect(results[5].object?["error"] == .string("hashes[5]: an item must be an object, got number"))
            #expect(!response.text.contains(listedPDQ), "a PDQ match never reveals the listed hash")
            #expect(response.json.object?["counts"] == .object(["hashes": .number(6), "matched": .number(2), "errors": .number(2)]))
            let audit = fixture.store.auditLog.filter { $0.event == "hashcheck.batch" }
            #expect(audit.count == 1)
            #expect(audit.first?.detail["by_algorithm"] == .object(["md5": .number(1), "pdq": .number(2), "sha1": .number(1)]))

            // JSON Lines in, JSON Lines out; an unreadable line is answered where it stood.
            var headers = fixture.headers("provider")
            headers[.contentType] = "application/x-ndjson"
            let lines = try await client.execute(
                uri: "/v1/hashcheck/batch", method: .post, headers: headers,
                body: body("{\"md5\": \"\(Self.listed)\"}\n{oops\n\n{\"md5\": \"\(String(repeating: "b", count: 32))\"}\n"))
            #expect(lines.headers[.contentType] == "application/x-ndjson")
            let answers = lines.text.split(separator: "\n").map { try? JSONValue.parse(Array($0.utf8)) }
            #expect(answers.count == 3)
            #expect(answers[0]?.object?["match"] == .bool(true))
            #expect((answers[1]?.object?["error"]).map { if case .string(let text) = $0 { text.hasPrefix("line 2: invalid JSON") } else { false } } == true)
            #expect(answers[2]?.object?["match"] == .bool(false))

            // Other roles may not; more than 10,000 is refused whole; the limit counts hashes.
            let reporter = try await client.execute(uri: "/v1/hashcheck/batch", method: .post, headers: fixture.headers("reporter"), body: body(request))
            #expect(reporter.status == .forbidden)
            let many = "{\"hashes\": [" + Array(repeating: "{\"md5\": \"\(Self.listed)\"}", count: 10_001).joined(separator: ",") + "]}"
            let tooMany = try await client.execute(uri: "/v1/hashcheck/batch", method: .post, headers: fixture.headers("provider"), body: body(many))
            #expect(tooMany.status == .badRequest)
            let full = "{\"hashes\": [" + Array(repeating: "{\"md5\": \"\(Self.listed)\"}", count: 10_000).joined(separator: ",") + "]}"
            var statuses: [UInt] = []
            for _ in 0..<6 {
                statuses.append(
                    UInt(
                        try await client.execute(uri: "/v1/hashcheck/batch", method: .post, headers: fixture.headers("provider"), body: body(full)).status.code)
                )
            }
            // A burst of 40,000 hashes (twice the rate) minus the 9 already checked, on a clock that stands still.
            #expect(statuses == [200, 200, 200, 429, 429, 429], "\(statuses)")
        }
    }
}
