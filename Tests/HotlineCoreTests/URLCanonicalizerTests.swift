import Testing

@testable import HotlineCore

@Suite struct URLCanonicalizerTests {
    @Test(arguments: [
        ("HTTP://Example.COM/a", "http://example.com/a"),
        ("https://example.com:443/a", "https://example.com/a"),
        ("http://example.com:80/", "http://example.com/"),
        ("http://example.com:8080/", "http://example.com:8080/"),
        ("https://example.com:80/", "https://example.com:80/"),
        ("https://example.com", "https://example.com/"),
        ("https://example.com/a#frag", "https://example.com/a"),
        ("https://example.com/a/./b/../c", "https://example.com/a/c"),
        ("https://example.com/../../a", "https://example.com/a"),
        ("https://example.com/a/..", "https://example.com/"),
        ("https://example.com/%7euser/%41%2f%2F", "https://example.com/~user/A%2F%2F"),
        ("https://example.com/a b", "https://example.com/a%20b"),
        ("https://example.com/caf\u{e9}", "https://example.com/caf%C3%A9"),
        ("https://example.com/100%", "https://example.com/100%25"),
        ("https://example.com/p?b=2&a=1#x", "https://example.com/p?b=2&a=1"),
        ("https://example.com/p?", "https://example.com/p"),
        ("https://b\u{fc}cher.example/x", "https://xn--bcher-kva.example/x"),
        ("https://B\u{dc}CHER.example/x", "https://xn--bcher-kva.example/x"),
        ("https://example.com./x", "https://example.com/x"),
        ("https://[2001:DB8::1]:443/x", "https://[2001:db8::1]/x"),
        ("http://192.0.2.10:8080/img/../q.jpg", "http://192.0.2.10:8080/q.jpg"),
        ("https://user:pw@Example.com/", "https://user:pw@example.com/"),
        ("  https://example.com/a  ", "https://example.com/a"),
        ("https:\\\\example.com\\a\\b", "https://example.com/a/b"),
        ("https://example.com/A/B", "https://example.com/A/B"),
        // Dots that are no segment stay; a dot segment after them still goes.
        ("https://example.com/v1.2/a.b.jpg", "https://example.com/v1.2/a.b.jpg"),
        ("https://example.com/a.b/.hidden/..x", "https://example.com/a.b/.hidden/..x"),
        ("https://example.com/a.b/./c.d/../e.jpg", "https://example.com/a.b/e.jpg"),
        // An ideographic full stop separates labels of an IDN host.
        ("https://b\u{fc}cher\u{3002}example/x", "https://xn--bcher-kva.example/x"),
    ])
    func canonicalizes(input: String, expected: String) throws {
        let url = try URLCanonicalizer.canonicalize(input)
        #expect(url.canonical == expected)
        #expect(url.original == input)
    }

    @Test func canonicalFormIsStable() throws {
        for input in ["HTTP://Example.COM:80/a/./b/../c?x=%7e#f", "https://b\u{fc}cher.example/%7E"] {
            let once = try URLCanonicalizer.canonicalize(input).canonical
            #expect(try URLCanonicalizer.canonicalize(once).canonical == once)
        }
    }

    @Test(arguments: [
        ("ftp://example.com/", "has scheme \"ftp\"; only http and https are accepted"),
        ("example.com/a", "has no scheme (expected http:// or https://)"),
        ("", "is empty"),
        ("https://", "has no host"),
        ("https://exa mple.com/", "has an invalid character in host \"exa mple.com\""),
        ("https://example.com:99999/", "has an invalid port \"99999\""),
        ("https://example.com:8a/", "has an invalid port \"8a\""),
        ("https://a..b/", "has an empty label in host \"a..b\""),
        ("https://[2001:db8::1/", "has an IPv6 host without ']'"),
        ("https://example.com/\u{7}", "contains a control character"),
        ("https://" + String(repeating: "a", count: 64) + ".example/", "has a host label longer than 63 characters"),
    ])
    func refuses(input: String, message: String) {
        #expect(throws: URLError(message)) { try URLCanonicalizer.canonicalize(input) }
    }

    @Test func refusesOverlongURLs() {
        let long = "https://example.com/" + String(repeating: "a", count: 8200)
        #expect(throws: URLError("is longer than 8192 bytes")) { try URLCanonicalizer.canonicalize(long) }
    }

    @Test func topLevelDomainIsAbsentForAddresses() throws {
        #expect(try URLCanonicalizer.canonicalize("https://www.example.com/").topLevelDomain == "com")
        #expect(try URLCanonicalizer.canonicalize("https://192.0.2.1/").topLevelDomain == nil)
        #expect(try URLCanonicalizer.canonicalize("https://[2001:db8::1]/").topLevelDomain == nil)
    }
}

@Suite struct PunycodeTests {
    // Samples from RFC 3492 section 7.1 and well-known IDN labels.
    @Test(arguments: [
        ("b\u{fc}cher", "bcher-kva"),
        ("m\u{fc}nchen", "mnchen-3ya"),
        ("\u{4ed6}\u{4eec}\u{4e3a}\u{4ec0}\u{4e48}\u{4e0d}\u{8bf4}\u{4e2d}\u{6587}", "ihqwcrb4cv8a8dqg056pqjye"),
        ("\u{3072}\u{3068}\u{3064}\u{5c4b}\u{6839}\u{306e}\u{4e0b}2", "2-u9tlzr9756bt3uc0v"),
        ("\u{43f}\u{440}\u{430}\u{432}\u{438}\u{442}\u{435}\u{43b}\u{44c}\u{441}\u{442}\u{432}\u{43e}", "80aealotwbjpid2k"),
    ])
    func encodes(label: String, expected: String) {
        #expect(Punycode.encode(label) == expected)
    }
}

@Suite struct IPAddressTests {
    @Test(arguments: [
        ("192.0.2.1", "192.0.2.1"),
        ("2001:DB8:0:0:0:0:0:1", "2001:db8::1"),
        ("2001:db8::", "2001:db8::"),
        ("::1", "::1"),
        ("2001:db8:0:1:0:0:0:1", "2001:db8:0:1::1"),
        ("::ffff:192.0.2.1", "::ffff:c000:201"),
    ])
    func parsesAndFormats(text: String, expected: String) throws {
        #expect(try #require(IPAddress(text)).description == expected)
    }

    @Test(arguments: ["192.0.2", "192.0.2.256", "192.0.2.01", "2001:db8:::1", "1:2:3:4:5:6:7:8:9", "abc", ""])
    func refusesInvalid(text: String) {
        #expect(IPAddress(text) == nil)
    }

    @Test func networksContainTheirAddressesOnly() throws {
        let v4 = try #require(IPNetwork("198.51.100.0/24"))
        #expect(v4.contains(IPAddress("198.51.100.200")!))
        #expect(!v4.contains(IPAddress("198.51.101.1")!))
        #expect(!v4.contains(IPAddress("2001:db8::1")!))
        let v6 = try #require(IPNetwork("2001:db8::/32"))
        #expect(v6.contains(IPAddress("2001:db8:ffff::1")!))
        #expect(!v6.contains(IPAddress("2001:db9::1")!))
        #expect(try #require(IPNetwork("0.0.0.0/0")).contains(IPAddress("203.0.113.9")!))
        #expect(try #require(IPNetwork("203.0.113.9")).prefixLength == 32)
    }

    @Test func refusesHostBitsAndBadPrefixes() {
        #expect(IPNetwork("192.0.2.1/24") == nil)
        #expect(IPNetwork("192.0.2.0/33") == nil)
        #expect(IPNetwork("2001:db8::/129") == nil)
        #expect(IPNetwork("192.0.2.0/") == nil)
    }
}

@Suite struct TimeSpanTests {
    @Test(arguments: [
        ("90s", 90, "1m30s"), ("30m", 1800, "30m"), ("24h", 86400, "24h"), ("3d", 259_200, "72h"), ("7d", 604_800, "7d"), ("2w", 1_209_600, "14d"),
        ("1h30m", 5400, "1h30m"), ("0s", 0, "0s"),
    ])
    func parses(text: String, seconds: Int, description: String) {
        #expect(TimeSpan(text)?.seconds == seconds)
        #expect(TimeSpan(text)?.description == description)
        #expect(TimeSpan(description)?.seconds == seconds)
    }

    @Test(arguments: ["", "24", "h", "30m1h", "1.5h", "24x", "-1h", "1h1h"])
    func refuses(text: String) {
        #expect(TimeSpan(text) == nil)
    }

    @Test func describesWithoutOddWeeks() {
        #expect(TimeSpan(seconds: 864_000).description == "10d")
        #expect(TimeSpan(seconds: 90_061).description == "25h1m1s")
    }
}

@Suite struct HexTests {
    @Test func writesTwoLowerCaseDigitsPerByte() {
        #expect(Hex.string([0x00, 0x0f, 0xa5, 0xff, 0x10]) == "000fa5ff10")
        #expect(Hex.string([UInt8]()) == "")
        #expect(Hex.string((0...255).map(UInt8.init)) == (0...255).map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined())
    }
}
