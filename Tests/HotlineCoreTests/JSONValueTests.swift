import Foundation
import Testing

@testable import HotlineCore

@Suite struct JSONValueTests {
    @Test func parsesAndKeepsMemberOrder() throws {
        let value = try JSONValue.parse(#"{"b": 1, "a": [true, null, "x\u00e9\n"], "c": -2.5e1}"#)
        #expect(value.serialized == #"{"b":1,"a":[true,null,"xé\n"],"c":-25}"#)
    }

    @Test func tellsBooleansFromNumbers() throws {
        let value = try JSONValue.parse("[true, 1]")
        #expect(value == .array([.bool(true), .number(1)]))
    }

    @Test func decodesSurrogatePairs() throws {
        #expect(try JSONValue.parse(#""\ud83d\ude00""#) == .string("😀"))
    }

    @Test(arguments: [
        (#"{"a": 1,}"#, 9, "unexpected '}', expected a member name in quotes"),
        (#"{"a" 1}"#, 6, "unexpected '1', expected ':'"),
        (#"{"a": tru}"#, 7, "invalid literal, expected 'true'"),
        (#"{"a": 1} x"#, 10, "unexpected 'x' after the JSON value"),
        (#"{"a": 1, "a": 2}"#, 10, "duplicate member \"a\""),
        (#"[01]"#, 2, "invalid number: leading zero"),
        (#""abc"#, 1, "unterminated string"),
        ("", 1, "empty input, expected a JSON value"),
        (#""\ud800""#, 8, "unpaired surrogate in \\u escape"),
    ])
    func reportsErrorsWithColumn(input: String, column: Int, message: String) {
        #expect(throws: JSONSyntaxError(column: column, message: message)) { try JSONValue.parse(input) }
    }

    @Test func refusesDeepNesting() {
        let deep = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        #expect(throws: JSONSyntaxError(column: 65, message: "nesting deeper than 64 levels")) { try JSONValue.parse(deep) }
        let ok = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        #expect((try? JSONValue.parse(ok)) != nil)
    }

    @Test func escapesControlCharactersWhenWriting() {
        #expect(JSONValue.string("a\u{1}b\"\\").serialized == #""a\u0001b\"\\""#)
    }

    @Test func writesEveryEscapeLineSeparatorAndNumberAsUTF8Bytes() throws {
        // U+2028 and U+2029 are escaped; other characters of the same lead byte (E2) are not.
        let text = "\u{2028}x\u{2029}€…\u{7F}\n\r\t\u{1F}é😀"
        let escaped = #""\u2028x\u2029€…\u007f\n\r\t\u001fé😀""#
        #expect(JSONValue.string(text).serialized == escaped)
        #expect(try JSONValue.parse(escaped) == .string(text))
        let numbers = JSONValue.array([0, -1, 42, 999_999_999_999_999, -999_999_999_999_999, 1e15, 0.5, -0.0, -2.5].map(JSONValue.number))
        #expect(numbers.serialized == "[0,-1,42,999999999999999,-999999999999999,1000000000000000.0,0.5,0,-2.5]")
        let nested = JSONValue.object(["k\"": .array([.null, .bool(false), .object([:]), .array([])])])
        #expect(nested.serialized == #"{"k\"":[null,false,{},[]]}"#)
        var line = "> "
        nested.write(to: &line)
        #expect(line == "> " + nested.serialized)
    }
}

@Suite struct RFC3339Tests {
    @Test func parsesOffsetsAndFractions() throws {
        let utc = try #require(RFC3339.parse("2026-11-30T12:00:00Z"))
        #expect(utc.timeIntervalSince1970 == 1_796_040_000)
        #expect(RFC3339.parse("2026-11-30T13:30:00+01:30") == utc)
        #expect(RFC3339.parse("2026-11-30T12:00:00.250Z")?.timeIntervalSince1970 == 1_796_040_000.25)
        #expect(RFC3339.format(utc) == "2026-11-30T12:00:00Z")
    }

    @Test func formatsPaddedFieldsMillisecondsAndTheEdgesOfTheCalendar() throws {
        let utc = try #require(RFC3339.parse("2026-11-30T12:00:00Z"))
        #expect(RFC3339.format(utc, fixedMilliseconds: true) == "2026-11-30T12:00:00.000Z")
        #expect(RFC3339.format(utc.addingTimeInterval(0.25)) == "2026-11-30T12:00:00.250Z")
        // A thousandth that rounds up carries into the seconds.
        #expect(RFC3339.format(utc.addingTimeInterval(59.9996)) == "2026-11-30T12:01:00Z")
        #expect(RFC3339.format(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00Z")
        #expect(RFC3339.format(Date(timeIntervalSince1970: 951_782_400 + 3_723.004)) == "2000-02-29T01:02:03.004Z")
        #expect(RFC3339.format(Date(timeIntervalSince1970: -62_135_596_800)) == "0001-01-01T00:00:00Z")
        #expect(RFC3339.format(Date(timeIntervalSince1970: 253_402_300_799)) == "9999-12-31T23:59:59Z")
        // Past the four-digit years: the long form, which parses back.
        let far = Date(timeIntervalSince1970: 253_402_300_800)
        #expect(RFC3339.format(far) == "10000-01-01T00:00:00Z")
        // Every millisecond of a day round-trips.
        for step in stride(from: 0.0, to: 86_400, by: 86_399.0 / 977) {
            let date = Date(timeIntervalSince1970: 1_796_040_000 + (step * 1000).rounded() / 1000)
            #expect(RFC3339.parse(RFC3339.format(date, fixedMilliseconds: true)) == date)
        }
    }

    @Test(arguments: ["2026-11-30", "2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z", "2026-11-30T12:00:00", "2026-11-30T24:00:00Z", "2026-11-30T12:00:00Zjunk"])
    func refusesInvalidTimestamps(text: String) {
        #expect(RFC3339.parse(text) == nil)
    }
}
