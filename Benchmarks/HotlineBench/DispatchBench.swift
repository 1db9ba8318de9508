import Foundation
import HotlineConfig
import HotlineCore
import HotlineNet
import HotlineStore
import HotlineTesting

/// Notices per second to a local SMTP server (aiosmtpd on loopback) through the whole worker
/// (batch, render, deliver, record) and through the SMTP client alone, with and without
/// connection reuse; URL re-checks per second against a loopback HTTP server.
enum DispatchBench {
    static func run(ruleSet: RuleSet, notices: Int = 2000) throws {
        guard TestSMTPServer.available else {
            print("dispatch: skipped (python3 with aiosmtpd is needed: make test-deps)")
            return
        }
        try smtpClient(count: notices)
        try worker(ruleSet: ruleSet, count: notices)
        try rechecks(count: 2000)
    }

    static func message(_ index: Int) -> [UInt8] {
        Array(
            "From: notices@hotline.test\r\nTo: abuse@hoster\(index).test\r\nSubject: [HG-\(index)] notice\r\nMessage-ID: <bench-\(index)@hotline.test>\r\n\r\n\(String(repeating: "A notice line of text.\r\n", count: 40))"
                .utf8)
    }

    static func smtpClient(count: Int) throws {
        let server = try TestSMTPServer()
        defer { try? FileManager.default.removeItem(atPath: server.maildir) }
        let reused = SMTPClient(settings: SMTPSettings(host: "127.0.0.1", port: Int(server.port), security: .none))
        var started = Date()
        for index in 0..<count { try reused.send(from: "notices@hotline.test", to: ["abuse@hoster\(index).test"], message: message(index)) }
        let reuseRate = Double(count) / Date().timeIntervalSince(started)
        let fresh = min(count, 500)
        started = Date()
        for index in 0..<fresh {
            try SMTPClient(settings: reused.settings).send(from: "notices@hotline.test", to: ["abuse@hoster\(index).test"], message: message(index))
        }
        let freshRate = Double(fresh) / Date().timeIntervalSince(started)
        print(
            String(
                format:
                    "dispatch: SMTP client to aiosmtpd on loopback: %.0f messages/s with connection reuse, %.0f/s with a new connection each (%d and %d messages)",
                reuseRate, freshRate, count, fresh))
    }

    static func worker(ruleSet: RuleSet, count: Int) throws {
        let server = try TestSMTPServer()
        defer { try? FileManager.default.removeItem(atPath: server.maildir) }
        let directory = NSTemporaryDirectory() + "hotline-bench-dispatch-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try SQLiteStore(directory: directory)
        let (templates, diagnostics) = TemplateLoader.load("Config/templates")
        guard let templates else { throw DiagnosticsError(diagnostics) }
        let time = ManualTimeSource(Date())
        let start = time.now()
        // One notice per recipient, two URLs each, as after a crawler burst.
        var items: [DispatchItem] = []
        for index in 0..<count {
            let recipient = Recipient(
                target: .hosting, name: "Hoster \(index)", addresses: ["abuse@hoster\(index).test"], language: index % 2 == 0 ? "nl" : "en")
            for url in 0..<2 {
                let subject = ReportedURL(
                    reportID: "r-\(index)-\(url)", caseID: "c-\(index)-\(url)", decisionID: "d-\(index)", url: "https://h\(index).example.test/\(url).jpg",
                    host: "h\(index).example.test", hashes: ["md5": String(format: "%032lx", index * 2 + url)])
                items.append(
                    DispatchItem(
                        id: "item-\(index)-\(url)", subject: subject, kind: .notify, target: .hosting, recipient: recipient, template: "ntd-first",
                        deadline: .hours(24),
                        batchWindow: .hours(1), hosting: HostingSnapshot(ip: "198.51.100.\(index % 250)", asn: 64500, country: "NL", org: "Hoster \(index)"),
                        classification: "A1", detectionMethod: "hash_match", status: .waiting, createdAt: start, dueAt: start))
            }
        }
        try store.write { try $0.enqueueDispatch(items) }
        time.advance(by: 1)
        let worker = DispatchWorker(
            store: store, engine: DecisionEngine(ruleSet: ruleSet), planner: DispatchPlanner(directory: FixedRecipients()),
            renderer: NoticeRenderer(
                identity: HotlineIdentity(name: "Bench Hotline", email: "notices@hotline.test", domain: "hotline.test"), templates: templates),
            transport: NetNoticeTransport(smtp: SMTPClient(settings: SMTPSettings(host: "127.0.0.1", port: Int(server.port), security: .none))),
            checker: nil, settings: DispatchSettings(batchLimit: 1000), time: time)
        var started = Date()
        var batched = 0
        while true {
            var pass = DispatchPass()
            try worker.batchDueItems(&pass)
            if pass.noticesCreated == 0 { break }
            batched += pass.noticesCreated
        }
        let batchSeconds = Date().timeIntervalSince(started)
        started = Date()
        var delivered = 0
        while true {
            var pass = DispatchPass()
            try worker.deliverDueMessages(&pass)
            if pass.delivered == 0 { break }
            delivered += pass.delivered
        }
        let deliverSeconds = Date().timeIntervalSince(started)
        let received = server.messages().count
        print(
            String(
                format:
                    "dispatch: worker batched %d notices (2 URLs each, X-ARF attachments) at %.0f/s; delivered %d to aiosmtpd at %.0f notices/s (SMTP + SQLite commit per notice); server holds %d",
                batched, Double(batched) / batchSeconds, delivered, Double(delivered) / deliverSeconds, received))
    }

    static func rechecks(count: Int) throws {
        let hoster = try TestHosterServer(secret: "bench")
        let checker = FetchingURLChecker(fetcher: SafeFetcher(resolver: nil, policy: AddressPolicy(allowed: [IPNetwork("127.0.0.0/8")!])))
        let started = Date()
        var online = 0
        for index in 0..<count {
            if case .online = checker.check(hoster.url(index % 10 == 0 ? "/gone/\(index)" : "/content/\(index)")) { online += 1 }
        }
        let rate = Double(count) / Date().timeIntervalSince(started)
        print(
            String(
                format: "dispatch: re-checks against the loopback hoster: %.0f/s sequential (%d checks, %d online, 8 KiB bodies hashed MD5+SHA-1+SHA-256)",
                rate, count, online))
    }
}
