import Foundation
import HotlineCore
import HotlineHosting
import HotlineTesting
import Testing

@testable import HotlineNet

@Suite(.serialized) struct RDAPClientTests {
    static let bootstrapDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(
        "HotlineHostingTests/Fixtures/rdap/bootstrap"
    ).path

    @Test func bootstrapPicksTheRegistryByLongestPrefixAndTLD() throws {
        let bootstrap = try RDAPClient.loadBootstrap(directory: Self.bootstrapDirectory)
        #expect(bootstrap.count > 100)
        #expect(bootstrap.server(for: IPAddress("62.239.237.1")!)?.contains("ripe") == true)
        #expect(bootstrap.server(for: IPAddress("74.125.225.229")!)?.contains("arin") == true)
        #expect(bootstrap.server(for: IPAddress("200.57.141.161")!)?.contains("lacnic") == true)
        #expect(bootstrap.server(for: IPAddress("2001:43f8:7b0::1")!)?.contains("afrinic") == true)
        #expect(bootstrap.server(for: IPAddress("210.107.73.73")!)?.hasPrefix("https://") == true)
        #expect(bootstrap.server(forDomain: "www.example.cz") == "https://rdap.nic.cz/")
        #expect(bootstrap.server(forDomain: "hhgames.com") == nil)
        #expect(throws: RDAPError(message: "ipv4.json is not an RDAP bootstrap file (no \"services\")")) {
            try RDAPBootstrap.parse(ipv4: Array("{}".utf8), ipv6: nil, dns: nil)
        }
    }

    @Test(.enabled(if: TestRDAPServer.available))
    func redirectsAreCheckedBeforeTheyAreFollowed() throws {
        let server = try TestRDAPServer()
        func client(allowing networks: [IPNetwork] = []) -> RDAPClient {
            RDAPClient(
                bootstrap: RDAPBootstrap(singleServer: server.base("redirect")), http: HTTPClient(timeout: 2), minimumInterval: 0, attempts: 1,
                policy: AddressPolicy(allowed: networks))
        }
        func redirected(to target: String, _ lookup: RDAPClient) -> Result<(network: RDAPNetwork, server: String), RDAPError> {
            lookup.network(query: "62.239.237.1?to=\(target)", at: IPAddress("62.239.237.1")!)
        }
        #expect(
            throws: RDAPError(
                message: #"refused redirect to "http://169.254.169.254/latest/meta-data/": 169.254.169.254 is in special-purpose network 169.254.0.0/16"#)
        ) { try redirected(to: "http://169.254.169.254/latest/meta-data/", client()).get() }
        #expect(throws: RDAPError(message: #"refused redirect to "http://[::1]:8080/x": ::1 is in special-purpose network ::1/128"#)) {
            try redirected(to: "http://[::1]:8080/x", client()).get()
        }
        #expect(throws: RDAPError(message: #"refused redirect to "http://internal.example.test/x": internal.example.test cannot be checked without DNS"#)) {
            try redirected(to: "http://internal.example.test/x", client()).get()
        }
        // Where the policy allows the address, the redirect is followed (here back to the fixtures).
        let followed = try redirected(to: server.base() + "ip/62.239.237.1", client(allowing: [IPNetwork("127.0.0.0/8")!])).get()
        #expect(followed.network.abuseContact?.email == "zzdnsr@bt.com")
        // Never from https to http.
        guard case .failure(let downgrade) = client().redirectTarget(from: "https://rdap.example.net/ip/1", to: "http://rdap.example.net/ip/1") else {
            Issue.record("https to http followed")
            return
        }
        #expect(downgrade.message == #"refused redirect to "http://rdap.example.net/ip/1": from https to http"#)
    }

    @Test(.enabled(if: TestRDAPServer.available))
    func fetchesParsesCachesAndRetries() throws {
        let server = try TestRDAPServer()
        let time = ManualTimeSource()
        let client = RDAPClient(bootstrap: RDAPBootstrap(singleServer: server.base()), http: HTTPClient(timeout: 2), minimumInterval: 0, time: time)
        let (network, host) = try client.network(for: IPAddress("62.239.237.1")!).get()
        #expect(host == "127.0.0.1")
        #expect(network.abuseContact?.email == "zzdnsr@bt.com")
        _ = client.network(for: IPAddress("62.239.237.1")!)
        #expect(client.requestsSent == 1)
        time.advance(by: 86_401)
        _ = client.network(for: IPAddress("62.239.237.1")!)
        #expect(client.requestsSent == 2)

        #expect(throws: RDAPError(message: "127.0.0.1 has no record (404)", notFound: true)) { try client.network(for: IPAddress("192.0.2.1")!).get() }

        let flaky = RDAPClient(bootstrap: RDAPBootstrap(singleServer: server.base("flaky")), http: HTTPClient(timeout: 2), minimumInterval: 0)
        #expect(try flaky.network(for: IPAddress("74.125.225.229")!).get().network.abuseContact?.email == "arin-contact@google.com")
        #expect(flaky.requestsSent == 2)

        let slow = RDAPClient(bootstrap: RDAPBootstrap(singleServer: server.base("slow")), http: HTTPClient(timeout: 0.5), minimumInterval: 0, attempts: 1)
        #expect(throws: RDAPError.self) { try slow.network(for: IPAddress("74.125.225.229")!).get() }

        let big = RDAPClient(bootstrap: RDAPBootstrap(singleServer: server.base("big")), http: HTTPClient(timeout: 2), minimumInterval: 0)
        #expect(throws: RDAPError(message: "127.0.0.1: response larger than 1048576 bytes")) { try big.network(for: IPAddress("74.125.225.229")!).get() }

        #expect(throws: RDAPError(message: "127.0.0.1 has no record (404)", notFound: true)) {
            try client.parentNetwork(of: "210.0.0.0 - 210.255.255.255").get()
        }
        #expect(throws: RDAPError(message: "127.0.0.1 has no record (404)", notFound: true)) { try client.parentNetwork(of: "2001:0200::/23").get() }
        #expect(throws: RDAPError(message: "parent handle NET-EXAMPLE is not a network")) { try client.parentNetwork(of: "NET-EXAMPLE").get() }

        let domain = try client.domain("hhgames.com").get()
        #expect(domain.registrarContacts.first?.email == "abuse@fabulous.com")
    }

    @Test(.enabled(if: TestRDAPServer.available))
    func resolverUsesRDAPWhenTheDirectoryHasNoEntry() throws {
        let server = try TestRDAPServer()
        let client = RDAPClient(bootstrap: RDAPBootstrap(singleServer: server.base()), minimumInterval: 0)
        let resolver = HostingResolver(directory: ContactDirectory(), ipTable: IPTable([]), contactLookup: client, homeCountry: "NL")
        let bora = resolver.resolve(host: "210.107.73.73")
        var facts = Facts()
        bora.apply(to: &facts)
        #expect(facts[.hostingAbuseEmail] == .string("abuse@bora.net"))
        #expect(facts[.hostingContactSource] == .string("rdap_fallback"))
        #expect(facts[.hostingConfidence] == .number(75))
        #expect(facts[.hostingCountry] == .string("KR"))
        #expect(bora.steps.last?.detail == "abuse@bora.net (confidence 75: the network's own abuse address in entity DB50-AP)")
        let bt = resolver.resolve(host: "62.239.237.1")
        #expect(bt.contactSource == "rdap" && bt.confidence == 90)
        let withRegistrar = HostingResolver(
            directory: ContactDirectory(), ipTable: IPTable([]), registrarLookup: client, publicSuffixes: PublicSuffixList(text: "com\n"), homeCountry: "NL")
        let hh = withRegistrar.resolve(host: "www.hhgames.com")
        var registrarFacts = Facts()
        hh.apply(to: &registrarFacts)
        #expect(registrarFacts[.reportDomain] == .string("hhgames.com"))
        #expect(registrarFacts[.registrarName] == .string("Sea Wasp, LLC"))
        #expect(registrarFacts[.registrarAbuseEmail] == .string("abuse@fabulous.com"))
        #expect(registrarFacts[.registrarIANAID] == .number(411))
        #expect(hh.steps.last?.detail == "hhgames.com: Sea Wasp, LLC, abuse abuse@fabulous.com")
        let missing = resolver.resolve(host: "192.0.2.1")
        #expect(missing.abuseEmail == nil)
        #expect(missing.steps.last?.detail == "lookup failed: 127.0.0.1 has no record (404)")
    }
}
