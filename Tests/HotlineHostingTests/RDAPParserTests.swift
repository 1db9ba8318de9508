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

/// Issue 17.3 and 17.8: registry data is outside data.
@Suite struct RDAPHostileAnswerTests {
    static func answer(email: String, remark: String = "") -> [UInt8] {
        let document: JSONValue = .object([
            "objectClassName": .string("ip network"), "handle": .string("NET-X"),
            "remarks": .array([.object(["description": .array([.string(remark)])])]),
            "entities": .array([
                .object([
                    "handle": .string("ABUSE-X"), "roles": .array([.string("abuse")]),
                    "vcardArray": .array([
                        .string("vcard"),
                        .array([.array([.string("email"), .object([:]), .string("text"), .string(email)])]),
                    ]),
                ])
            ]),
        ])
        return Array(document.serialized.utf8)
    }

    @Test func anEMailValueCarryingSMTPCommandsIsRefusedWithANote() throws {
        let injected = "abuse@hoster.test>\r\nRCPT TO:<attacker@evil.test>\r\nBcc: attacker@evil.test"
        let network = try RDAPParser.network(Self.answer(email: injected))
        #expect(network.contacts.isEmpty)
        #expect(
            network.notes.contains(
                #"refused e-mail "abuse@hoster.test>\r\nRCPT TO:<attacker@evil.test>\r\nBcc: attacker@evil.test" of entity ABUSE-X: not a plain address"#),
            "\(network.notes)")
    }

    @Test func aHugeRemarkIsReadInOnePassAndItsQuoteIsCut() throws {
        // 64 KB of address characters then a domain: one run far longer than any address.
        let remark = "abuse: " + String(repeating: "a", count: 65_536) + "@example.test and abuse@hoster.test"
        let network = try RDAPParser.network(Self.answer(email: "not-an-address", remark: remark))
        #expect(network.contacts.map(\.email) == [], "the address past the 1024 characters read is not taken, and the long run is no address")
        let short = try RDAPParser.network(
            Self.answer(email: "not-an-address", remark: "Abuse reports: abuse@hoster.test. " + String(repeating: "x", count: 500)))
        #expect(short.contacts.map(\.email) == ["abuse@hoster.test"])
        #expect(short.contacts.first?.basis.hasSuffix("… (\(34 + 500) bytes)") == true, "\(short.contacts.first?.basis ?? "")")
        #expect((short.contacts.first?.basis.count ?? 0) < 140)
    }

    @Test func thePlainMailboxCheck() {
        for good in ["abuse@hoster.test", "a.b+c@x.example.nl", "noc_1@sub.domain.co.uk"] { #expect(EmailAddress.isValid(good), "\(good)") }
        for bad in [
            "abuse@hoster.test>", "<abuse@hoster.test>", "abuse@hoster.test\r\nRCPT TO:<x@y.test>", "a b@x.test", "abuse@hoster", "abuse@@x.test",
            "\"quoted\"@x.test", "abuse@[192.0.2.1]", "abuse@x.123", ".a@x.test", "a..b@x.test", "abuse@-x.test", "abüse@x.test", "a@x.test\u{0}",
            "Name <abuse@x.test>", "a@x.test,b@y.test",
        ] {
            #expect(!EmailAddress.isValid(bad), "\(bad)")
        }
        #expect(EmailAddress.scan("write to abuse@hoster.test, or noc@hoster.test.") == ["abuse@hoster.test", "noc@hoster.test"])
    }
}
