import Foundation
import HotlineCore
import HotlineNet
import HotlineTesting
import Testing

/// The fault matrix for hosting resolution, through `hotline ingest` with real DNS and RDAP
/// servers on loopback: while a lookup fails, reports are decided (nothing waits or is lost),
/// with `hosting.lookup_failed` set so the rules escalate with the reason; once the servers
/// answer again, the next report of the same host is handled automatically.
@Suite(.serialized, .enabled(if: TestRDAPServer.available)) struct FaultCLITests {
    /// The DNS server answers every name with the address of an RDAP fixture (data only: no
    /// traffic goes to it).
    static let address = "62.239.237.1"

    static let rules = """
        version: 1
        rules:
          - name: lookup-failed
            when: hosting.lookup_failed
            then: [{ escalate: { reason: lookup failed } }]
          - name: contact-found
            when: hosting.abuse_email exists
            then: [{ close: contact-found }]
        default: [{ escalate: { reason: no contact } }]

        """

    struct Setup {
        let directory: URL
        let dns: TestFaultDNSServer
        let rdap: TestRDAPServer

        init() throws {
            directory = try CLI.temporaryDirectory()
            dns = try TestFaultDNSServer(address: FaultCLITests.address)
            rdap = try TestRDAPServer()
            try FileManager.default.createDirectory(at: directory.appendingPathComponent("rules"), withIntermediateDirectories: true)
            try FaultCLITests.rules.write(to: directory.appendingPathComponent("rules/rules.yaml"), atomically: true, encoding: .utf8)
            try "version: 1\ncontacts: []\n".write(to: directory.appendingPathComponent("contacts.yaml"), atomically: true, encoding: .utf8)
            try CLI.gatewayConfig("dns: 127.0.0.1:\(dns.port)\nrdap: \(rdap.base())").write(
                to: directory.appendingPathComponent("hotline.yaml"), atomically: true, encoding: .utf8)
        }

        /// Ingests one report of `host`; returns the decision line and the recorded facts. With
        /// DNS on, the report waits for the fetch service: `--wait` decides it here.
        func ingest(_ host: String) throws -> (rule: String, facts: [String: Any]) {
            let result = try CLI.run(
                [
                    "ingest", "--wait", "--config", directory.appendingPathComponent("hotline.yaml").path, "--data-dir",
                    directory.appendingPathComponent("data").path, "-",
                ],
                stdin: #"{"url":"https://\#(host)/\#(UUID().uuidString).jpg"}"# + "\n", in: directory)
            let line = try #require(result.finalLines.first, "\(result.stdout)\(result.stderr)")
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let reportID = try #require(object["report_id"] as? String)
            let facts = try sqlite(directory.appendingPathComponent("data/hotline.sqlite").path, "select facts from decisions where report_id = '\(reportID)'")
            return (object["rule"] as? String ?? "", try #require(try JSONSerialization.jsonObject(with: Data(facts.utf8)) as? [String: Any]))
        }
    }

    /// The first column of the first row of `query`; `via` prefixes the command (nsenter).
    static func sqlite(_ database: String, _ query: String, via: [String] = []) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments =
            via + ["python3", "-c", "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])", database, query]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// (name, DNS mode, RDAP mode)
    static let faults: [(String, String, String)] = [
        ("DNS SERVFAIL", "servfail", "normal"),
        ("DNS timeout", "timeout", "normal"),
        ("RDAP 500", "ok", "500"),
        ("RDAP 429 with a long Retry-After", "ok", "429-long"),
        ("RDAP malformed body", "ok", "malformed"),
    ]

    @Test(arguments: 0..<faults.count)
    func aFailedLookupEscalatesWithTheReasonAndTheNextReportAfterRecoveryIsHandled(_ index: Int) throws {
        let (name, dnsMode, rdapMode) = Self.faults[index]
        let setup = try Setup()
        defer { try? FileManager.default.removeItem(at: setup.directory) }
        try setup.dns.set(dnsMode)
        try setup.rdap.control(rdapMode)
        let during = try setup.ingest("files.example.test")
        #expect(during.rule == "lookup-failed", "\(name)")
        #expect(during.facts["hosting.lookup_failed"] as? Bool == true, "\(name)")
        #expect(during.facts["hosting.abuse_email"] == nil, "\(name)")

        try setup.dns.set("ok")
        try setup.rdap.control("normal")
        let after = try setup.ingest("files.example.test")
        #expect(after.rule == "contact-found", "\(name)")
        #expect(after.facts["hosting.lookup_failed"] as? Bool == false, "\(name)")
        #expect(after.facts["hosting.abuse_email"] as? String != nil, "\(name)")
    }

    @Test func aShortRetryAfterIsWaitedForWithinTheLookup() throws {
        let setup = try Setup()
        defer { try? FileManager.default.removeItem(at: setup.directory) }
        try setup.rdap.control("429")
        let decided = try setup.ingest("files.example.test")
        #expect(decided.rule == "contact-found")
        #expect(decided.facts["hosting.lookup_failed"] as? Bool == false)
    }
}
