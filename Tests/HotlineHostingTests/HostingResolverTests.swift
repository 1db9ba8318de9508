import Foundation
import HotlineCore
import HotlineTesting
import Testing

@testable import HotlineHosting

@Suite struct HostingResolverTests {
    let at = SourceLocation(file: "contacts.yaml", line: 1, column: 1)

    var directory: ContactDirectory {
        ContactDirectory(
            contacts: [
                DirectoryContact(
                    id: "hoster", name: "Hoster B.V.", asns: [64500], prefixes: [IPNetwork("198.51.100.0/24")!], domains: ["hoster.test"], country: "NL",
                    abuse: ["abuse@hoster.test"], ntdMember: true, location: at),
                DirectoryContact(
                    id: "hoster-small", name: "Hoster Small", prefixes: [IPNetwork("198.51.100.128/25")!], abuse: ["abuse@small.test"], location: at),
                DirectoryContact(id: "by-asn", name: "By ASN", asns: [64510], abuse: ["abuse@asn.test"], location: at),
                DirectoryContact(id: "sub", name: "Sub", domains: ["cdn.hoster.test"], abuse: ["abuse@sub.test"], cdn: true, location: at),
            ], hotlines: [PartnerHotline(id: "partner-de", name: "Partner", countries: ["DE"], email: "r@partner.test", location: at)])
    }

    var table: IPTable {
        IPTable([
            IPRange(
                start: IPAddress("198.51.100.0")!, end: IPAddress("198.51.100.255")!,
                info: IPRangeInfo(asn: 64500, country: "NL", description: "HOSTER-NET", source: "t")),
            IPRange(
                start: IPAddress("203.0.113.0")!, end: IPAddress("203.0.113.255")!,
                info: IPRangeInfo(asn: 64510, country: "DE", description: "ASN-NET", source: "t")),
        ])
    }

    @Test func directoryPrecedenceIsDomainThenLongestPrefixThenASN() {
        let d = directory
        #expect(d.match(host: "www.cdn.hoster.test", address: nil, asn: nil)?.contact.id == "sub")
        #expect(d.match(host: "files.hoster.test", address: nil, asn: nil)?.reason == "domain hoster.test")
        #expect(d.match(host: "nothoster.test", address: nil, asn: nil) == nil)
        #expect(d.match(host: "x.example", address: IPAddress("198.51.100.200"), asn: 64500)?.contact.id == "hoster-small")
        #expect(d.match(host: "x.example", address: IPAddress("198.51.100.20"), asn: 64500)?.contact.id == "hoster")
        #expect(d.match(host: "x.example", address: IPAddress("192.0.2.1"), asn: 64510)?.reason == "AS64510")
    }

    @Test func resolvesTheChainAndRecordsEachStep() {
        let time = ManualTimeSource()
        let resolver = HostingResolver(directory: directory, ipTable: table, homeCountry: "NL", time: time)
        let local = resolver.resolve(host: "198.51.100.20")
        #expect(
            local.steps.map { "\($0.step) [\($0.source)] \($0.detail)" } == [
                "address [literal] the URL names the address 198.51.100.20",
                "network [ipdb:t] 198.51.100.0/24 AS64500 HOSTER-NET NL",
                "contact [directory] hoster (Hoster B.V.) by prefix 198.51.100.0/24: abuse@hoster.test",
            ])
        var facts = Facts()
        local.apply(to: &facts)
        #expect(
            facts.serializedJSON
                == #"{"hosting.resolved":true,"hosting.lookup_failed":false,"hosting.ip":"198.51.100.20","hosting.ips":["198.51.100.20"],"hosting.network":"198.51.100.0/24","hosting.country":"NL","hosting.asn":64500,"hosting.as_name":"HOSTER-NET","hosting.org":"Hoster B.V.","hosting.abuse_email":"abuse@hoster.test","hosting.contact_id":"hoster","hosting.contact_source":"directory","hosting.confidence":100,"hosting.ntd_member":true,"hosting.cdn":false}"#
        )
        let abroad = resolver.resolve(host: "203.0.113.9")
        #expect(abroad.partnerHotline == "partner-de" && abroad.directoryContact == "by-asn")
        let unresolved = resolver.resolve(host: "unknown.example")
        #expect(!unresolved.resolved && unresolved.abuseEmail == nil)
        #expect(unresolved.steps.last?.detail == "no directory entry; RDAP not queried (offline)")
    }

    @Test func usesTheAddressResolverAndCachesAnswers() {
        final class CountingDNS: AddressResolving, @unchecked Sendable {
            var calls = 0
            func addresses(for host: String) -> AddressAnswer? {
                calls += 1
                return host == "www.example.com"
                    ? AddressAnswer(addresses: [IPAddress("198.51.100.200")!], source: "dns:127.0.0.1", detail: "198.51.100.200")
                    : AddressAnswer(addresses: [], source: "dns:127.0.0.1", detail: "no addresses (NXDOMAIN)")
            }
        }
        let dns = CountingDNS()
        let time = ManualTimeSource()
        let resolver = HostingResolver(directory: directory, ipTable: table, addressResolver: dns, homeCountry: "NL", cacheLifetime: 60, time: time)
        #expect(resolver.resolve(host: "www.example.com").directoryContact == "hoster-small")
        _ = resolver.resolve(host: "www.example.com")
        #expect(dns.calls == 1)
        time.advance(by: 61)
        _ = resolver.resolve(host: "www.example.com")
        #expect(dns.calls == 2)
        let nx = resolver.resolve(host: "nx.example.com")
        #expect(!nx.resolved && nx.steps[0].detail == "no addresses (NXDOMAIN)")
        #expect(!nx.incomplete, "NXDOMAIN is an answer, not a failed lookup")
    }

    @Test func aFailedLookupIsKeptOnlyAMinuteSoTheHostIsAskedAgainAfterTheOutage() {
        final class OutageDNS: AddressResolving, @unchecked Sendable {
            var down = true
            var calls = 0
            func addresses(for host: String) -> AddressAnswer? {
                calls += 1
                return down
                    ? AddressAnswer(addresses: [], source: "dns:127.0.0.1", detail: "no answer: server answered SERVFAIL")
                    : AddressAnswer(addresses: [IPAddress("198.51.100.200")!], source: "dns:127.0.0.1", detail: "198.51.100.200")
            }
        }
        let dns = OutageDNS()
        let time = ManualTimeSource()
        let resolver = HostingResolver(directory: directory, ipTable: table, addressResolver: dns, homeCountry: "NL", cacheLifetime: 3600, time: time)
        let failed = resolver.resolve(host: "www.example.com")
        var facts = Facts()
        failed.apply(to: &facts)
        #expect(failed.incomplete && facts[.hostingLookupFailed] == .bool(true) && facts[.hostingResolved] == .bool(false))
        dns.down = false
        time.advance(by: 30)
        #expect(resolver.resolve(host: "www.example.com").incomplete, "still the cached failure")
        time.advance(by: HostingResolver.failureLifetime - 29)
        let recovered = resolver.resolve(host: "www.example.com")
        #expect(!recovered.incomplete && recovered.directoryContact == "hoster-small" && dns.calls == 2)
        time.advance(by: 600)
        _ = resolver.resolve(host: "www.example.com")
        #expect(dns.calls == 2, "a good answer is kept for the full lifetime")
    }
}

@Suite struct RDAPParentFallbackTests {
    struct Registry: NetworkContactLookup {
        func network(for address: IPAddress) -> Result<(network: RDAPNetwork, server: String), RDAPError> {
            .success(
                (
                    RDAPNetwork(
                        handle: "NET-CHILD", name: "child", country: "NL", parentHandle: "198.51.0.0 - 198.51.255.255", contacts: [],
                        notes: ["no entity with role abuse"]), "rdap.example.test"
                ))
        }
        func parentNetwork(of handle: String) -> Result<(network: RDAPNetwork, server: String), RDAPError> {
            .success(
                (
                    RDAPNetwork(
                        handle: "NET-PARENT", contacts: [RDAPContact(email: "abuse@parent.test", confidence: 90, basis: "abuse role of entity P1")], notes: []),
                    "rdap.example.test"
                ))
        }
    }

    @Test func aRecordWithoutEmailAsksItsParentWithLowerConfidence() {
        let resolver = HostingResolver(directory: ContactDirectory(), ipTable: IPTable([]), contactLookup: Registry(), homeCountry: "NL")
        let result = resolver.resolve(host: "198.51.100.9")
        #expect(result.abuseEmail == "abuse@parent.test")
        #expect(result.confidence == 70)
        #expect(result.contactSource == "rdap_fallback")
        #expect(
            result.steps.suffix(2).map(\.detail) == [
                "no e-mail in NET-CHILD; asked the parent 198.51.0.0 - 198.51.255.255",
                "abuse@parent.test (confidence 70: parent network 198.51.0.0 - 198.51.255.255: abuse role of entity P1)",
            ])
    }
}
