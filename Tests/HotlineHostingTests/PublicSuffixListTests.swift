import Foundation
import HotlineCore
import Testing

@testable import HotlineHosting

@Suite struct PublicSuffixListTests {
    let list = PublicSuffixList(
        text: """
            // comment
            com
            uk
            co.uk
            *.ck
            !www.ck
            xn--p1ai
            """)

    @Test(arguments: [
        ("www.example.com", "example.com"),
        ("example.com", "example.com"),
        ("a.b.example.co.uk", "example.co.uk"),
        ("a.b.ck", "a.b.ck"),
        ("www.ck", "www.ck"),
        ("files.example.test", "example.test"),
    ])
    func registrableDomains(host: String, expected: String) {
        #expect(list.registrableDomain(host) == expected)
    }

    @Test func publicSuffixesAndAddressesHaveNone() {
        #expect(list.registrableDomain("co.uk") == nil)
        #expect(list.registrableDomain("com") == nil)
        #expect(list.registrableDomain("b.ck") == nil)
        #expect(list.registrableDomain("192.0.2.1") == nil)
        #expect(list.registrableDomain("[2001:db8::1]") == nil)
        #expect(list.count == 6)
    }

    /// Every rule as the list's own algorithm reads it: each line's first word, its marker
    /// removed, through the canonicalizer.
    static func reference(_ text: String) -> (rules: Set<String>, wildcards: Set<String>, exceptions: Set<String>) {
        var result: (rules: Set<String>, wildcards: Set<String>, exceptions: Set<String>) = ([], [], [])
        for raw in text.split(whereSeparator: \.isNewline) {
            let line = raw.split(whereSeparator: { $0 == " " || $0 == "\t" }).first.map(String.init) ?? ""
            if line.isEmpty || line.hasPrefix("//") { continue }
            let body = line.hasPrefix("!") ? line.dropFirst() : line.hasPrefix("*.") ? line.dropFirst(2) : Substring(line)
            let rule = (try? URLCanonicalizer.canonicalHost(body)) ?? body.lowercased()
            if line.hasPrefix("!") {
                result.exceptions.insert(rule)
            } else if line.hasPrefix("*.") {
                result.wildcards.insert(rule)
            } else {
                result.rules.insert(rule)
            }
        }
        return result
    }

    @Test func rulesInUnicodeOrCapitalsAreCanonicalizedAndLinesEndAnyWay() {
        let text = "// c\r\nCOM\r\n  co.uk  trailing words\n公司.cn\u{2028}*.Example.test\n!WWW.ck\n\tnet\n//x\n1.23\nbad..name\n"
        let list = PublicSuffixList(text: text)
        let expected = Self.reference(text)
        #expect(list.rules == expected.rules && list.wildcards == expected.wildcards && list.exceptions == expected.exceptions)
        #expect(list.rules.isSuperset(of: ["com", "co.uk", "xn--55qx5d.cn", "net"]))
        #expect(list.wildcards == ["example.test"] && list.exceptions == ["www.ck"])
    }

    /// The whole list the gateway reads (Debian's `publicsuffix`), where it is installed.
    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/usr/share/publicsuffix/public_suffix_list.dat")))
    func theInstalledListReadsAsRuleByRuleCanonicalization() throws {
        let text = try String(contentsOfFile: "/usr/share/publicsuffix/public_suffix_list.dat", encoding: .utf8)
        let list = PublicSuffixList(text: text)
        let expected = Self.reference(text)
        #expect(list.count > 5_000)
        #expect(list.rules == expected.rules)
        #expect(list.wildcards == expected.wildcards)
        #expect(list.exceptions == expected.exceptions)
    }
}
