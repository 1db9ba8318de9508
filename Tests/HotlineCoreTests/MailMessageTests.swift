import Foundation
import Testing

@testable import HotlineCore

@Suite struct MailMessageTests {
    @Test func readsHeadersPartsAndEncodings() throws {
        let text = [
            "From: =?UTF-8?B?SG90bGluZSDDqWVu?= <Abuse@Example.TEST>", "Subject: =?ISO-8859-1?Q?Melding_=E9=E9n?=", "Message-ID: <a1@example.test>",
            "In-Reply-To: <n1@hotline.test>", "References: <n0@hotline.test>", "  <n1@hotline.test>", "MIME-Version: 1.0",
            "Content-Type: multipart/mixed; boundary=\"outer\"", "", "preamble", "--outer", "Content-Type: multipart/alternative; boundary=inner", "",
            "--inner", "Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: quoted-printable", "", "verwijderd =E2=9C=93 soft=", "break",
            "--inner",
            "Content-Type: text/html", "", "<p>x</p>", "--inner--", "--outer", "Content-Type: application/json",
            "Content-Disposition: attachment; filename=\"r.json\"",
            "Content-Transfer-Encoding: base64", "", "eyJzdGF0dXMiOiJyZW1vdmVkIn0=", "--outer--", "epilogue",
        ].joined(separator: "\r\n")
        let message = try MailMessage.parse(Array(text.utf8))
        #expect(message.from == "abuse@example.test")
        #expect(message.subject == "Melding één")
        #expect(message.messageID == "a1@example.test")
        #expect(message.referencedIDs == ["n1@hotline.test", "n0@hotline.test", "n1@hotline.test"])
        #expect(message.parts.map(\.contentType) == ["text/plain", "text/html", "application/json"])
        #expect(message.parts[0].text == "verwijderd ✓ softbreak")
        #expect(message.parts[2].text == #"{"status":"removed"}"#)
        #expect(message.parts[2].parameters["filename"] == "r.json")
    }

    @Test func refusesWhatIsNotAMessageOrTooDeep() {
        #expect(throws: MailError("no headers")) { try MailMessage.parse(Array("just text".utf8)) }
        var nested = ""
        for depth in 0..<12 { nested += "Content-Type: multipart/mixed; boundary=\"b\(depth)\"\r\n\r\n--b\(depth)\r\n" }
        #expect(throws: MailError("multipart nested deeper than 10")) { try MailMessage.parse(Array(("From: a@b.test\r\n" + nested).utf8)) }
        #expect(throws: MailError("multipart/mixed without a boundary")) { try MailMessage.parse(Array("Content-Type: multipart/mixed\r\n\r\nx".utf8)) }
    }
}

/// Mail limits at the limit and one past it.
@Suite struct MailLimitsTests {
    func multipart(parts: Int) -> [UInt8] {
        var text = "From: a@partner.test\r\nSubject: many\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
        for index in 0..<parts { text += "--b\r\nContent-Type: text/plain\r\n\r\npart \(index)\r\n" }
        return Array((text + "--b--\r\n").utf8)
    }

    @Test func partsAndSize() throws {
        #expect(try MailMessage.parse(multipart(parts: MailMessage.maximumParts)).parts.count == MailMessage.maximumParts)
        #expect(throws: MailError("more than 200 parts")) { try MailMessage.parse(multipart(parts: MailMessage.maximumParts + 1)) }
        let head = Array("From: a@partner.test\r\nSubject: big\r\n\r\n".utf8)
        let atLimit = head + [UInt8](repeating: 0x61, count: MailMessage.maximumSize - head.count)
        #expect(try MailMessage.parse(atLimit).parts.first?.body.count == MailMessage.maximumSize - head.count)
        #expect(throws: MailError("message larger than 33554432 bytes")) { try MailMessage.parse(atLimit + [0x61]) }
    }
}
