import Foundation
import HotlineCore
import HotlineNet
import HotlineTesting
import Testing

/// A gateway set up in a temporary directory: the shipped rules and templates, a contact
/// directory and config pointing at loopback servers, and a known-hash list.
struct Gateway {
    let directory: URL
    var data: String { directory.appendingPathComponent("data").path }
    var config: String { directory.appendingPathComponent("hotline.yaml").path }
    static let start = Date(timeIntervalSince1970: 1_798_000_000)

    init(smtpPort: UInt16, contacts: String, knownMD5s: [String], extra: String = "", dispatch: String = "") throws {
        directory = try CLI.temporaryDirectory()
        let root = CLI.root.path
        try """
        version: 1
        hotline: { name: Test Hotline, country: NL, email: notices@hotline.test, domain: hotline.test, website: https://hotline.test }
        rules: \(root)/Rules
        contacts: contacts.yaml
        templates: \(root)/Config/templates
        dns: off
        rdap: off
        smtp: { host: 127.0.0.1, port: \(smtpPort), security: none, timeout: 5s }
        dispatch:
          batch_window: 1h
          retry: { initial: 1m, maximum: 1h, attempts: 5 }
        \(dispatch.isEmpty ? "" : "  " + dispatch)
        fetch: { allow: [127.0.0.0/8], timeout: 3s, intake: { enabled: true } }
        \(extra)
        """.write(to: directory.appendingPathComponent("hotline.yaml"), atomically: true, encoding: .utf8)
        try contacts.write(to: directory.appendingPathComponent("contacts.yaml"), atomically: true, encoding: .utf8)
        try (["md5,classification"] + knownMD5s.map { "\($0),A1" }).joined(separator: "\n").write(
            to: directory.appendingPathComponent("list.csv"), atomically: true, encoding: .utf8)
        let imported = try run(["hashes", "import", "--format", "csv", "--list", "police", "list.csv"])
        #expect(imported.status == 0, "\(imported.stderr)")
    }

    /// Runs a command with this gateway's config and data directory.
    func run(_ arguments: [String], stdin: String? = nil, environment: [String: String] = [:]) throws -> CLI.Result {
        var full = arguments
        let insertAt =
            arguments.firstIndex {
                $0.hasPrefix("-")
                    || ![
                        "notices", "hashes", "import", "list", "show", "held", "release", "work", "ingest", "outbox", "stats", "hosters", "summary", "mail",
                        "poll", "log", "dispatch", "pending", "holds", "add", "end", "online", "survival", "publish",
                    ].contains($0)
            } ?? arguments.count
        full.insert(contentsOf: ["--data-dir", data, "--config", config], at: insertAt)
        return try CLI.run(full, stdin: stdin, in: directory, environment: environment)
    }

    /// `--at` for `hours` after the start.
    static func at(_ hours: Double) -> String { RFC3339.format(start.addingTimeInterval(hours * 3600)) }

    func objects(_ result: CLI.Result) -> [[String: Any]] {
        result.lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    /// The decisions `hotline ingest --wait` printed, one per input line.
    func decisions(_ result: CLI.Result) -> [[String: Any]] {
        result.finalLines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    func remove() { try? FileManager.default.removeItem(at: directory) }
}

/// The MIME parts of a message, decoded: (content type, body).
func mimeParts(_ message: String) -> [(type: String, body: String)] {
    guard let boundaryRange = message.range(of: "boundary=\"") else { return [] }
    let boundary = String(message[boundaryRange.upperBound...].prefix { $0 != "\"" })
    return message.components(separatedBy: "--" + boundary).dropFirst().compactMap { part in
        guard let split = part.range(of: "\r\n\r\n") else { return nil }
        let headers = String(part[..<split.lowerBound])
        var body = String(part[split.upperBound...])
        let type =
            headers.components(separatedBy: "\r\n").first { $0.lowercased().hasPrefix("content-type:") }?.dropFirst(13).trimmingCharacters(in: .whitespaces)
            ?? ""
        if headers.contains("Content-Transfer-Encoding: base64") {
            body = String(decoding: Data(base64Encoded: body.replacingOccurrences(of: "\r\n", with: "")) ?? Data(), as: UTF8.self)
        } else if headers.contains("quoted-printable") {
            body = decodeQuotedPrintable(body)
        }
        return (type, body)
    }
}

func decodeQuotedPrintable(_ text: String) -> String {
    var bytes: [UInt8] = []
    let source = Array(text.replacingOccurrences(of: "=\r\n", with: "").utf8)
    var index = 0
    while index < source.count {
        if source[index] == UInt8(ascii: "="), index + 2 < source.count,
            let value = UInt8(String(decoding: source[index + 1...index + 2], as: UTF8.self), radix: 16)
        {
            bytes.append(value)
            index += 3
        } else {
            bytes.append(source[index])
            index += 1
        }
    }
    return String(decoding: bytes, as: UTF8.self)
}

@Suite(.serialized, .enabled(if: TestSMTPServer.available)) struct DispatchCLITests {
    static let secret = "webhook-secret-\(UUID().uuidString)"

    /// The MD5 of what the loopback hoster serves at /content/NAME.
    func md5(of hoster: TestHosterServer, _ name: String) throws -> String {
        let response = try HTTPClient(timeout: 3).get(hoster.url("/content/\(name)"), accept: "*/*")
        return ContentDigestSet(response.body).md5
    }

    func loopbackContact(channel: String, hoster: TestHosterServer?) -> String {
        let webhook = channel == "webhook" ? "\n    webhook: \(hoster!.url("/webhook"))\n    webhook_secret_env: HOTLINE_TEST_WEBHOOK_SECRET" : ""
        return """
            version: 1
            contacts:
              - id: loopback-hosting
                name: Loopback Hosting B.V.
                prefixes: ["127.0.0.0/8"]
                country: NL
                abuse: [abuse@loopback-hosting.test]
                channel: \(channel)\(webhook)
                language: nl
                ntd_member: true
            """
    }

    @Test func aKnownReportBecomesOneBatchedDutchNoticeWithValidXARFAndAReminderAtTheDeadline() throws {
        let smtp = try TestSMTPServer()
        let hoster = try TestHosterServer(secret: Self.secret)
        let gateway = try Gateway(
            smtpPort: smtp.port, contacts: loopbackContact(channel: "email", hoster: nil), knownMD5s: [try md5(of: hoster, "a"), try md5(of: hoster, "b")])
        defer { gateway.remove() }
        let reports =
            [
                #"{"url": "\#(hoster.url("/content/a"))", "source": {"type": "crawler"}, "hashes": {"md5": "\#(try md5(of: hoster, "a"))"}}"#,
                #"{"url": "\#(hoster.url("/content/b"))", "source": {"type": "crawler"}, "hashes": {"md5": "\#(try md5(of: hoster, "b"))"}}"#,
            ].joined(separator: "\n") + "\n"
        // The gateway fetches both URLs and finds the listed files there itself.
        let ingest = try gateway.run(["ingest", "--wait", "--at", Gateway.at(0), "-"], stdin: reports)
        #expect(
            gateway.decisions(ingest).map { $0["rule"] as? String } == ["known-material-at-local-hoster", "known-material-at-local-hoster"],
            "\(ingest.stdout)\(ingest.stderr)")

        let early = try gateway.run(["work", "--at", Gateway.at(0.5)])
        #expect(early.status == 0, "\(early.stderr)")
        #expect(smtp.messages().isEmpty)
        let work = try gateway.run(["work", "--at", Gateway.at(1.01)])
        #expect(work.status == 0, "\(work.stderr)")
        #expect(gateway.objects(work).first?["delivered"] as? Int == 1)

        let messages = smtp.messages()
        try #require(messages.count == 1)
        let notices = gateway.objects(try gateway.run(["notices", "list"]))
        let reference = try #require(notices.first?["reference"] as? String)
        #expect(notices.first?["status"] as? String == "sent")
        #expect(notices.first?["urls"] as? Int == 2)
        let message = messages[0]
        #expect(message.hasPrefix("X-Envelope-From: notices@hotline.test\r\nX-Envelope-To: abuse@loopback-hosting.test\r\n"))
        #expect(message.contains("\r\nX-Hotline-Reference: \(reference)\r\n"))
        #expect(message.contains("\r\nFrom: \"Test Hotline\" <notices@hotline.test>\r\n"))
        #expect(message.contains("\r\nMessage-ID: <"))
        let parts = mimeParts(message)
        #expect(
            parts.map(\.type) == [
                "text/plain; charset=utf-8", "application/json; name=\"xarf-\(reference)-1.json\"", "application/json; name=\"xarf-\(reference)-2.json\"",
            ])
        #expect(parts[0].body.contains("Geachte abuse-afdeling van Loopback Hosting B.V.,"))
        #expect(parts[0].body.contains("1. \(hoster.url("/content/a"))\r\n   classificatie: A1, vastgesteld via: hash_match"))
        #expect(parts[0].body.contains("2. \(hoster.url("/content/b"))"))

        // The attachments validate against the official X-ARF v4 schema.
        var files: [String] = []
        for (index, part) in parts.dropFirst().enumerated() {
            let file = gateway.directory.appendingPathComponent("xarf-\(index).json").path
            try part.body.write(toFile: file, atomically: true, encoding: .utf8)
            files.append(file)
        }
        let validation = try CLI.python(
            [
                CLI.root.appendingPathComponent("Tests/HotlineNetTests/Servers/xarf_validate.py").path,
                CLI.root.appendingPathComponent("Tests/HotlineNetTests/Fixtures/xarf-schema").path,
            ] + files)
        #expect(validation.status == 0, "\(validation.output)")
        let xarf = try #require(try JSONSerialization.jsonObject(with: Data(parts[1].body.utf8)) as? [String: Any])
        #expect(xarf["type"] as? String == "csam")
        #expect(xarf["detection_method"] as? String == "hash_match")
        #expect((xarf["hash_values"] as? [String: String])?["md5"] == (try md5(of: hoster, "a")))
        #expect(xarf["source_identifier"] as? String == "127.0.0.1")

        // Still online at the deadline: a reminder in the same thread.
        _ = try gateway.run(["work", "--at", Gateway.at(2.1)])
        _ = try gateway.run(["work", "--at", Gateway.at(7.1)])
        let overdue = try gateway.run(["work", "--at", Gateway.at(25.1)])
        #expect(gateway.objects(overdue).first?["overdue"] as? Int == 1, "\(overdue.stdout)\(overdue.stderr)")
        let all = smtp.messages()
        try #require(all.count == 2)
        let firstID = try #require(message.components(separatedBy: "\r\n").first { $0.hasPrefix("Message-ID: ") }?.dropFirst(12))
        #expect(all[1].contains("\r\nIn-Reply-To: \(firstID)\r\n"))
        #expect(all[1].contains("Subject: =?UTF-8?B?") || all[1].contains("Subject: [\(reference)] Herinnering 1"))
        // The reminder claims no more than the checks saw: what the last one found, and when.
        let reminder = mimeParts(all[1])[0].body
        #expect(reminder.contains("nog niet kunnen vaststellen"))
        #expect(reminder.contains("laatste controle: online: HTTP 200 ("), "\(reminder)")
        let shown = gateway.objects(try gateway.run(["notices", "show", reference])).first
        #expect(shown?["reminders"] as? Int == 1)
        #expect((shown?["events"] as? [[String: Any]])?.compactMap { $0["event"] as? String } == ["created", "delivered", "notice.overdue", "delivered"])
    }

    /// Issue 18.1, 18.2 and 18.4 as two abuse desks read them: the same listed file at two
    /// hosters reaches both, each first notice states its deadline, and a reminder says what the
    /// checks found rather than "still online".
    @Test func aSignedNoticeVerifiesWithOpenSSLAndATamperedOneDoesNot() throws {
        let smtp = try TestSMTPServer()
        let hoster = try TestHosterServer(secret: Self.secret)
        let keys = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: keys) }
        let openssl = Process()
        openssl.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        openssl.arguments = [
            "req", "-x509", "-newkey", "rsa:2048", "-keyout", keys.appendingPathComponent("key.pem").path, "-out", keys.appendingPathComponent("cert.pem").path,
            "-days", "2", "-subj", "/CN=notices@hotline.test", "-addext", "subjectAltName=email:notices@hotline.test", "-passout", "pass:correct horse",
        ]
        openssl.standardError = FileHandle.nullDevice
        try openssl.run()
        openssl.waitUntilExit()
        try #require(openssl.terminationStatus == 0)
        try "correct horse\n".write(to: keys.appendingPathComponent("passphrase"), atomically: true, encoding: .utf8)
        let signing =
            "signing: { smime: { certificate_file: \(keys.appendingPathComponent("cert.pem").path), key_file: \(keys.appendingPathComponent("key.pem").path), passphrase_file: \(keys.appendingPathComponent("passphrase").path) } }"
        let gateway = try Gateway(
            smtpPort: smtp.port, contacts: loopbackContact(channel: "email", hoster: nil), knownMD5s: [try md5(of: hoster, "a")], dispatch: signing)
        defer { gateway.remove() }
        let ingest = try gateway.run(
            ["ingest", "--wait", "--at", Gateway.at(0), "-"], stdin: #"{"url": "\#(hoster.url("/content/a"))", "source": {"type": "crawler"}}"# + "\n")
        #expect(ingest.status == 0, "\(ingest.stderr)")
        let work = try gateway.run(["work", "--at", Gateway.at(1.01)])
        #expect(gateway.objects(work).first?["delivered"] as? Int == 1, "\(work.stdout)\(work.stderr)")
        let message = try #require(smtp.messages().first)
        #expect(message.contains("Content-Type: multipart/signed; protocol=\"application/pkcs7-signature\"; micalg=sha-256"))
        // The test server puts the envelope first; the rest is the message as sent.
        let sent = message.components(separatedBy: "\r\n").drop { $0.hasPrefix("X-Envelope-") }.joined(separator: "\r\n")
        func verify(_ text: String) throws -> Int32 {
            let file = keys.appendingPathComponent("message-\(UUID().uuidString).eml")
            try text.write(to: file, atomically: true, encoding: .utf8)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
            process.arguments = [
                "smime", "-verify", "-in", file.path, "-CAfile", keys.appendingPathComponent("cert.pem").path, "-purpose", "any", "-out", "/dev/null",
            ]
            process.standardError = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            return process.terminationStatus
        }
        #expect(try verify(sent) == 0, "the signature verifies")
        #expect(try verify(sent.replacingOccurrences(of: "Loopback Hosting", with: "Loopback Hostinq")) != 0, "a changed notice does not")

        // A wrong passphrase stops the gateway from starting, with the reason.
        try "wrong\n".write(to: keys.appendingPathComponent("passphrase"), atomically: true, encoding: .utf8)
        let refused = try gateway.run(["work", "--at", Gateway.at(1.1)])
        #expect(refused.status != 0 && refused.stderr.contains("dispatch.signing.smime"), "\(refused.stderr)")
    }

    @Test func aStandingHoldKeepsTheNoticeBackUntilItEndsAndThenItGoesOutOnce() throws {
        let smtp = try TestSMTPServer()
        let hoster = try TestHosterServer(secret: Self.secret)
        let gateway = try Gateway(smtpPort: smtp.port, contacts: loopbackContact(channel: "email", hoster: nil), knownMD5s: [try md5(of: hoster, "a")])
        defer { gateway.remove() }
        let both = try gateway.run(["holds", "add", "--domain", "x.test", "--network", "192.0.2.0/24", "--until", "1d", "--reason", "r"])
        #expect(both.status == 64, "one scope at a time: \(both.stderr)")
        let add = try gateway.run([
            "holds", "add", "--contact", "loopback-hosting", "--until", Gateway.at(5), "--reason", "police investigation", "--police", "--at", Gateway.at(0),
        ])
        #expect(add.status == 0, "\(add.stderr)")
        let ingest = try gateway.run(
            ["ingest", "--wait", "--at", Gateway.at(0), "-"], stdin: #"{"url": "\#(hoster.url("/content/a"))", "source": {"type": "crawler"}}"# + "\n")
        let decided = gateway.decisions(ingest)
        #expect(decided.map { $0["rule"] as? String } == ["known-material-at-local-hoster"], "\(ingest.stdout)\(ingest.stderr)")
        let facts = try FaultCLITests.sqlite(gateway.data + "/hotline.sqlite", "select facts from decisions order by rowid desc limit 1")
        #expect(facts.contains(#""hold.active":true"#) && facts.contains(#""hold.police":true"#), "\(facts)")
        let held = try gateway.run(["work", "--at", Gateway.at(1.01)])
        #expect(gateway.objects(held).first?["on_hold"] as? Int == 1, "\(held.stdout)")
        #expect(gateway.objects(held).first?["delivered"] as? Int == 0)
        #expect(try gateway.run(["holds", "list", "--active", "--at", Gateway.at(4.9)]).lines.count == 1)
        #expect(try gateway.run(["work", "--at", Gateway.at(4.9)]).stdout.contains(#""delivered":0"#))
        #expect(smtp.messages().isEmpty)
        let released = try gateway.run(["work", "--at", Gateway.at(5.01)])
        #expect(gateway.objects(released).first?["holds_ended"] as? Int == 1, "\(released.stdout)")
        #expect(gateway.objects(released).first?["delivered"] as? Int == 1)
        let after = try gateway.run(["work", "--at", Gateway.at(5.1)])
        #expect(gateway.objects(after).first?["delivered"] as? Int == 0)
        #expect(smtp.messages().count == 1, "sent once")
        #expect(try gateway.run(["holds", "list", "--active", "--at", Gateway.at(5.2)]).lines.isEmpty)
        let audit = try FaultCLITests.sqlite(
            gateway.data + "/hotline.sqlite", "select group_concat(event, ' ') from (select event from audit_log where event like 'hold.%' order by seq)")
        #expect(audit == "hold.placed hold.ended")
    }

    @Test func theSameKnownFileAtTwoHostersReachesBothWithADeadlineAndHonestReminders() throws {
        let smtp = try TestSMTPServer()
        let contacts = """
            version: 1
            contacts:
              - { id: hoster-a, name: Hoster A, domains: [a.example.test], country: NL, abuse: [abuse@a.example.test] }
              - { id: hoster-b, name: Hoster B, domains: [b.example.test], country: NL, abuse: [abuse@b.example.test] }
            """
        let md5 = "0123456789abcdef0123456789abcdef"
        let gateway = try Gateway(smtpPort: smtp.port, contacts: contacts, knownMD5s: [md5])
        defer { gateway.remove() }
        let reports =
            [
                #"{"url": "https://a.example.test/x.jpg", "hashes": {"md5": "\#(md5)"}}"#,
                #"{"url": "https://b.example.test/copy.jpg", "hashes": {"md5": "\#(md5)"}}"#,
                #"{"url": "https://a.example.test/x.jpg", "hashes": {"md5": "\#(md5)"}}"#,
            ].joined(separator: "\n") + "\n"
        // These hosts do not resolve (no DNS here): the operator vouches for the hashes.
        let ingest = try gateway.run(["ingest", "--wait", "--trust-hashes", "--at", Gateway.at(0), "-"], stdin: reports)
        let decided = gateway.decisions(ingest)
        // The copy joins the case but is a new place to remove it from; only the same URL again is a duplicate.
        #expect(
            decided.map { "\($0["outcome"] ?? "") \($0["rule"] ?? "")" } == [
                "notify known-material-at-local-hoster", "notify known-material-at-local-hoster", "close duplicate-of-open-case",
            ], "\(ingest.stdout)\(ingest.stderr)")
        #expect(Set(decided.compactMap { $0["case_id"] as? String }).count == 1)

        // Issue 18.10: before the window ends, the pass says what waits and until when.
        let early = try gateway.run(["work", "--at", Gateway.at(0.5)])
        let pass = try #require(gateway.objects(early).last)
        #expect(pass["delivered"] as? Int == 0)
        #expect(pass["waiting"] as? Int == 2, "\(early.stdout)")
        // An hour after ingest, which ran a moment past its --at (seconds, on a loaded machine).
        let windowEnd = Gateway.start.addingTimeInterval(3600)
        func nearWindowEnd(_ text: Any?) -> Bool {
            guard let text = text as? String, let date = RFC3339.parse(text) else { return false }
            return date >= windowEnd && date < windowEnd.addingTimeInterval(30)
        }
        #expect(nearWindowEnd(pass["next_batch_at"]), "\(early.stdout)")
        let pending = try gateway.run(["dispatch", "pending", "--at", Gateway.at(0.5)])
        #expect(pending.status == 0, "\(pending.stderr)")
        let items = gateway.objects(pending)
        #expect(Set(items.compactMap { $0["recipient"] as? String }) == ["Hoster A", "Hoster B"])
        #expect(
            items.allSatisfy {
                nearWindowEnd($0["batch_due_at"]) && $0["due"] as? Bool == false && $0["deadline"] as? String == "24h"
            }, "\(pending.stdout)")
        #expect(
            pending.stderr.hasPrefix("dispatch: 2 waiting in 2 batches (0 due now, next at \(String(RFC3339.format(windowEnd).prefix(13)))"),
            "\(pending.stderr)")
        #expect(pending.stderr.hasSuffix("), 0 held for the police\n"))

        let work = try gateway.run(["work", "--at", Gateway.at(1.01)])
        #expect(work.status == 0, "\(work.stderr)")
        #expect(gateway.objects(work).last?["waiting"] as? Int == 0)
        let messages = smtp.messages()
        try #require(messages.count == 2)
        let deadline = MIME.humanDate(Gateway.start.addingTimeInterval(1.01 * 3600 + 24 * 3600))
        for (desk, url) in [("abuse@a.example.test", "https://a.example.test/x.jpg"), ("abuse@b.example.test", "https://b.example.test/copy.jpg")] {
            let message = try #require(messages.first { $0.contains("X-Envelope-To: \(desk)\r\n") }, "no notice to \(desk)")
            let text = mimeParts(message)[0].body
            #expect(text.contains("1. \(url)\r\n"), "\(text)")
            #expect(!text.contains("2. "))
            // Stated in the first notice, not blank until delivery.
            #expect(text.contains("Please remove this material before \(deadline) (24 hours after this notice)"), "\(text)")
        }

        // The checks cannot tell (the hosts do not resolve here): the reminder says so.
        for hours in [2.1, 7.1, 25.1, 25.2] { _ = try gateway.run(["work", "--at", Gateway.at(hours)]) }
        let all = smtp.messages()
        let reminders = all.filter { $0.contains("Subject: [HG-") && $0.contains("] Reminder") }
        try #require(reminders.count == 2, "\(all.count) messages")
        for reminder in reminders {
            let text = mimeParts(reminder)[0].body
            #expect(!text.contains("still online"), "\(text)")
            #expect(text.contains("last check: inconclusive"), "\(text)")
        }
    }

    @Test func aWebhookHosterThatFailsTwiceAndRemovesAfterTheReminderIsFollowedUntilClosed() throws {
        let smtp = try TestSMTPServer()
        let hoster = try TestHosterServer(secret: Self.secret, removeAfter: 2, failWebhook: 2)
        let gateway = try Gateway(smtpPort: smtp.port, contacts: loopbackContact(channel: "webhook", hoster: hoster), knownMD5s: [try md5(of: hoster, "w")])
        defer { gateway.remove() }
        let environment = ["HOTLINE_TEST_WEBHOOK_SECRET": Self.secret]
        let url = hoster.url("/content/w")
        _ = try gateway.run(
            ["ingest", "--wait", "--at", Gateway.at(0), "-"], stdin: #"{"url": "\#(url)", "hashes": {"md5": "\#(try md5(of: hoster, "w"))"}}"# + "\n")
        var totals: [String: Int] = [:]
        for hours in [1.01, 1.05, 1.1, 1.2, 2.3, 7.3, 25.3, 25.4, 49.3, 49.9, 50.5] {
            let pass = try gateway.run(["work", "--at", Gateway.at(hours)], environment: environment)
            #expect(pass.status == 0, "\(pass.stderr)")
            for (key, value) in gateway.objects(pass).first ?? [:] { totals[key, default: 0] += value as? Int ?? 0 }
        }
        #expect(totals["retried"] == 2)
        #expect(totals["overdue"] == 1)
        #expect(totals["removed"] == 1)
        let state = try hoster.state()
        #expect(state["notices"] == .number(2))
        #expect(state["bad_signatures"] == .number(0))
        #expect(state["removed"] == .array([.string(url)]))
        let notice = try #require(gateway.objects(try gateway.run(["notices", "list"])).first)
        #expect(notice["status"] as? String == "removed")
        #expect(notice["channel"] as? String == "webhook")
        let shown = try #require(gateway.objects(try gateway.run(["notices", "show", notice["id"] as! String])).first)
        let events = (shown["events"] as? [[String: Any]])?.compactMap { $0["event"] as? String }
        #expect(events == ["created", "delivery.retry", "delivery.retry", "delivered", "notice.overdue", "delivered", "checked", "checked", "notice.removed"])
        let removedEvent = (shown["events"] as? [[String: Any]])?.last
        #expect(removedEvent?["rule"] as? String == "removed-close-case")
        #expect(smtp.messages().isEmpty)
        // The statistics see one notice, removed after the reminder: not within 24 hours.
        let csv = try gateway.run(["stats", "hosters", "--format", "csv", "--at", Gateway.at(51)])
        #expect(csv.lines.count == 2, "\(csv.stdout)\(csv.stderr)")
        #expect(csv.lines.last?.hasPrefix("Loopback Hosting B.V.,,NL,1,1,0,1,") == true, "\(csv.stdout)")
        #expect(csv.lines.last?.contains(",0.000,1.000,0,0,1,0") == true, "\(csv.stdout)")
    }

    @Test func killedMidDeliveryTheGatewayLosesNothingAndRepeatsNothingUnrecognisably() throws {
        let smtp = try TestSMTPServer()
        let hoster = try TestHosterServer(secret: Self.secret)
        let hosts = (1...6).map { "h\($0).example.test" }
        let contacts =
            "version: 1\ncontacts:\n"
            + hosts.enumerated().map { index, host in
                "  - { id: hoster-\(index + 1), name: Hoster \(index + 1), domains: [\(host)], country: NL, abuse: [abuse@\(host)] }"
            }.joined(separator: "\n") + "\n"
        // Different content on each host: the same content would join one case.
        let md5s = try (1...6).map { try md5(of: hoster, "k\($0)") }
        let gateway = try Gateway(smtpPort: smtp.port, contacts: contacts, knownMD5s: md5s)
        defer { gateway.remove() }
        let reports = zip(hosts, md5s).map { #"{"url": "https://\#($0.0)/k.jpg", "hashes": {"md5": "\#($0.1)"}}"# }.joined(separator: "\n") + "\n"
        // These hosts do not resolve (no DNS here): the operator vouches for the hashes.
        let ingest = try gateway.run(["ingest", "--wait", "--trust-hashes", "--at", Gateway.at(0), "-"], stdin: reports)
        #expect(gateway.decisions(ingest).allSatisfy { $0["outcome"] as? String == "notify" }, "\(ingest.stdout)")

        // Dies right after the server accepted the third message, before recording it.
        let crashed = try gateway.run(["work", "--offline", "--at", Gateway.at(1.1)], environment: ["HOTLINE_FAULT_EXIT_AFTER_DELIVERIES": "3"])
        #expect(crashed.status == 137)
        #expect(smtp.messages().count == 3)
        let resumed = try gateway.run(["work", "--offline", "--at", Gateway.at(1.2)])
        #expect(resumed.status == 0, "\(resumed.stderr)")

        let received = smtp.messages()
        let ids = received.map { message in message.components(separatedBy: "\r\n").first { $0.hasPrefix("Message-ID: ") } ?? "" }
        // Every notice arrived; the one in flight at the crash arrived again with the same
        // Message-ID (so the receiver can drop it); nothing else twice.
        #expect(Set(ids).count == 6)
        #expect(received.count == 7)
        try #require(ids.count == 7)
        #expect(ids.filter { $0 == ids[2] }.count == 2)
        let notices = gateway.objects(try gateway.run(["notices", "list"]))
        #expect(notices.count == 6)
        #expect(notices.allSatisfy { $0["status"] as? String == "sent" })
        #expect(Set(received.compactMap { $0.components(separatedBy: "\r\n").first { $0.hasPrefix("X-Envelope-To: ") } }).count == 6)
        #expect(try gateway.run(["outbox"]).stdout.isEmpty)
    }

    @Test func aSlowSMTPServerTimesOutAndTheNoticeIsDeliveredOnceItAnswersAgain() throws {
        // Slower than the gateway's 5 s SMTP timeout.
        let slow = try TestSMTPServer(options: ["--delay", "7"])
        let fast = try TestSMTPServer()
        let hoster = try TestHosterServer(secret: Self.secret)
        let md5 = try md5(of: hoster, "slow")
        let contacts =
            "version: 1\ncontacts:\n  - { id: hoster-1, name: Hoster 1, domains: [slow.example.test], country: NL, abuse: [abuse@slow.example.test] }\n"
        let gateway = try Gateway(smtpPort: slow.port, contacts: contacts, knownMD5s: [md5])
        defer { gateway.remove() }
        let ingest = try gateway.run(
            ["ingest", "--wait", "--trust-hashes", "--at", Gateway.at(0), "-"],
            stdin: #"{"url": "https://slow.example.test/s.jpg", "hashes": {"md5": "\#(md5)"}}"# + "\n")
        #expect(gateway.decisions(ingest).first?["outcome"] as? String == "notify")

        let timedOut = try gateway.run(["work", "--offline", "--at", Gateway.at(1.1)])
        #expect(timedOut.status == 0, "\(timedOut.stderr)")
        #expect(gateway.objects(timedOut).first?["delivered"] as? Int == 0)
        // The outage is a warning with the error and the retry, not only "retried": 1 (issue 18.11).
        let warning = try #require(
            timedOut.stderr.components(separatedBy: "\n").first { $0.hasPrefix("hotline: warning: delivery of HG-") }, "\(timedOut.stderr)")
        #expect(warning.contains(" failed (attempt 1): \"SMTP 127.0.0.1:\(slow.port): Timeout was reached"), "\(warning)")
        #expect(warning.contains("; retry at "))
        let waiting = try gateway.run(["outbox"])
        let pending = try #require(gateway.objects(waiting).first, "\(waiting.stdout)")
        #expect(pending["status"] as? String == "pending" && pending["attempts"] as? Int == 1)
        #expect((pending["last_error"] as? String)?.hasPrefix("SMTP 127.0.0.1:\(slow.port): Timeout was reached") == true, "\(waiting.stdout)")
        #expect(gateway.objects(try gateway.run(["notices", "list"])).first?["status"] as? String != "sent")

        // The operator points the gateway at a working server; the retry (1 minute later) delivers it.
        let config = try String(contentsOfFile: gateway.config, encoding: .utf8)
        try config.replacingOccurrences(of: "port: \(slow.port)", with: "port: \(fast.port)").write(toFile: gateway.config, atomically: true, encoding: .utf8)
        let retried = try gateway.run(["work", "--offline", "--at", Gateway.at(1.2)])
        #expect(gateway.objects(retried).first?["delivered"] as? Int == 1, "\(retried.stdout)\(retried.stderr)")
        #expect(fast.messages().count == 1)
        #expect(try gateway.run(["outbox"]).stdout.isEmpty)
        #expect(gateway.objects(try gateway.run(["notices", "list"])).first?["status"] as? String == "sent")
        // The slow server may still have taken the first attempt after the gateway gave up: if so,
        // under the same Message-ID, so the hoster sees one notice.
        usleep(2_500_000)
        let ids = (slow.messages() + fast.messages()).map { message in message.components(separatedBy: "\r\n").first { $0.hasPrefix("Message-ID: ") } ?? "" }
        #expect(Set(ids).count == 1)
    }

}
