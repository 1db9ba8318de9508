import Testing

@testable import HotlineCore

@Suite struct ExpressionEvaluationTests {
    func rules(_ condition: String, lists: [String: [String]] = [:], macros: [(String, String)] = []) throws -> RuleSet {
        let (ruleSet, diagnostics) = compileCondition(condition, lists: lists, macros: macros)
        #expect(!diagnostics.containsErrors, "\(diagnostics)")
        return try #require(ruleSet)
    }

    @Test func comparesStringsNumbersAndDurations() throws {
        let set = try rules(#"hosting.country == "NL" and hosting.asn >= 64496 and notice.age > 24h"#)
        #expect(matches(set, ["hosting.country": .string("NL"), "hosting.asn": .number(64500), "notice.age": .duration(TimeSpan(seconds: 90_000))]))
        #expect(!matches(set, ["hosting.country": .string("NL"), "hosting.asn": .number(64500), "notice.age": .duration(.hours(24))]))
        #expect(!matches(set, ["hosting.country": .string("DE"), "hosting.asn": .number(64500), "notice.age": .duration(.hours(48))]))
    }

    @Test func absentFactsMakeTestsFalseExceptNotExists() throws {
        #expect(!matches(try rules(#"hosting.country == "NL""#), [:]))
        #expect(!matches(try rules(#"hosting.country != "NL""#), [:]))
        #expect(!matches(try rules(#"hosting.country not in ["NL"]"#), [:]))
        #expect(!matches(try rules("hosting.asn < 5"), [:]))
        #expect(matches(try rules("hosting.country not exists"), [:]))
        #expect(!matches(try rules("hosting.country exists"), [:]))
        #expect(matches(try rules(#"not (hosting.country == "NL")"#), [:]))
    }

    @Test func membershipInNamedAndInlineLists() throws {
        let named = try rules("hosting.country in eu and hosting.asn not in [64496, 64497]", lists: ["eu": ["NL", "DE"]])
        #expect(matches(named, ["hosting.country": .string("DE"), "hosting.asn": .number(1)]))
        #expect(!matches(named, ["hosting.country": .string("DE"), "hosting.asn": .number(64497)]))
        #expect(!matches(named, ["hosting.country": .string("US"), "hosting.asn": .number(1)]))
    }

    @Test func ipFieldsMatchCIDRRanges() throws {
        let set = try rules(#"hosting.ip in documentation or hosting.ip in ["2001:db8::/32"]"#, lists: ["documentation": ["192.0.2.0/24", "198.51.100.7"]])
        #expect(matches(set, ["hosting.ip": .ip(IPAddress("192.0.2.77")!)]))
        #expect(matches(set, ["hosting.ip": .ip(IPAddress("198.51.100.7")!)]))
        #expect(!matches(set, ["hosting.ip": .ip(IPAddress("198.51.100.8")!)]))
        #expect(matches(set, ["hosting.ip": .ip(IPAddress("2001:db8::5")!)]))
        #expect(matches(try rules(#"hosting.ip == "192.0.2.1""#), ["hosting.ip": .ip(IPAddress("192.0.2.1")!)]))
    }

    @Test func addressListsMatchWhenAnyAddressIsInTheNetworks() throws {
        let set = try rules(#"hosting.ips in cdn and hosting.ips not in ["192.0.2.0/24"]"#, lists: ["cdn": ["203.0.113.0/24", "2001:db8::/32"]])
        #expect(matches(set, ["hosting.ips": .ips([IPAddress("198.51.100.1")!, IPAddress("2001:db8::5")!])]))
        #expect(!matches(set, ["hosting.ips": .ips([IPAddress("198.51.100.1")!])]))
        #expect(!matches(set, ["hosting.ips": .ips([IPAddress("203.0.113.9")!, IPAddress("192.0.2.4")!])]))
        #expect(!matches(set, [:]))
        #expect(FactValue(text: "192.0.2.1, 2001:db8::1", as: .ipList) == .ips([IPAddress("192.0.2.1")!, IPAddress("2001:db8::1")!]))
    }

    @Test func regexSearchesTheString() throws {
        let set = try rules(#"report.host matches "(^|\\.)example\\.(com|net)$""#)
        #expect(matches(set, ["report.host": .string("cdn.example.net")]))
        #expect(!matches(set, ["report.host": .string("example.com.evil.test")]))
    }

    @Test func precedenceIsNotThenAndThenOr() throws {
        let set = try rules("case.duplicate or hosting.cdn and not hosting.ntd_member")
        #expect(matches(set, ["case.duplicate": .bool(true), "hosting.cdn": .bool(false)]))
        #expect(matches(set, ["case.duplicate": .bool(false), "hosting.cdn": .bool(true), "hosting.ntd_member": .bool(false)]))
        #expect(!matches(set, ["case.duplicate": .bool(false), "hosting.cdn": .bool(true), "hosting.ntd_member": .bool(true)]))
    }

    @Test func macrosMayUseMacrosDefinedLater() throws {
        let set = try rules("outer", macros: [("outer", "inner and case.duplicate"), ("inner", #"report.source.type == "crawler""#)])
        #expect(matches(set, ["case.duplicate": .bool(true), "report.source.type": .string("crawler")]))
        #expect(!matches(set, ["case.duplicate": .bool(true), "report.source.type": .string("public")]))
    }
}

@Suite struct ExpressionDiagnosticsTests {
    func diagnostics(_ condition: String, lists: [String: [String]] = [:], macros: [(String, String)] = []) -> [String] {
        compileCondition(condition, lists: lists, macros: macros).1.map(\.description)
    }

    @Test(arguments: [
        (#"hash.mtch == "known""#, "t.yaml:3:11: error: unknown field \"hash.mtch\"; did you mean \"hash.match\"? [unknown-field]"),
        (#"case.duplicate and hash.match == 3"#, "t.yaml:3:44: error: cannot compare hash.match (string) with 3 (number) [type-mismatch]"),
        (
            #"hash.match == "knwon""#,
            "t.yaml:3:25: error: \"knwon\" is not a value of hash.match; expected one of known, similar, none, allowlisted [unknown-value]"
        ),
        (
            #"hosting.country"#,
            "t.yaml:3:11: error: hosting.country is a string, not a condition; compare it or test \"hosting.country exists\" [type-mismatch]"
        ),
        (#"hosting.country < "NL""#, "t.yaml:3:11: error: operator \"<\" needs a number or duration, hosting.country is a string [type-mismatch]"),
        (#"hosting.country in countries"#, "t.yaml:3:30: error: undefined list \"countries\" [undefined-list]"),
        (#"known_ilegal"#, "t.yaml:3:11: error: undefined macro \"known_ilegal\" [undefined-macro]"),
        (#"hosting.country = "NL""#, "t.yaml:3:27: error: \"=\" is not an operator; use \"==\" to compare [syntax]"),
        (
            #"case.duplicate and (hosting.cdn"#,
            "t.yaml:3:42: error: unexpected end of expression; expected \")\" to close the \"(\" at column offset 20 [syntax]"
        ),
        (#"hosting.country == NL"#, "t.yaml:3:30: error: cannot compare hosting.country (string) with NL; write strings in quotes: \"NL\" [type-mismatch]"),
        (
            #"hosting.ip in [192.0.2.0/24]"#,
            "t.yaml:3:26: error: 192.0.2.0/24 looks like an address; write addresses and networks in quotes: \"192.0.2.0/24\" [syntax]"
        ),
        (#"hosting.ip in ["192.0.2.1/24"]"#, "t.yaml:3:26: error: \"192.0.2.1/24\" is not an IP address or CIDR network [invalid-address]"),
        (#"report.host matches "(unclosed""#, "t.yaml:3:31: error: invalid regular expression \"(unclosed\" [invalid-regex]"),
        (#"notice.age > 24x"#, "t.yaml:3:24: error: invalid number or duration \"24x\" (durations are like 90s, 30m, 24h, 7d, 2w) [syntax]"),
        (#"case.duplicate && hosting.cdn"#, "t.yaml:3:26: error: \"&\" is not an operator; use \"and\" [syntax]"),
        ("", "t.yaml:3:11: error: empty condition [syntax]"),
        (
            #"hosting.ips == "192.0.2.1""#,
            "t.yaml:3:11: error: hosting.ips is a list of addresses; test it with \"in\" (any address in the networks) or \"exists\" [type-mismatch]"
        ),
    ])
    func reportsOneProblemWithColumn(condition: String, expected: String) {
        #expect(diagnostics(condition) == [expected])
    }

    @Test func collectsEveryProblemInOneCondition() {
        #expect(
            diagnostics(#"hash.mtch == "known" and hosting.country < 3 and nope"#) == [
                "t.yaml:3:11: error: unknown field \"hash.mtch\"; did you mean \"hash.match\"? [unknown-field]",
                "t.yaml:3:36: error: operator \"<\" needs a number or duration, hosting.country is a string [type-mismatch]",
                "t.yaml:3:60: error: undefined macro \"nope\" [undefined-macro]",
            ])
    }

    @Test func reportsBadListItemsWhereTheyAreWritten() {
        #expect(
            diagnostics("hosting.asn in asns", lists: ["asns": ["64496", "AS64497"]]) == [
                "t.yaml:10:5: error: item \"AS64497\" of list \"asns\" is not a number (the list is used with hosting.asn) [type-mismatch]"
            ])
    }

    @Test func detectsMacroCycles() {
        let found = diagnostics("a", macros: [("a", "b"), ("b", "a and case.duplicate")])
        #expect(found.contains("t.yaml:10:3: error: macro \"a\" refers to itself: a -> b -> a [macro-cycle]"))
    }

    @Test func warnsAboutUnusedListsAndMacros() {
        #expect(
            diagnostics("case.duplicate", lists: ["spare": ["NL"]], macros: [("unused", "hosting.cdn")]) == [
                "t.yaml:10:3: warning: list \"spare\" is never used [unused-list]",
                "t.yaml:11:3: warning: macro \"unused\" is never used [unused-macro]",
            ])
    }

    @Test func warnsAboutAConditionThatIsAlwaysFalse() {
        #expect(diagnostics("false") == ["t.yaml:2:5: warning: rule \"r\" can never match: its condition is always false [unreachable-rule]"])
    }

    @Test func refusesDeepNesting() {
        let deep = String(repeating: "(", count: 70) + "case.duplicate" + String(repeating: ")", count: 70)
        #expect(diagnostics(deep) == ["t.yaml:3:75: error: condition nested deeper than 64 levels [syntax]"])
    }
}
