import Foundation
import HotlineCore
import HotlineHosting
import Testing

@testable import HotlineConfig

@Suite struct ContactDirectoryLoaderTests {
    @Test func shippedDirectoryLoads() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(
            "Config/contacts.yaml"
        ).path
        let (directory, diagnostics) = ContactDirectoryLoader.load(path)
        #expect(diagnostics.isEmpty)
        let loaded = try #require(directory)
        #expect(loaded.contacts.map(\.id) == ["example-hosting-nl", "example-hosting-api", "police", "example-cdn"])
        #expect(loaded.contacts[0].prefixes.map(\.description) == ["198.51.100.0/24", "2001:db8:100::/48"])
        #expect(loaded.contacts[3].channel == .xarf && loaded.contacts[3].cdn)
        #expect(loaded.contacts[1].channel == .webhook && loaded.contacts[1].webhookSecretEnvironment == "HOTLINE_WEBHOOK_SECRET_EXAMPLE_CLOUD")
        #expect(loaded.hotline(country: "AT")?.id == "example-partner-de")
    }

    @Test func collectsEveryProblemWithLineAndColumn() {
        let text = """
            version: 1
            contacts:
              - id: hoster-a
                name: Hoster A
                asns: [64500, AS64501]
                prefixes: ["198.51.100.1/24"]
                abuse: [abuse@hoster-a.test, "not an address"]
                channel: fax
                language: Dutch
                ntd_member: yes
                colour: blue
              - id: hoster-a
                name: Hoster A again
                abuse: abuse@hoster-a.test
                channel: webhook
            hotlines:
              - id: partner
                name: Partner
                countries: [de]
                email: reports@partner.test
            """
        let (directory, diagnostics) = ContactDirectoryLoader.parse(text, file: "contacts.yaml")
        #expect(directory == nil)
        #expect(
            diagnostics.map(\.description) == [
                "contacts.yaml:5:19: error: \"asns\" must be a whole number from 1 to 4294967295, got \"AS64501\" [invalid-value]",
                "contacts.yaml:6:16: error: \"198.51.100.1/24\" is not a CIDR network (host bits must be zero) [invalid-address]",
                "contacts.yaml:7:34: error: \"abuse\" must be plain e-mail addresses (local@domain.tld), got \"not an address\" [invalid-value]",
                "contacts.yaml:8:14: error: \"channel\" must be email, webhook or xarf, got \"fax\" [invalid-value]",
                "contacts.yaml:9:15: error: \"language\" must be a two-letter lowercase code such as nl or en, got \"Dutch\" [invalid-value]",
                "contacts.yaml:10:17: error: \"ntd_member\" must be true or false, got \"yes\" [invalid-value]",
                "contacts.yaml:11:5: error: unknown key \"colour\" in a contact; expected one of id, name, asns, prefixes, domains, country, abuse, channel, webhook, webhook_secret_env, language, ntd_member, cdn, escalation [unknown-key]",
                "contacts.yaml:12:5: error: contact \"hoster-a\" needs at least one of asns, prefixes, domains to be matched [missing-key]",
                "contacts.yaml:12:5: error: contact \"hoster-a\" has channel webhook but no \"webhook\" URL [missing-key]",
                "contacts.yaml:12:5: error: contact \"hoster-a\" has channel webhook but no \"webhook_secret_env\" naming the variable that holds its signing secret [missing-key]",
                "contacts.yaml:12:9: error: id \"hoster-a\" is already used at contacts.yaml:3:9 [duplicate-name]",
                "contacts.yaml:19:17: error: \"countries\" must be two-letter uppercase ISO 3166 codes, got \"de\" [invalid-value]",
            ])
    }
}
