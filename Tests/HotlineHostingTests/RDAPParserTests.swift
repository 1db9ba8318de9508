import Foundation
import HotlineCore
import Testing

@testable import HotlineHosting

@Suite struct RDAPParserTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/rdap")

    func network(_ name: String) throws -> RDAPNetwork {
        try RDAPParser.network([UInt8](try Data(contentsOf: Self.fixtures.appendingPathComponent("ip/\(name).json"))))
    }

    func summary(_ network: RDAPNetwork) -> [String] {
        network.contacts.map { "\($0.confidence) \($0.email)" }
    }

    @Test func ripeAbuseEntityWithSeveralAddresses() throws {
        let bt = try network("62.239.237.1")
        #expect(bt.country == "GB" && bt.name == "BT-CORPORATE")
        #expect(bt.start == IPAddress("62.239.237.0") && bt.end == IPAddress("62.239.237.255"))
        #expect(summary(bt).prefix(3) == ["90 zzdnsr@bt.com", "90 steve.a.marshall@bt.com", "90 lee.bailey-hague@bt.com"])
        #expect(bt.abuseContact?.basis == "abuse role of entity BTCR3-RIPE")
        #expect(bt.notes.isEmpty)
    }

    @Test func arinAbuseEntityNestedInTheRegistrantAndZeroPaddedAddresses() throws {
        let google = try network("74.125.225.229")
        #expect(google.start == IPAddress("74.125.0.0") && google.end == IPAddress("74.125.255.255"))
        #expect(
            google.abuseContact
                == RDAPContact(email: "arin-contact@google.com", confidence: 90, basis: "abuse role of entity ZG39-ARIN inside GOGL", entity: "ZG39-ARIN"))
        #expect(google.organisation == "Google Inc.")
    }

    @Test func apnicNationalIRTAsAbuseRolePrefersTheNetworksOwnAbuseAddress() throws {
        let bora = try network("210.107.73.73")
        #expect(summary(bora) == ["75 abuse@bora.net", "60 hostmaster@nic.or.kr", "40 ipadm@nic.bora.net", "40 security@bora.net"])
        #expect(bora.abuseContact?.basis == "the network's own abuse address in entity DB50-AP")
        #expect(bora.notes == ["the abuse role belongs to the national IRT IRT-KRNIC-KR; the network's own abuse address is preferred"])
    }

    @Test func lacnicEntityWithSeveralRolesAtOnce() throws {
        let triara = try network("200.57.141.161")
        #expect(triara.abuseContact?.email == "operacion.redes@TRIARA.COM")
        #expect(triara.abuseContact?.confidence == 90)
        #expect(triara.country == "MX")
    }

    @Test func noAbuseRoleSaysSoAndFallsBackWithLowerConfidence() throws {
        let jpnic = try network("2001_240_10c_1__ca20_9d1d")
        #expect(summary(jpnic) == ["40 hostmaster@nic.ad.jp"])
        #expect(jpnic.notes == ["no entity with role abuse"])
        #expect(jpnic.parentHandle == "2001:0200::/23")
        let afrinic = try network("2001_43f8_7b0__")
        #expect(afrinic.abuseContact?.confidence == 40)
        #expect(afrinic.notes == ["no entity with role abuse"])
    }

    @Test func registrarAbuseContactFromTheDomainAnswer() throws {
        let domain = try RDAPParser.domain([UInt8](try Data(contentsOf: Self.fixtures.appendingPathComponent("domain/hhgames.com.json"))))
        #expect(domain.registrar == "Sea Wasp, LLC")
        #expect(domain.registrarIANAID == 411)
        #expect(domain.registrarContacts.map(\.email) == ["abuse@fabulous.com"])
        let cz = try RDAPParser.domain([UInt8](try Data(contentsOf: Self.fixtures.appendingPathComponent("domain/example.cz.json"))))
        #expect(cz.registrar != nil)
        #expect(cz.registrarContacts.isEmpty)
        #expect(cz.notes == ["the registrar entity has no abuse e-mail"])
    }

    @Test func refusesErrorsAndNonsense() {
        #expect(throws: RDAPError(message: "registry answered error 404: Not Found")) {
            try RDAPParser.network(Array(#"{"errorCode": 404, "title": "Not Found"}"#.utf8))
        }
        #expect(throws: RDAPError(message: "response is not a JSON object")) { try RDAPParser.network(Array("[1]".utf8)) }
        #expect(throws: RDAPError.self) { try RDAPParser.network(Array("<html>".utf8)) }
    }
}

/// RDAP answers come from registries the gateway does not control: size and nesting are bounded.
@Suite struct RDAPLimitsTests {
    @Test func sizeAndNesting() throws {
        let record = #"{"objectClassName":"ip network","handle":"NET-1","startAddress":"192.0.2.0","endAddress":"192.0.2.255","country":"NL","entities":[]}"#
        let padded = Array(record.utf8) + [UInt8](repeating: 0x20, count: RDAPParser.maximumBytes - record.utf8.count)
        #expect(try RDAPParser.network(padded).handle == "NET-1")
        #expect(throws: RDAPError(message: "response is 1048577 bytes, more than the 1048576 accepted")) { try RDAPParser.network(padded + [0x20]) }
        func nested(_ depth: Int) -> [UInt8] {
            Array(
                (#"{"objectClassName":"ip network","handle":"NET-1","remarks":"# + String(repeating: "[", count: depth - 1)
                    + String(repeating: "]", count: depth - 1) + "}").utf8)
        }
        #expect(try RDAPParser.network(nested(64)).handle == "NET-1")
        #expect(throws: RDAPError(message: "response is not JSON (column 123: nesting deeper than 64 levels)")) { try RDAPParser.network(nested(65)) }
    }
}
