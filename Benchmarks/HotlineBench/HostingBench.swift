import Foundation
import HotlineCore
import HotlineHosting
import HotlineNet
import HotlineTesting

/// Hosting resolution figures: IP-table lookups, cached resolution per report.
enum HostingBench {
    static func run() {
        ipTableLookups()
        cachedResolution()
        coldResolution()
    }

    /// Cold resolutions (cache misses: A and AAAA queries) against dnsmasq on loopback.
    static func coldResolution() {
        guard TestDNSServer.available, let dns = try? TestDNSServer() else {
            print("cold resolution: not run (dnsmasq not installed; `make test-deps` installs it)")
            return
        }
        print("cold resolutions against dnsmasq on 127.0.0.1 (A + AAAA per host, NXDOMAIN answers, no cache hits):")
        for (label, concurrency) in [("one at a time", 1), ("batch prepare, 16 at a time", 16)] {
            let client = DNSClient(servers: [dns.server], timeout: 1)
            let resolver = HostingResolver(directory: ContactDirectory(), ipTable: IPTable([]), addressResolver: client, homeCountry: "NL")
            let count = 3000
            let submissions = (0..<count).map { index in
                ReportSubmission(url: try! URLCanonicalizer.canonicalize("https://h\(index)-\(concurrency).example.test/x"))
            }
            let start = DispatchTime.now()
            if concurrency == 1 {
                for submission in submissions { _ = resolver.resolve(host: submission.url.host) }
            } else {
                resolver.prepare(submissions.map(\.url))
            }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
            print("  \(label): \(Int(Double(count) / seconds)) hosts/s (\(client.queriesSent) queries)")
        }
        guard TestRDAPServer.available, let rdap = try? TestRDAPServer() else {
            print("cold RDAP lookups: not run (python3 not found)")
            return
        }
        print("cold RDAP lookups against the loopback test server (Python, threaded; each a full HTTP request and parse):")
        for (label, concurrency) in [("one at a time", 1), ("batch prepare, 16 at a time", 16)] {
            let client = RDAPClient(bootstrap: RDAPBootstrap(singleServer: rdap.base()), minimumInterval: 0, attempts: 1)
            let resolver = HostingResolver(directory: ContactDirectory(), ipTable: IPTable([]), contactLookup: client, homeCountry: "NL")
            let count = 1000
            // Documentation addresses as query keys: the only traffic is to the loopback server.
            let prefix = concurrency == 1 ? "198.51.100" : "203.0.113"
            let submissions = (0..<count).map { index in ReportSubmission(url: try! URLCanonicalizer.canonicalize("http://\(prefix).\(index % 250)/x\(index)"))
            }
            let hosts = submissions.map(\.url.host)
            let start = DispatchTime.now()
            if concurrency == 1 {
                for host in Set(hosts) { _ = resolver.resolve(host: host) }
            } else {
                resolver.prepare(submissions.map(\.url))
            }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
            print("  \(label): \(Int(Double(client.requestsSent) / seconds)) lookups/s (\(client.requestsSent) requests)")
        }
    }

    static func cachedResolution() {
        let at = SourceLocation(file: "bench", line: 1, column: 1)
        let directory = ContactDirectory(
            contacts: (0..<500).map { index in
                DirectoryContact(
                    id: "hoster-\(index)", name: "Hoster \(index)", asns: [64_512 + index], domains: ["hoster\(index).test"],
                    abuse: ["abuse@hoster\(index).test"], location: at)
            })
        let table = IPTable(
            (0..<10_000).map { index in
                IPRange(
                    start: IPAddress(v4: 0xC633_6400 &+ UInt32(index) << 8), end: IPAddress(v4: 0xC633_64FF &+ UInt32(index) << 8),
                    info: IPRangeInfo(asn: 64_512 + index % 500, country: "NL", source: "bench"))
            })
        let resolver = HostingResolver(directory: directory, ipTable: table, homeCountry: "NL")
        // 5,000 distinct hosts (names and literal addresses), each report one of them.
        let hosts = (0..<5000).map { index in
            index % 2 == 0 ? "files\(index).hoster\(index % 500).test" : IPAddress(v4: 0xC633_6400 &+ UInt32(index)).description
        }
        for host in hosts { _ = resolver.resolve(host: host) }
        var facts = Facts()
        let rounds = 200
        let start = DispatchTime.now()
        for round in 0..<rounds {
            for index in 0..<hosts.count { resolver.resolve(host: hosts[(index &* 7 &+ round) % hosts.count]).apply(to: &facts) }
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
        let perReport = seconds / Double(rounds * hosts.count) * 1e6
        print("cached resolution per report (cache hit + hosting facts set): \(String(format: "%.2f", perReport)) µs (goal: under 5 µs)")
    }

    static func ipTableLookups() {
        var generator = SplitMix64(seed: 4)
        // One million disjoint IPv4 ranges of varied sizes, plus 100,000 IPv6 /48s.
        var ranges: [IPRange] = []
        var cursor: UInt32 = 16_777_216
        for index in 0..<1_000_000 {
            let size = UInt32(1 << (6 + Int(generator.next() % 8)))
            ranges.append(
                IPRange(
                    start: IPAddress(v4: cursor), end: IPAddress(v4: cursor + size - 1),
                    info: IPRangeInfo(asn: 64_512 + index % 1000, country: "NL", source: "bench")))
            cursor += size + UInt32(generator.next() % 512)
            if cursor > 3_700_000_000 { break }
        }
        for index in 0..<100_000 {
            let high = 0x2001_0DB8_0000_0000 | (UInt64(index) << 16)
            ranges.append(
                IPRange(
                    start: IPAddress(high: high, low: 0), end: IPAddress(high: high | 0xFFFF, low: UInt64.max), info: IPRangeInfo(asn: 65_000, source: "bench"))
            )
        }
        let buildStart = DispatchTime.now()
        let table = IPTable(ranges)
        let buildTime = Double(DispatchTime.now().uptimeNanoseconds - buildStart.uptimeNanoseconds) / 1e9
        let v4Probes = (0..<1_000_000).map { _ in IPAddress(v4: UInt32(truncatingIfNeeded: generator.next())) }
        let v6Probes = (0..<1_000_000).map { _ in IPAddress(high: 0x2001_0DB8_0000_0000 | ((generator.next() % 100_000) << 16), low: generator.next()) }
        print("")
        print(
            "IP table: \(ranges.count) ranges (\(table.segmentCount) segments, built in \(String(format: "%.2f", buildTime)) s), lookups/s on one core (goal: >= 5,000,000):"
        )
        for (label, probes) in [("IPv4, uniform over the whole space", v4Probes), ("IPv6, all in one /32 (worst case for the /16 directory)", v6Probes)] {
            var found = 0
            let start = DispatchTime.now()
            for _ in 0..<5 { for probe in probes where table.lookup(probe) != nil { found += 1 } }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
            print("  \(label): \(Int(Double(5 * probes.count) / seconds)); \(found / 5) of \(probes.count) found")
        }
    }
}
