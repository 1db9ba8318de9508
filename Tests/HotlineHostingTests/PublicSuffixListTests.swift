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
}
