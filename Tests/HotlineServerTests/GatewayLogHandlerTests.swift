import Foundation
import HotlineCore
import HotlineServer
import HotlineTesting
import Logging
import Testing

/// Values from outside reach log records (URLs, senders, server replies, error texts quoting
/// input); none of them can start a line of its own.
@Suite struct GatewayLogHandlerTests {
    static let at = Date(timeIntervalSince1970: 1_796_000_000)
    static let forged = "ok\r\n2026-11-30T10:00:00Z critical hotline: forged record\u{1b}[31m\u{2028}end\\"

    @Test func textLinesEscapeControlCharactersInTheMessageAndEveryValue() {
        let line = GatewayLogHandler.line(
            level: .error, label: "hotline", message: "mail poll failed: " + Self.forged,
            metadata: ["mailbox": .string("abuse\ninbox"), "error": .string(Self.forged), "count": "3"], format: .text, at: Self.at)
        #expect(
            line
                == #"2026-11-30T00:53:20Z error hotline: mail poll failed: ok\r\n2026-11-30T10:00:00Z critical hotline: forged record\u{1b}[31m\u{2028}end\\ count=3 error="ok\r\n2026-11-30T10:00:00Z critical hotline: forged record\u{1b}[31m\u{2028}end\\" mailbox=abuse\ninbox"#
                + "\n")
        #expect(line.split(separator: "\n", omittingEmptySubsequences: false).count == 2, "one line and its newline")
    }

    @Test func jsonLinesAreOneObjectEachWithTheValuesIntact() throws {
        let line = GatewayLogHandler.line(
            level: .warning, label: "hotline", message: Self.forged, metadata: ["error": .string(Self.forged), "msg": "cannot replace the message"],
            format: .json, at: Self.at)
        #expect(line.filter { $0 == "\n" || $0 == "\r\n" }.count == 1 && line.hasSuffix("\n"))
        let object = try #require(try JSONValue.parse(String(line.dropLast())).objectValue)
        #expect(object["msg"] == .string(Self.forged))
        #expect(object["error"] == .string(Self.forged))
        #expect(object["level"] == .string("warning") && object["ts"] == .string("2026-11-30T00:53:20Z"))
    }

    @Test func theHandlerWritesOneLinePerRecordThroughALogger() {
        let lines = Locked<[String]>([])
        let logger = Logger(label: "hotline") { GatewayLogHandler(label: $0, format: .text, write: { line in lines.mutate { $0.append(line) } }) }
        logger.info("report rejected", metadata: ["url": .string("https://example.test/a\r\nInjected: yes")])
        logger.debug("dropped below the level")
        #expect(lines.value.count == 1)
        #expect(lines.value[0].hasSuffix(#" info hotline: report rejected url="https://example.test/a\r\nInjected: yes""# + "\n"))
    }
}
