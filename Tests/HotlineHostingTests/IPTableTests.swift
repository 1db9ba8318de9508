import HotlineCore
import Testing

@testable import HotlineHosting

@Suite struct IPTableParserTests {
    @Test func iptoasnRangesForBothFamilies() {
        let text =
            "1.0.0.0\t1.0.0.255\t13335\tUS\tCLOUDFLARENET\n1.0.1.0\t1.0.3.255\t0\tNone\tNot routed\n2001:db8::\t2001:db8:ffff:ffff:ffff:ffff:ffff:ffff\t64496\tnl\tEXAMPLE-NET documentation\nbad\tline\t1\tUS\tx\n192.0.2.0\t192.0.2.255\tASX\tUS\tx\n"
        #expect(IPTableParser.detect(Array(text.utf8)) == .iptoasn)
        let result = IPTableParser.parse(Array(text.utf8), format: .iptoasn, source: "t")
        #expect(
            result.ranges == [
                IPRange(
                    start: IPAddress("1.0.0.0")!, end: IPAddress("1.0.0.255")!,
                    info: IPRangeInfo(asn: 13335, country: "US", description: "CLOUDFLARENET", source: "t")),
                IPRange(
                    start: IPAddress("2001:db8::")!, end: IPAddress("2001:db8:ffff:ffff:ffff:ffff:ffff:ffff")!,
                    info: IPRangeInfo(asn: 64496, country: "NL", description: "EXAMPLE-NET documentation", source: "t")),
            ])
        #expect(result.errors.map(\.description) == ["line 4: invalid range \"bad - line\"", "line 5: invalid AS number \"ASX\""])
        #expect(result.skipped == ["not routed": 1])
    }

    @Test func delegatedStatsWithCountsThatAreNotPowersOfTwo() {
        let text = """
            2|ripencc|20261130|5|19830705|20261129|+0100
            ripencc|*|ipv4|*|3|summary
            ripencc|NL|ipv4|192.0.2.0|192|20100101|allocated|abc
            ripencc|DE|ipv6|2001:db8:1000::|36|20100101|assigned
            ripencc|NL|asn|64496|1|20100101|allocated
            ripencc||ipv4|198.51.100.0|256|20100101|available
            ripencc|NL|ipv4|203.0.113.0|x|20100101|allocated
            """
        #expect(IPTableParser.detect(Array(text.utf8)) == .delegated)
        let result = IPTableParser.parse(Array(text.utf8), format: .delegated, source: "ripe")
        #expect(
            result.ranges.map { "\($0.start)-\($0.end) \($0.info.country ?? "-")" } == [
                "192.0.2.0-192.0.2.191 NL",
                "2001:db8:1000::-2001:db8:1fff:ffff:ffff:ffff:ffff:ffff DE",
            ])
        #expect(result.errors.map(\.description) == ["line 7: invalid ipv4 entry \"203.0.113.0|x\""])
        #expect(result.skipped == ["header": 1, "summary": 1, "asn": 1, "no country (available)": 1])
    }
}

@Suite struct IPTableTests {
    func range(_ start: String, _ end: String, asn: Int? = nil, country: String? = nil, _ description: String? = nil) -> IPRange {
        IPRange(start: IPAddress(start)!, end: IPAddress(end)!, info: IPRangeInfo(asn: asn, country: country, description: description, source: "s"))
    }

    @Test func mostSpecificRangeWinsAndInheritsWhatItLacks() throws {
        let table = IPTable([
            range("198.51.100.0", "198.51.100.255", asn: 64500, "inner-net"),
            range("198.51.0.0", "198.51.255.255", country: "NL"),
            range("198.51.0.0", "198.51.255.255", asn: 64499, "outer-net"),
            range("2001:db8::", "2001:db8::ffff", asn: 64501, country: "DE", "v6-net"),
            range("203.0.113.10", "203.0.113.20", asn: 64502, country: "BE"),
        ])
        let inner = try #require(table.lookup(IPAddress("198.51.100.7")!))
        #expect(inner.info.asn == 64500 && inner.info.country == "NL" && inner.info.description == "inner-net")
        #expect(inner.network == "198.51.100.0/24")
        let outer = try #require(table.lookup(IPAddress("198.51.101.1")!))
        #expect(outer.info.asn == 64499 && outer.info.country == "NL")
        #expect(table.lookup(IPAddress("198.51.255.255")!)?.info.asn == 64499)
        #expect(table.lookup(IPAddress("198.52.0.0")!) == nil)
        #expect(table.lookup(IPAddress("2001:db8::10")!)?.info.description == "v6-net")
        #expect(table.lookup(IPAddress("2001:db8::1:0")!) == nil)
        // A range that is not CIDR-aligned is still found exactly, and shown as its covering network.
        #expect(table.lookup(IPAddress("203.0.113.9")!) == nil)
        let odd = try #require(table.lookup(IPAddress("203.0.113.20")!))
        #expect(odd.info.country == "BE" && odd.network == "203.0.113.0/27")
        #expect(table.lookup(IPAddress("203.0.113.21")!) == nil)
        #expect(table.lookup(IPAddress("0.0.0.0")!) == nil)
    }

    @Test func agreesWithABruteForceSearchOnRandomNestedRanges() {
        var generator = SystemRandomNumberGenerator()
        var ranges: [IPRange] = []
        for index in 0..<300 {
            let base = UInt32.random(in: 0...UInt32.max - 70_000, using: &generator)
            let length = UInt32.random(in: 0...65_536, using: &generator)
            ranges.append(IPRange(start: IPAddress(v4: base), end: IPAddress(v4: base + length), info: IPRangeInfo(asn: index + 1, source: "r")))
            // A nested one inside.
            let innerStart = base + length / 3
            let innerEnd = innerStart + length / 4
            ranges.append(IPRange(start: IPAddress(v4: innerStart), end: IPAddress(v4: innerEnd), info: IPRangeInfo(asn: 10_000 + index, source: "r")))
        }
        // Keep only properly nested or disjoint ranges, as real tables are.
        var accepted: [IPRange] = []
        for candidate in ranges
        where accepted.allSatisfy({ other in
            candidate.end < other.start || other.end < candidate.start
                || (!(candidate.start < other.start) && !(other.end < candidate.end)) || (!(other.start < candidate.start) && !(candidate.end < other.end))
        }) { accepted.append(candidate) }
        let table = IPTable(accepted)
        for _ in 0..<5000 {
            let probe = IPAddress(v4: UInt32.random(in: 0...UInt32.max, using: &generator))
            let containing = accepted.filter { !(probe < $0.start) && !($0.end < probe) }
            let best = containing.min { ($0.end.low - $0.start.low) < ($1.end.low - $1.start.low) }
            #expect(table.lookup(probe)?.info.asn == best?.info.asn)
        }
        for range in accepted.prefix(200) {
            #expect(table.lookup(range.start) != nil)
            #expect(table.lookup(range.end) != nil)
        }
    }
}
