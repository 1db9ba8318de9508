import Foundation
import HotlineConfig
import HotlineCore
import HotlineNet
import HotlineTesting
import Testing

/// Mailboxes on a real IMAP server (Dovecot on loopback), read by `hotline mail poll`.
@Suite(.serialized, .enabled(if: TestIMAPServer.available && TestSMTPServer.available)) struct MailCLITests {
    static let password = "imap-\(UUID().uuidString)"

    func mailboxes(_ imap: TestIMAPServer) -> String {
        """
        mailboxes:
          - { name: reports, role: reports, host: 127.0.0.1, port: \(imap.port), security: none, username: reports@hotline.test, password_env: HOTLINE_TEST_IMAP_PASSWORD, trusted_senders: [feed@partner.test], authserv_id: mx.hotline.test, senders: [partner.test] }
          - { name: replies, role: replies, host: 127.0.0.1, port: \(imap.port), security: none, username: replies@hotline.test, password_env: HOTLINE_TEST_IMAP_PASSWORD, authserv_id: mx.hotline.test }
        """
    }

    func client(_ imap: TestIMAPServer, _ user: String) -> IMAPClient {
        IMAPClient(
            settings: IMAPSettings(host: "127.0.0.1", port: Int(imap.port), security: .none, username: user, password: .value(Self.password), timeout: 10))
    }

    static func mail(_ lines: [String]) -> [UInt8] { Array(lines.joined(separator: "\r\n").utf8) }

    /// What the hotline's MTA writes on top of a message whose DKIM signature for `domain` verified.
    static func authenticated(_ domain: String, by server: String = "mx.hotline.test") -> String {
        "Authentication-Results: \(server); dkim=pass (2048-bit key) header.d=\(domain) header.s=s1; spf=pass smtp.mailfrom=\(domain)"
    }

    @Test func reportsArriveAsXARFv4XARF02AndTrustedURLListsAndTheRestGoesToPeople() throws {
        let imap = try TestIMAPServer(users: ["reports@hotline.test": Self.password, "replies@hotline.test": Self.password])
        let smtp = try TestSMTPServer()
        let gateway = try Gateway(smtpPort: smtp.port, contacts: "version: 1\ncontacts: []\n", knownMD5s: [], extra: mailboxes(imap))
        defer { gateway.remove() }
        let inbox = client(imap, "reports@hotline.test")
        let xarf =
            #"{"xarf_version":"4.0.0","report_id":"6a1c5c2e-0b7e-4c1e-9b1a-1d2e3f4a5b6c","timestamp":"2026-11-30T10:00:00Z","reporter":{"org":"Partner","contact":"r@partner.test","domain":"partner.test"},"sender":{"org":"Partner","contact":"r@partner.test","domain":"partner.test"},"source_identifier":"198.51.100.7","category":"content","type":"csam","url":"https://files.example.com/x1.jpg","classification":"A1","detection_method":"hash_match"}"#
        try inbox.append(
            Self.mail([
                Self.authenticated("partner.test"),
                "From: Partner Hotline <r@partner.test>", "To: reports@hotline.test", "Subject: X-ARF report", "Message-ID: <v4@partner.test>",
                "MIME-Version: 1.0", "Content-Type: multipart/mixed; boundary=\"b1\"", "", "--b1", "Content-Type: text/plain", "", "See attached.", "--b1",
                "Content-Type: application/json; name=\"report.json\"", "Content-Transfer-Encoding: base64", "", Data(xarf.utf8).base64EncodedString(),
                "--b1--", "",
            ]), to: "INBOX")
        try inbox.append(
            Self.mail([
                Self.authenticated("partner.test"), "From: old-partner@partner.test", "Subject: abuse report", "Message-ID: <v02@partner.test>",
                "MIME-Version: 1.0",
                "Content-Type: multipart/mixed; boundary=\"b2\"", "", "--b2", "Content-Type: text/plain", "", "Report.", "--b2",
                "Content-Type: text/plain; charset=utf-8; name=\"report.txt\"", "X-ARF: YES", "", "Reported-From: old-partner@partner.test", "Category: abuse",
                "Report-Type: illegal-content", "Source: https://files.example.com/x2.jpg", "Date: 2026-11-30T09:00:00Z", "Version: 0.2", "--b2--", "",
            ]), to: "INBOX")
        try inbox.append(
            Self.mail([
                Self.authenticated("partner.test"), "From: Feed <feed@partner.test>", "Subject: new URLs", "Message-ID: <list@partner.test>", "",
                "Please check:",
                "https://files.example.com/x3.jpg", "and https://files.example.com/x4.jpg.", "", "> https://quoted.example.com/not-this.jpg", "",
            ]), to: "INBOX")
        try inbox.append(
            Self.mail(["From: stranger@example.test", "Subject: look", "Message-ID: <s@example.test>", "", "https://files.example.com/x5.jpg", ""]), to: "INBOX"
        )
        try inbox.append(Array("this is not a mail message at all".utf8), to: "INBOX")

        let environment = ["HOTLINE_TEST_IMAP_PASSWORD": Self.password]
        let poll = try gateway.run(["mail", "poll", "--mailbox", "reports"], environment: environment)
        #expect(poll.status == 0, "\(poll.stderr)")
        #expect(
            poll.lines == [#"{"mailbox":"reports","messages":5,"reports":4,"acknowledgements":0,"unclear":0,"bounces":0,"set_aside":2,"already_handled":0}"#])
        #expect(try client(imap, "reports@hotline.test").unhandledUIDs(in: "INBOX").isEmpty)
        #expect(try inbox.count(in: "Hotline People") == 4)
        let log = gateway.objects(try gateway.run(["mail", "log"]))
        #expect(log.compactMap { $0["outcome"] as? String }.sorted() == ["reports", "reports", "reports", "set-aside", "set-aside"])
        #expect(log.contains { ($0["detail"] as? String) == "no X-ARF report, and …@example.test is not a trusted sender" })
        // The rules saw the mail channel and the sender, once the fetch service decided them.
        _ = try gateway.run(["work", "--offline"])
        let decisions = try CLI.run(["rules", "replay", "--data-dir", gateway.data, "--config", gateway.config, "--json", "--limit", "0"])
        #expect(decisions.stdout.contains(#""replayed":4"#), "\(decisions.stdout)")
        let again = try gateway.run(["mail", "poll", "--mailbox", "reports"], environment: environment)
        #expect(
            again.lines == [#"{"mailbox":"reports","messages":0,"reports":0,"acknowledgements":0,"unclear":0,"bounces":0,"set_aside":0,"already_handled":0}"#])
    }

    @Test func repliesAcknowledgeNoticesBouncesFailThemAndACrashBetweenReadingAndFlaggingLosesNothing() throws {
        let imap = try TestIMAPServer(users: ["reports@hotline.test": Self.password, "replies@hotline.test": Self.password])
        let smtp = try TestSMTPServer()
        let hoster = try TestHosterServer(secret: "unused")
        let hosts = (1...3).map { "h\($0).example.test" }
        let contacts =
            "version: 1\ncontacts:\n"
            + hosts.enumerated().map { index, host in
                "  - { id: hoster-\(index + 1), name: Hoster \(index + 1), domains: [\(host)], country: NL, abuse: [abuse@\(host)], language: nl }"
            }.joined(separator: "\n") + "\n"
        let md5s = try (1...3).map { index -> String in
            ContentDigestSet(try HTTPClient(timeout: 3).get(hoster.url("/content/m\(index)"), accept: "*/*").body).md5
        }
        let gateway = try Gateway(smtpPort: smtp.port, contacts: contacts, knownMD5s: md5s, extra: mailboxes(imap))
        defer { gateway.remove() }
        _ = try gateway.run(
            ["ingest", "--wait", "--trust-hashes", "--at", Gateway.at(0), "-"],
            stdin: zip(hosts, md5s).map { #"{"url": "https://\#($0.0)/m.jpg", "hashes": {"md5": "\#($0.1)"}}"# }.joined(separator: "\n") + "\n")
        _ = try gateway.run(["work", "--offline", "--at", Gateway.at(1.1)])
        let sent = smtp.messages()
        try #require(sent.count == 3)
        func header(_ message: String, _ name: String) -> String {
            message.components(separatedBy: "\r\n").first { $0.hasPrefix(name + ": ") }.map { String($0.dropFirst(name.count + 2)) } ?? ""
        }
        let byHost = Dictionary(uniqueKeysWithValues: sent.map { (header($0, "X-Envelope-To"), $0) })
        let first = try #require(byHost["abuse@h1.example.test"])
        let second = try #require(byHost["abuse@h2.example.test"])
        let third = try #require(byHost["abuse@h3.example.test"])

        let replies = client(imap, "replies@hotline.test")
        try replies.append(
            Self.mail([
                Self.authenticated("h1.example.test"), "From: abuse@h1.example.test", "Subject: Re: notice", "Message-ID: <r1@h1.example.test>",
                "In-Reply-To: \(header(first, "Message-ID"))", "",
                "Beste,", "", "Het materiaal is verwijderd.", "", "Op 30 nov 2026 schreef Hotline:", "> niet verwijderd", "",
            ]), to: "INBOX")
        try replies.append(
            Self.mail([
                Self.authenticated("h2.example.test"), "From: abuse@h2.example.test", "Subject: Re: [\(header(second, "X-Hotline-Reference"))] Melding",
                "Message-ID: <r2@h2.example.test>", "",
                "We will look into it next week.", "",
            ]), to: "INBOX")
        try replies.append(
            Self.mail([
                "From: MAILER-DAEMON@h3.example.test", "Subject: Undelivered Mail", "Message-ID: <dsn@h3.example.test>", "MIME-Version: 1.0",
                "Content-Type: multipart/report; report-type=delivery-status; boundary=\"d\"", "", "--d", "Content-Type: text/plain", "", "Delivery failed.",
                "--d",
                "Content-Type: message/delivery-status", "", "Reporting-MTA: dns; mx.h3.example.test", "", "Final-Recipient: rfc822; abuse@h3.example.test",
                "Action: failed", "Status: 5.1.1", "Diagnostic-Code: smtp; 550 5.1.1 user unknown", "", "--d", "Content-Type: text/rfc822-headers", "",
                "Message-ID: \(header(third, "Message-ID"))", "Subject: notice", "", "--d--", "",
            ]), to: "INBOX")
        let environment = ["HOTLINE_TEST_IMAP_PASSWORD": Self.password]
        // Dies right after the first message's acknowledgement is stored, before flagging it.
        let crashed = try gateway.run(
            ["mail", "poll", "--mailbox", "replies", "--offline"], environment: environment.merging(["HOTLINE_FAULT_EXIT_AFTER_MAIL": "1"]) { $1 })
        #expect(crashed.status == 137)
        #expect(try client(imap, "replies@hotline.test").unhandledUIDs(in: "INBOX").count == 3)
        let poll = try gateway.run(["mail", "poll", "--mailbox", "replies", "--offline"], environment: environment)
        #expect(
            poll.lines == [#"{"mailbox":"replies","messages":3,"reports":0,"acknowledgements":0,"unclear":1,"bounces":1,"set_aside":0,"already_handled":1}"#],
            "\(poll.stdout)\(poll.stderr)")
        // A new session: another session's flag changes are only certain to show in a new one.
        #expect(try client(imap, "replies@hotline.test").unhandledUIDs(in: "INBOX").isEmpty)

        let notices = Dictionary(
            uniqueKeysWithValues: gateway.objects(try gateway.run(["notices", "list"])).map { (($0["addresses"] as? [String])?.first ?? "", $0) })
        #expect(notices["abuse@h1.example.test"]?["status"] as? String == "acknowledged")
        #expect(notices["abuse@h2.example.test"]?["status"] as? String == "sent")
        #expect(notices["abuse@h2.example.test"]?["escalated_to"] as? String == "analysts")
        #expect(notices["abuse@h3.example.test"]?["status"] as? String == "failed")
        #expect((notices["abuse@h3.example.test"]?["last_error"] as? String)?.hasPrefix("bounced for abuse@h3.example.test: 5.1.1") == true)
        let shown = gateway.objects(try gateway.run(["notices", "show", notices["abuse@h1.example.test"]?["id"] as? String ?? ""])).first
        let ackEvents = (shown?["events"] as? [[String: Any]])?.filter { ($0["event"] as? String) == "ack.removed" } ?? []
        #expect(ackEvents.count == 1, "one acknowledgement, not two, after the crash")
        // The bounce counts against the address: a new report for that hoster sees it.
        _ = try gateway.run(["ingest", "--wait", "--at", Gateway.at(2), "-"], stdin: #"{"url": "https://h3.example.test/other.jpg"}"# + "\n")
        let facts = Process()
        facts.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        facts.arguments = [
            "python3", "-c",
            "import sqlite3,sys,json; f=json.loads(sqlite3.connect(sys.argv[1]).execute('select facts from decisions order by rowid desc limit 1').fetchone()[0]); print(f.get('hosting.abuse_bounces'), f.get('hosting.confidence'))",
            gateway.data + "/hotline.sqlite",
        ]
        let pipe = Pipe()
        facts.standardOutput = pipe
        try facts.run()
        let seen = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        facts.waitUntilExit()
        #expect(seen == "1 75\n")
    }

    @Test func onlyAuthenticatedSendersReportAndOnlyRecipientsAnswerOrBounce() throws {
        let imap = try TestIMAPServer(users: ["reports@hotline.test": Self.password, "replies@hotline.test": Self.password])
        let smtp = try TestSMTPServer()
        let hoster = try TestHosterServer(secret: "unused")
        let contacts = """
            version: 1
            contacts:
              - { id: hoster-1, name: Hoster 1, domains: [h1.example.test], country: NL, abuse: [abuse@h1.example.test], language: nl }
            """
        let md5 = ContentDigestSet(try HTTPClient(timeout: 3).get(hoster.url("/content/f1"), accept: "*/*").body).md5
        let gateway = try Gateway(smtpPort: smtp.port, contacts: contacts + "\n", knownMD5s: [md5], extra: mailboxes(imap))
        defer { gateway.remove() }
        let environment = ["HOTLINE_TEST_IMAP_PASSWORD": Self.password]
        func xarf(_ id: String, _ url: String) -> [String] {
            let report =
                #"{"xarf_version":"4.0.0","report_id":"\#(id)","timestamp":"2026-11-30T10:00:00Z","reporter":{"org":"Partner","contact":"r@partner.test","domain":"partner.test"},"sender":{"org":"Partner","contact":"r@partner.test","domain":"partner.test"},"source_identifier":"198.51.100.7","category":"content","type":"csam","url":"\#(url)","classification":"A1","detection_method":"hash_match","hash_values":{"md5":"00000000000000000000000000000001"}}"#
            return ["MIME-Version: 1.0", "Content-Type: application/json", "", report, ""]
        }
        let inbox = client(imap, "reports@hotline.test")
        // Genuine: the hotline's MTA verified partner.test's DKIM signature.
        try inbox.append(
            Self.mail(
                [Self.authenticated("partner.test"), "From: r@partner.test", "Subject: report", "Message-ID: <g@partner.test>"]
                    + xarf("g", "https://a.example.com/1.jpg")),
            to: "INBOX")
        // Missing: anyone can write From: r@partner.test.
        try inbox.append(
            Self.mail(["From: r@partner.test", "Subject: report", "Message-ID: <m@evil.test>"] + xarf("m", "https://a.example.com/2.jpg")), to: "INBOX")
        // Forged: a header that claims a verification, from a server that is not ours, on top.
        try inbox.append(
            Self.mail(
                [Self.authenticated("partner.test", by: "mx.evil.test"), "From: r@partner.test", "Subject: report", "Message-ID: <f@evil.test>"]
                    + xarf("f", "https://a.example.com/3.jpg")), to: "INBOX")
        // Verified, but for another domain than the From: line's.
        try inbox.append(
            Self.mail(
                [Self.authenticated("evil.test"), "From: r@partner.test", "Subject: report", "Message-ID: <u@evil.test>"]
                    + xarf("u", "https://a.example.com/4.jpg")),
            to: "INBOX")
        // Verified, but not a sender this mailbox takes reports from.
        try inbox.append(
            Self.mail(
                [Self.authenticated("evil.test"), "From: x@evil.test", "Subject: report", "Message-ID: <x@evil.test>"]
                    + xarf("x", "https://a.example.com/5.jpg")),
            to: "INBOX")
        let poll = try gateway.run(["mail", "poll", "--mailbox", "reports", "--offline"], environment: environment)
        #expect(
            poll.lines == [#"{"mailbox":"reports","messages":5,"reports":1,"acknowledgements":0,"unclear":0,"bounces":0,"set_aside":4,"already_handled":0}"#],
            "\(poll.stdout)\(poll.stderr)")
        let reasons = gateway.objects(try gateway.run(["mail", "log"])).compactMap { $0["detail"] as? String }
        for expected in [
            "reports from a sender that is not authenticated: no Authentication-Results from mx.hotline.test",
            #"reports from a sender that is not authenticated: the Authentication-Results are from "mx.evil.test", not mx.hotline.test"#,
            "reports from a sender that is not authenticated: the sender …@partner.test is not authenticated: no DKIM, SPF or DMARC pass aligned with partner.test",
            "the authenticated sender …@evil.test is not among the senders of mailbox reports",
        ] {
            #expect(reasons.contains(expected), "\(expected) not in \(reasons)")
        }
        // The log keeps the sending domain, never the address.
        #expect(!(try gateway.run(["mail", "log"]).stdout.contains("r@partner.test")))

        // A notice to hoster 1, then a third party's answers to it.
        _ = try gateway.run(
            ["ingest", "--wait", "--trust-hashes", "--at", Gateway.at(0), "-"],
            stdin: #"{"url": "https://h1.example.test/f.jpg", "hashes": {"md5": "\#(md5)"}}"# + "\n")
        _ = try gateway.run(["work", "--offline", "--at", Gateway.at(1.1)])
        let sent = try #require(smtp.messages().first { $0.contains("X-Envelope-To: abuse@h1.example.test") })
        let messageID = sent.components(separatedBy: "\r\n").first { $0.hasPrefix("Message-ID: ") }.map { String($0.dropFirst(12)) } ?? ""
        let replies = client(imap, "replies@hotline.test")
        try replies.append(
            Self.mail([
                Self.authenticated("other.example.test"), "From: abuse@other.example.test", "Subject: Re: notice", "Message-ID: <r@other.example.test>",
                "In-Reply-To: \(messageID)", "", "Not our customer.", "",
            ]), to: "INBOX")
        func bounce(_ recipient: String, quoting id: String) -> [UInt8] {
            Self.mail([
                "From: MAILER-DAEMON@evil.test", "Subject: Undelivered Mail", "Message-ID: <dsn-\(UUID().uuidString)@evil.test>", "MIME-Version: 1.0",
                "Content-Type: multipart/report; report-type=delivery-status; boundary=\"d\"", "", "--d", "Content-Type: message/delivery-status", "",
                "Reporting-MTA: dns; mx.evil.test", "", "Final-Recipient: rfc822; \(recipient)", "Action: failed", "Status: 5.1.1", "", "--d",
                "Content-Type: text/rfc822-headers", "", "Message-ID: \(id)", "", "--d--", "",
            ])
        }
        try replies.append(bounce("abuse@h1.example.test", quoting: "<not-ours@evil.test>"), to: "INBOX")
        try replies.append(bounce("abuse@h2.example.test", quoting: messageID), to: "INBOX")
        let answered = try gateway.run(["mail", "poll", "--mailbox", "replies", "--offline"], environment: environment)
        #expect(
            answered.lines == [
                #"{"mailbox":"replies","messages":3,"reports":0,"acknowledgements":0,"unclear":0,"bounces":0,"set_aside":3,"already_handled":0}"#
            ],
            "\(answered.stdout)\(answered.stderr)")
        let log = gateway.objects(try gateway.run(["mail", "log"])).compactMap { $0["detail"] as? String }
        let reference = try #require(gateway.objects(try gateway.run(["notices", "list"])).first?["reference"] as? String)
        for expected in [
            "a reply to notice \(reference) from abuse@other.example.test, who is not its recipient",
            "a bounce for abuse@h1.example.test that quotes no message of ours",
            "a bounce for abuse@h2.example.test, to whom notice \(reference) was not sent",
        ] {
            #expect(log.contains(expected), "\(expected) not in \(log)")
        }
        let notice = try #require(gateway.objects(try gateway.run(["notices", "list"])).first)
        #expect(notice["status"] as? String == "sent", "a third party's answer changed nothing")
        #expect(try FaultCLITests.sqlite(gateway.data + "/hotline.sqlite", "select count(*) from address_health") == "0", "no bounce was counted")
    }

    @Test func aMessageThatKillsThePollerIsSetAsideInsteadOfKillingItAgain() throws {
        let imap = try TestIMAPServer(users: ["reports@hotline.test": Self.password, "replies@hotline.test": Self.password])
        let smtp = try TestSMTPServer()
        let gateway = try Gateway(smtpPort: smtp.port, contacts: "version: 1\ncontacts: []\n", knownMD5s: [], extra: mailboxes(imap))
        defer { gateway.remove() }
        let inbox = client(imap, "reports@hotline.test")
        try inbox.append(
            Self.mail([Self.authenticated("partner.test"), "From: r@partner.test", "Subject: x", "Message-ID: <k@partner.test>", "", "x", ""]), to: "INBOX")
        let environment = ["HOTLINE_TEST_IMAP_PASSWORD": Self.password]
        // As a parser bug would: the process dies while handling the message.
        let died = try gateway.run(["mail", "poll", "--mailbox", "reports"], environment: environment.merging(["HOTLINE_FAULT_EXIT_IN_MAIL": "1"]) { $1 })
        #expect(died.status == 134)
        #expect(try client(imap, "reports@hotline.test").unhandledUIDs(in: "INBOX").count == 1)
        // The next poll does not try it again: it goes to people, with the reason.
        let next = try gateway.run(["mail", "poll", "--mailbox", "reports"], environment: environment.merging(["HOTLINE_FAULT_EXIT_IN_MAIL": "1"]) { $1 })
        #expect(next.status == 0, "\(next.stderr)")
        #expect(
            next.lines == [#"{"mailbox":"reports","messages":1,"reports":0,"acknowledgements":0,"unclear":0,"bounces":0,"set_aside":1,"already_handled":0}"#])
        let log = gateway.objects(try gateway.run(["mail", "log"])).compactMap { $0["detail"] as? String }
        #expect(log == ["handling this message stopped the gateway before (attempt 2); set aside for people"])
        #expect(try inbox.count(in: "Hotline People") == 2)
    }
}
