import Foundation
import HotlineApp
import HotlineConfig
import HotlineCore
import HotlineNet
import HotlineServer
import HotlineStore
import HotlineTesting

/// Messages per second from a mailbox of 10,000 on Dovecot (loopback): each an X-ARF v4
/// report as a JSON attachment, read, parsed, classified, stored and decided, logged and
/// flagged one by one (the order that makes a crash lose or repeat nothing).
enum MailBench {
    static func run(ruleSet: RuleSet, count: Int = 10_000) throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/sbin/dovecot") else {
            print("mail: skipped (Dovecot is needed: make test-deps)")
            return
        }
        let password = "bench"
        let imap = try TestIMAPServer(users: ["reports@hotline.test": password])
        let settings = IMAPSettings(host: "127.0.0.1", port: Int(imap.port), security: .none, username: "reports@hotline.test", password: .value(password))
        let client = IMAPClient(settings: settings)
        var began = Date()
        for index in 0..<count {
            let xarf =
                #"{"xarf_version":"4.0.0","report_id":"bench-\#(index)","timestamp":"2026-11-30T10:00:00Z","reporter":{"org":"Partner","contact":"r@partner.test","domain":"partner.test"},"sender":{"org":"Partner","contact":"r@partner.test","domain":"partner.test"},"source_identifier":"198.51.100.7","category":"content","type":"csam","url":"https://h\#(index % 97).example.test/\#(index).jpg","classification":"A1","detection_method":"hash_match","hash_values":{"md5":"\#(String(format: "%032lx", index))"}}"#
            let message = [
                "From: Partner Hotline <r@partner.test>", "To: reports@hotline.test", "Subject: report \(index)", "Message-ID: <bench-\(index)@partner.test>",
                "MIME-Version: 1.0", "Content-Type: multipart/mixed; boundary=\"b\"", "", "--b", "Content-Type: text/plain", "", "Report attached.", "--b",
                "Content-Type: application/json; name=\"report.json\"", "Content-Transfer-Encoding: base64", "",
                Data(xarf.utf8).base64EncodedString(options: .lineLength76Characters), "--b--", "",
            ].joined(separator: "\r\n")
            try client.append(Array(message.utf8), to: "INBOX")
        }
        print(String(format: "mail: appended %d messages to Dovecot in %.1f s", count, Date().timeIntervalSince(began)))

        let directory = NSTemporaryDirectory() + "hotline-bench-mail-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let configPath = directory + "/hotline.yaml"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try """
        version: 1
        hotline: { name: Bench, country: NL, email: notices@hotline.test, domain: hotline.test }
        rules: \(FileManager.default.currentDirectoryPath)/Rules
        contacts: \(FileManager.default.currentDirectoryPath)/Config/contacts.yaml
        templates: \(FileManager.default.currentDirectoryPath)/Config/templates
        mailboxes:
          - { name: reports, role: reports, host: 127.0.0.1, port: \(imap.port), security: none, username: reports@hotline.test, password_env: HOTLINE_BENCH_IMAP_PASSWORD }
        """.write(toFile: configPath, atomically: true, encoding: .utf8)
        let (config, diagnostics) = GatewayConfig.load(configPath)
        guard let config else { throw DiagnosticsError(diagnostics) }
        let gateway = GatewayAssembly(config: config, dataDirectory: directory + "/data", overrides: GatewayOverrides(offline: true))
        let runtime = try gateway.runtime(store: try gateway.openStore())
        var mailbox = config.mailboxes[0]
        mailbox.settings.password = .value(password)
        began = Date()
        let poll = try gateway.mailProcessor(runtime: runtime).poll(mailbox, client: IMAPClient(settings: mailbox.settings))
        let seconds = Date().timeIntervalSince(began)
        print(
            String(
                format: "mail: polled %d messages (%d reports stored) in %.1f s: %.0f messages/s, each stored, logged and flagged on its own", poll.messages,
                poll.reports, seconds, Double(poll.messages) / seconds))
    }
}
