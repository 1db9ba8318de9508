import Foundation
import HotlineConfig
import HotlineCore
import HotlineHosting
import HotlineTesting
import Testing

@testable import HotlineNet

/// A message as the gateway writes them, small.
func testMessage(_ subject: String, id: String) -> [UInt8] {
    Array("From: notices@hotline.test\r\nTo: abuse@hoster.test\r\nSubject: \(subject)\r\nMessage-ID: <\(id)@hotline.test>\r\n\r\nBody of \(subject).\r\n".utf8)
}

/// A self-signed certificate for 127.0.0.1, made with openssl for one test.
func makeCertificate() throws -> (cert: String, key: String) {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hotline-tls-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    let cert = directory + "/cert.pem"
    let key = directory + "/key.pem"
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
    process.arguments = [
        "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=127.0.0.1", "-addext",
        "subjectAltName=IP:127.0.0.1",
    ]
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { throw CocoaError(.fileWriteUnknown) }
    return (cert, key)
}

@Suite(.serialized, .enabled(if: TestSMTPServer.available)) struct SMTPClientTests {
    @Test func sendsSeveralMessagesOverOneClientAndTheServerHasThemAll() throws {
        let server = try TestSMTPServer()
        let client = SMTPClient(settings: SMTPSettings(host: "127.0.0.1", port: Int(server.port), security: .none, timeout: 5))
        for index in 1...3 {
            try client.send(
                from: "notices@hotline.test", to: ["abuse@hoster.test", "noc@hoster.test"], message: testMessage("notice \(index)", id: "m\(index)"))
        }
        let messages = server.messages()
        #expect(messages.count == 3)
        #expect(messages[0].hasPrefix("X-Envelope-From: notices@hotline.test\r\nX-Envelope-To: abuse@hoster.test,noc@hoster.test\r\n"))
        #expect(messages[2].contains("Subject: notice 3\r\n"))
        #expect(messages[2].contains("Message-ID: <m3@hotline.test>"))
    }

    @Test func anAddressWithLineBreaksIsRefusedBeforeAnythingIsSent() throws {
        let server = try TestSMTPServer()
        let client = SMTPClient(settings: SMTPSettings(host: "127.0.0.1", port: Int(server.port), security: .none, timeout: 5))
        for recipients in [
            ["abuse@hoster.test>\r\nRCPT TO:<attacker@evil.test>"], ["abuse@hoster.test", "x@y.test\nBcc: attacker@evil.test"], ["<abuse@hoster.test>"],
        ] {
            do {
                try client.send(from: "notices@hotline.test", to: recipients, message: testMessage("injected", id: "i1"))
                Issue.record("sent to \(recipients)")
            } catch {
                #expect(error.message.hasPrefix("refused to send: "), "\(error.message)")
                #expect(error.isPermanent)
            }
        }
        do {
            try client.send(from: "notices@hotline.test>\r\nRCPT TO:<attacker@evil.test>", to: ["abuse@hoster.test"], message: testMessage("x", id: "i2"))
        } catch {
            #expect(error.message == #"refused to send: "notices@hotline.test>\r\nRCPT TO:<attacker@evil.test>" is not a plain e-mail address"#)
        }
        #expect(server.messages().isEmpty)
    }

    @Test func startTLSWithLoginAndTheCertificateChecked() throws {
        let (cert, key) = try makeCertificate()
        let server = try TestSMTPServer(options: ["--tls", cert, key, "--auth", "gateway:s3cret"])
        let trusted = SMTPClient(
            settings: SMTPSettings(
                host: "127.0.0.1", port: Int(server.port), security: .starttls, username: "gateway", password: .value("s3cret"), caFile: cert, timeout: 5))
        try trusted.send(from: "notices@hotline.test", to: ["abuse@hoster.test"], message: testMessage("over tls", id: "t1"))
        #expect(server.messages().first?.contains("X-Envelope-TLS: yes\r\nX-Envelope-Auth: yes\r\n") == true)
        // The system's CAs do not know this certificate: nothing is sent.
        let untrusted = SMTPClient(
            settings: SMTPSettings(host: "127.0.0.1", port: Int(server.port), security: .starttls, username: "gateway", password: .value("s3cret"), timeout: 5))
        #expect(throws: SMTPError.self) { try untrusted.send(from: "notices@hotline.test", to: ["abuse@hoster.test"], message: testMessage("x", id: "t2")) }
        // A wrong password sends nothing.
        let wrong = SMTPClient(
            settings: SMTPSettings(
                host: "127.0.0.1", port: Int(server.port), security: .starttls, username: "gateway", password: .value("nope"), caFile: cert, timeout: 2))
        #expect(throws: SMTPError.self) { try wrong.send(from: "notices@hotline.test", to: ["abuse@hoster.test"], message: testMessage("x", id: "t3")) }
        #expect(server.messages().count == 1)
    }

    @Test func aServerWithoutStartTLSIsRefusedWhenTLSIsRequired() throws {
        let server = try TestSMTPServer()
        let client = SMTPClient(settings: SMTPSettings(host: "127.0.0.1", port: Int(server.port), security: .starttls, timeout: 5))
        #expect(throws: SMTPError.self) { try client.send(from: "notices@hotline.test", to: ["abuse@hoster.test"], message: testMessage("x", id: "p1")) }
        #expect(server.messages().isEmpty)
    }

    @Test func transientAndPermanentRefusalsAreToldApart() throws {
        let server = try TestSMTPServer(options: ["--fail-first", "1", "--refuse", "gone@hoster.test"])
        let client = SMTPClient(settings: SMTPSettings(host: "127.0.0.1", port: Int(server.port), security: .none, timeout: 5))
        do {
            try client.send(from: "notices@hotline.test", to: ["abuse@hoster.test"], message: testMessage("first", id: "f1"))
            Issue.record("the 451 was not reported")
        } catch {
            #expect(error.replyCode == 451)
            #expect(!error.isPermanent)
        }
        try client.send(from: "notices@hotline.test", to: ["abuse@hoster.test"], message: testMessage("second", id: "f2"))
        do {
            try client.send(from: "notices@hotline.test", to: ["gone@hoster.test"], message: testMessage("third", id: "f3"))
            Issue.record("the 550 was not reported")
        } catch {
            #expect(error.replyCode == 550)
            #expect(error.isPermanent)
        }
        #expect(server.messages().count == 1)
    }

    @Test func nothingListeningIsATransientError() throws {
        let client = SMTPClient(settings: SMTPSettings(host: "127.0.0.1", port: 1, security: .none, timeout: 2))
        do {
            try client.send(from: "notices@hotline.test", to: ["abuse@hoster.test"], message: testMessage("x", id: "n1"))
            Issue.record("sent to nobody")
        } catch {
            #expect(error.replyCode == 0)
            #expect(!error.isPermanent)
        }
    }
}

@Suite(.serialized, .enabled(if: TestSMTPServer.available)) struct WebhookAndFetcherTests {
    static let secret = "test-secret-\(UUID().uuidString)"

    func webhookMessage(_ hoster: TestHosterServer, id: String, url: String, secretName: String? = "HOSTER_SECRET") -> OutboxMessage {
        let body = #"{"notice":{"reference":"HG-TEST"},"reports":[{"url":"\#(url)"}]}"#
        return OutboxMessage(
            id: id, noticeID: "n-\(id)", purpose: "notice", channel: .webhook, destinations: [hoster.url("/webhook")], sender: "notices@hotline.test",
            messageID: nil, secretEnvironment: secretName, payload: Array(body.utf8), nextAttemptAt: Date(), createdAt: Date())
    }

    @Test func webhooksAreSignedCarryTheIdempotencyKeyAndRetriesOfFailures() throws {
        let hoster = try TestHosterServer(secret: Self.secret, failWebhook: 2)
        let transport = NetNoticeTransport(
            smtp: SMTPClient(settings: SMTPSettings(host: "127.0.0.1", port: 1, security: .none)), environment: ["HOSTER_SECRET": Self.secret])
        let message = webhookMessage(hoster, id: "key-1", url: hoster.url("/content/a"))
        for _ in 0..<2 {
            do {
                _ = try transport.deliver(message)
                Issue.record("the failing webhook was taken as delivered")
            } catch {
                #expect(error.message == "webhook \(hoster.url("/webhook")) answered HTTP 500")
                #expect(!error.isPermanent)
            }
        }
        #expect(try transport.deliver(message) == "HTTP 202")
        // The same message again (a crash before it was recorded): the key makes it a no-op.
        #expect(try transport.deliver(message) == "HTTP 200")
        let state = try hoster.state()
        #expect(state["notices"] == .number(1))
        #expect(state["keys"] == .array([.string("key-1")]))
        #expect(state["bad_signatures"] == .number(0))
    }

    @Test func aWebhookThatTimesOutIsRetriedLater() throws {
        let hoster = try TestHosterServer(secret: Self.secret)
        let transport = NetNoticeTransport(
            smtp: SMTPClient(settings: SMTPSettings(host: "127.0.0.1", port: 1, security: .none)), http: HTTPClient(timeout: 1),
            environment: ["HOSTER_SECRET": Self.secret])
        var message = webhookMessage(hoster, id: "key-slow", url: hoster.url("/content/a"))
        message.destinations = [hoster.url("/webhook-slow")]
        do {
            _ = try transport.deliver(message)
            Issue.record("a timed-out webhook counted as delivered")
        } catch {
            #expect(!error.isPermanent)
            #expect(error.message.hasPrefix("webhook \(hoster.url("/webhook-slow")): Timeout was reached"), "\(error.message)")
        }
    }

    @Test func aWrongOrMissingSecretIsNotRetried() throws {
        let hoster = try TestHosterServer(secret: Self.secret)
        let wrong = NetNoticeTransport(
            smtp: SMTPClient(settings: SMTPSettings(host: "127.0.0.1", port: 1, security: .none)), environment: ["HOSTER_SECRET": "not-the-secret"])
        #expect(throws: DeliveryError("webhook \(hoster.url("/webhook")) answered HTTP 401", permanent: true)) {
            try wrong.deliver(webhookMessage(hoster, id: "key-2", url: hoster.url("/content/a")))
        }
        #expect(throws: DeliveryError("webhook secret not set: environment variable HOSTER_SECRET", permanent: true)) {
            try NetNoticeTransport(smtp: SMTPClient(settings: SMTPSettings(host: "127.0.0.1", port: 1, security: .none)), environment: [:]).deliver(
                webhookMessage(hoster, id: "key-3", url: "x"))
        }
        #expect(try hoster.state()["bad_signatures"] == .number(1))
    }

    /// Names resolve where the test says.
    struct FixedAddresses: AddressResolving {
        let answers: [String: [String]]
        func addresses(for host: String) -> AddressAnswer? {
            AddressAnswer(addresses: (answers[host] ?? []).compactMap(IPAddress.init), source: "test", detail: answers[host] == nil ? "no such host" : "ok")
        }
    }

    @Test func aWebhookIsDeliveredOnlyToAnAddressThePolicyAllowsAndPinnedThere() throws {
        let hoster = try TestHosterServer(secret: Self.secret)
        let smtp = SMTPClient(settings: SMTPSettings(host: "127.0.0.1", port: 1, security: .none))
        let strict = NetNoticeTransport(
            smtp: smtp, environment: ["HOSTER_SECRET": Self.secret],
            webhookGuard: (FixedAddresses(answers: ["hooks.example.test": ["10.0.0.5"]]), AddressPolicy()))
        var inside = webhookMessage(hoster, id: "key-g1", url: hoster.url("/content/a"))
        inside.destinations = ["https://hooks.example.test/notify"]
        #expect(
            throws: DeliveryError(
                "webhook https://hooks.example.test/notify refused: hooks.example.test resolves to 10.0.0.5 is in special-purpose network 10.0.0.0/8",
                permanent: true)
        ) {
            try strict.deliver(inside)
        }
        #expect(throws: DeliveryError.self, "loopback is refused unless allowed") { try strict.deliver(webhookMessage(hoster, id: "key-g2", url: "x")) }
        // A name that resolves to the (allowed) loopback hoster is pinned to it: the delivery
        // reaches it although the name itself means nothing to the system resolver.
        let allowed = NetNoticeTransport(
            smtp: smtp, environment: ["HOSTER_SECRET": Self.secret],
            webhookGuard: (FixedAddresses(answers: ["hooks.loopback.test": ["127.0.0.1"]]), AddressPolicy(allowed: [IPNetwork("127.0.0.0/8")!])))
        var pinned = webhookMessage(hoster, id: "key-g3", url: hoster.url("/content/a"))
        pinned.destinations = ["http://hooks.loopback.test:\(hoster.port)/webhook"]
        #expect(try allowed.deliver(pinned) == "HTTP 202")
        #expect(try hoster.state()["keys"] == .array([.string("key-g3")]))
    }

    @Test func theSignatureIsHMACSHA256OfTimestampAndBody() {
        // Reference value from Python: hmac.new(b"k", b"1700000000.{}", hashlib.sha256).hexdigest()
        #expect(NetNoticeTransport.signature(secret: "k", timestamp: 1_700_000_000, body: Array("{}".utf8)) == "t=1700000000,v1=" + hmacReference)
    }

    var hmacReference: String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import hmac,hashlib;print(hmac.new(b'k', b'1700000000.{}', hashlib.sha256).hexdigest())"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try? process.run()
        process.waitUntilExit()
        return String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func theFetcherRefusesLoopbackUnlessAllowedAndHashesWhatItReads() throws {
        let hoster = try TestHosterServer(secret: Self.secret)
        let strict = SafeFetcher(resolver: nil)
        #expect(strict.fetch(hoster.url("/content/a")) == .failed("refused: 127.0.0.1 is in special-purpose network 127.0.0.0/8"))
        let fetcher = SafeFetcher(resolver: nil, policy: AddressPolicy(allowed: [IPNetwork("127.0.0.0/8")!]))
        guard case .response(200, _, let digests?) = fetcher.fetch(hoster.url("/content/a")) else {
            Issue.record("not fetched")
            return
        }
        // The hoster serves sha256("a") repeated 64 times.
        #expect(digests.sha256.count == 64)
        #expect(fetcher.fetch(hoster.url("/content/a")) == fetcher.fetch(hoster.url("/content/a")))
        guard case .response(404, _, nil) = fetcher.fetch(hoster.url("/gone/a")) else {
            Issue.record("404 not seen")
            return
        }
        // Redirects are checked hop by hop: to the metadata address is refused.
        #expect(
            fetcher.fetch(hoster.url("/redirect?to=http://169.254.169.254/latest/meta-data/"))
                == .failed("refused: 169.254.169.254 is in special-purpose network 169.254.0.0/16"))
        guard case .response(200, let final, _) = fetcher.fetch(hoster.url("/redirect?to=/content/b")) else {
            Issue.record("redirect not followed")
            return
        }
        #expect(final == hoster.url("/content/b"))
        #expect(fetcher.fetch("ftp://127.0.0.1/x") == .failed("scheme ftp is not fetched"))
        #expect(fetcher.fetch("http://example.test/x") == .failed("DNS is off; example.test cannot be looked up"))
        // Larger than the limit: there, but not hashed.
        let small = SafeFetcher(resolver: nil, policy: AddressPolicy(allowed: [IPNetwork("127.0.0.0/8")!]), maximumBytes: 100)
        guard case .response(200, _, nil) = small.fetch(hoster.url("/content/a")) else {
            Issue.record("limit not applied")
            return
        }
    }

    @Test func theURLCheckerTellsOnlineGoneAndInconclusive() throws {
        let hoster = try TestHosterServer(secret: Self.secret)
        let checker = FetchingURLChecker(fetcher: SafeFetcher(resolver: nil, policy: AddressPolicy(allowed: [IPNetwork("127.0.0.0/8")!]), timeout: 3))
        guard case .online(let digests?, "HTTP 200") = checker.check(hoster.url("/content/a")) else {
            Issue.record("not online")
            return
        }
        #expect(digests.count == 3)
        #expect(checker.check(hoster.url("/gone/a")) == .gone("HTTP 404"))
        guard case .inconclusive = checker.check("http://127.0.0.1:1/x") else {
            Issue.record("refused connection is not inconclusive")
            return
        }
    }

    @Test func aHosterThatCloaksByUserAgentIsNotTakenAtItsWord() throws {
        let hoster = try TestHosterServer(secret: Self.secret)
        let checker = FetchingURLChecker(fetcher: SafeFetcher(resolver: nil, policy: AddressPolicy(allowed: [IPNetwork("127.0.0.0/8")!]), timeout: 3))
        // 404 to the browser the gateway looks like, the content to its own name.
        guard case .inconclusive(let why) = checker.check(hoster.url("/cloak/a")) else {
            Issue.record("cloaked content counted as gone")
            return
        }
        #expect(why == "answers differ by User-Agent: HTTP 404 to the configured one, HTTP 200 to the gateway's")
        // A 404 that both agents get is gone; so is one reached by a redirect on the same host.
        #expect(checker.check(hoster.url("/redirect?to=/gone/b")) == .gone("HTTP 404 at \(hoster.url("/gone/b"))"))
    }

    @Test(.enabled(if: TestDNSServer.available)) func aRedirectToAnotherHostOrANameThatDoesNotExistProvesNothing() throws {
        let hoster = try TestHosterServer(secret: Self.secret)
        let dns = try TestDNSServer()
        let checker = FetchingURLChecker(
            fetcher: SafeFetcher(
                resolver: DNSClient(servers: [dns.server], timeout: 1, attempts: 1), policy: AddressPolicy(allowed: [IPNetwork("127.0.0.0/8")!]), timeout: 3))
        // The reported host sends the crawler to a name that does not exist: the material may
        // still be at the reported URL for everyone else.
        guard case .inconclusive(let nx) = checker.check(hoster.url("/redirect?to=http://gone.example.test/x")) else {
            Issue.record("a redirect to NXDOMAIN counted as gone")
            return
        }
        #expect(nx.hasPrefix("redirected to gone.example.test, which does not exist"), "\(nx)")
        // Another host's 404 says nothing about the reported one.
        guard case .inconclusive(let other) = checker.check(hoster.url("/redirect?to=http://loop.example.test:\(hoster.port)/gone/c")) else {
            Issue.record("another host's 404 counted as gone")
            return
        }
        #expect(other == "redirected to another host, loop.example.test (HTTP 404 at http://loop.example.test:\(hoster.port)/gone/c)")
        // The reported host itself not existing is gone.
        guard case .gone(let host) = checker.check("http://gone.example.test/x") else {
            Issue.record("NXDOMAIN of the reported host is not gone")
            return
        }
        #expect(host.hasPrefix("host gone: gone.example.test"), "\(host)")
    }
}
