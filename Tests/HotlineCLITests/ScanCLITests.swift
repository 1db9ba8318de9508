import Foundation
import HotlineCore
import HotlineNet
import HotlineTesting
import Testing

/// `hotline scan`: a hoster's tree of generated images checked against `hotline serve` on
/// loopback, with a provider token.
@Suite(.serialized) struct ScanCLITests {
    /// Writes generated images (noise and gradients, PIL) into `tree`; prints, as JSON, the
    /// MD5 of each and pdqhash's PDQ of each.
    static let generator = """
        import hashlib, json, os, sys
        import numpy, pdqhash
        from PIL import Image
        tree = sys.argv[1]
        out = {}
        for name, seed in [("a/noise.png", 1), ("a/b/gradient.jpg", 2), ("c/shapes.png", 3), ("c/other.png", 4)]:
            path = os.path.join(tree, name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            rng = numpy.random.default_rng(seed)
            if "gradient" in name:
                x = numpy.linspace(0, 255, 640)
                pixels = numpy.stack([numpy.tile(x, (480, 1)), numpy.tile(x[::-1], (480, 1)), numpy.full((480, 640), 128.0)], axis=2).astype("uint8")
            elif "shapes" in name:
                pixels = numpy.zeros((400, 500, 3), dtype="uint8"); pixels[50:200, 60:300] = (200, 30, 30); pixels[220:380, 250:480] = (20, 180, 90)
            else:
                pixels = rng.integers(0, 256, (200, 250, 3), dtype="uint8")
            Image.fromarray(pixels).save(path, quality=92) if path.endswith(".jpg") else Image.fromarray(pixels).save(path)
            hashed, quality = pdqhash.compute(numpy.asarray(Image.open(path).convert("RGB")))
            value = int("".join(str(int(b)) for b in hashed), 2)
            out[name] = {"md5": hashlib.md5(open(path, "rb").read()).hexdigest(), "pdq": "%064x" % value, "quality": int(quality)}
        print(json.dumps(out))
        """

    /// A gateway in `directory` for a hoster (own-hosting) to scan against: its config and data directory.
    static func gateway(in directory: URL) throws -> (config: String, data: String) {
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("rules"), withIntermediateDirectories: true)
        try "version: 1\ndefault: [{ escalate: { reason: none } }]\n".write(
            to: directory.appendingPathComponent("rules/rules.yaml"), atomically: true, encoding: .utf8)
        try "version: 1\ncontacts:\n  - { id: own-hosting, name: Own Hosting, prefixes: [\"192.0.2.0/24\"], country: NL, abuse: [abuse@own.test] }\n".write(
            to: directory.appendingPathComponent("contacts.yaml"), atomically: true, encoding: .utf8)
        let config = directory.appendingPathComponent("hotline.yaml").path
        try CLI.gatewayConfig("smtp: { host: 127.0.0.1, port: 1, security: none }\nfetch: { intake: { enabled: false } }").write(
            toFile: config, atomically: true, encoding: .utf8)
        return (config, directory.appendingPathComponent("data").path)
    }

    @Test func aHostersTreeIsCheckedInBatchesResumedAndReportedWithoutTheFiles() throws {
        let directory = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let tree = directory.appendingPathComponent("www").path
        let generated = try CLI.python(["-c", Self.generator, tree])
        try #require(generated.status == 0, "\(generated.output)")
        let hashes = try #require(try JSONSerialization.jsonObject(with: Data(generated.output.utf8)) as? [String: [String: Any]])
        // Listed: the noise image by MD5; the shapes by pdqhash's PDQ (so the scan's own PDQ must
        // land within the threshold of the reference's to match). The gradient's PDQ has quality
        // 0 and is not sent at all.
        let noiseMD5 = try #require(hashes["a/noise.png"]?["md5"] as? String)
        let shapesPDQ = try #require(hashes["c/shapes.png"]?["pdq"] as? String)
        #expect(hashes["a/b/gradient.jpg"]?["quality"] as? Int == 0)
        try "md5,pdq,classification\n\(noiseMD5),,A1\n,\(shapesPDQ),B2\n".write(
            toFile: directory.appendingPathComponent("list.csv").path, atomically: true, encoding: .utf8)
        // A symlink loop, a FIFO, a file over the size cap.
        try FileManager.default.createSymbolicLink(atPath: tree + "/c/loop", withDestinationPath: tree)
        #expect(mkfifo(tree + "/c/fifo", 0o600) == 0)
        try Data(repeating: 7, count: 300_000).write(to: URL(fileURLWithPath: tree + "/c/huge.bin"))

        let (config, data) = try Self.gateway(in: directory)
        let imported = try CLI.run(
            ["hashes", "import", "--format", "csv", "--list", "police", "list.csv", "--config", config, "--data-dir", data], in: directory)
        #expect(imported.status == 0, "\(imported.stderr)")
        let token = try CLI.run(["tokens", "create", "--role", "provider", "--org", "own-hosting", "--config", config, "--data-dir", data], in: directory)
        let secret = try #require(token.lines.last)
        try secret.write(toFile: directory.appendingPathComponent("token").path, atomically: true, encoding: .utf8)
        let serve = ServeCLITests()
        let running = try serve.start(gateway: directory, config: config)
        defer { _ = running.stop() }

        let state = directory.appendingPathComponent("scan.state").path
        let scan = [
            "scan", tree, "--gateway", running.url(""), "--token-file", directory.appendingPathComponent("token").path, "--state", state, "--batch", "8",
            "--max-size", "200000",
        ]
        let first = try CLI.run(scan, in: directory)
        #expect(first.status == 0, "\(first.stderr)")
        let lines = first.lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        let matches = lines.filter { $0["path"] != nil }
        #expect(matches.count == 2, "\(first.stdout)")
        #expect(
            matches.contains {
                ($0["path"] as? String)?.hasSuffix("a/noise.png") == true && $0["algorithm"] as? String == "md5" && $0["list"] as? String == "police"
                    && $0["classification"] as? String == "A1"
            })
        let pdq = matches.first { $0["algorithm"] as? String == "pdq" }
        #expect((pdq?["path"] as? String)?.hasSuffix("c/shapes.png") == true, "the scan's PDQ matches pdqhash's: \(first.stdout)")
        #expect(pdq?["classification"] as? String == "B2")
        #expect((pdq?["distance"] as? Int).map { $0 <= 10 } == true, "\(String(describing: pdq))")
        let summary = try #require(lines.last?["summary"] as? [String: Int])
        #expect(summary["checked_files"] == 4, "\(summary)")
        #expect(summary["matched_files"] == 2)
        #expect(summary["skipped"] == 3, "loop, fifo, huge: \(first.stderr)")
        #expect(first.stderr.contains("symlink (not followed"))
        #expect(first.stderr.contains("not a regular file") && first.stderr.contains("larger than --max-size"))

        // Following symlinks, the loop leads back into the tree, which is walked once; a dangling
        // link and (when not running as root, which reads anything) an unreadable file are
        // skipped with their reasons, and the rest is scanned.
        try FileManager.default.createSymbolicLink(atPath: tree + "/c/dangling", withDestinationPath: directory.path + "/nowhere")
        let unreadable = tree + "/c/unreadable.bin"
        try Data(repeating: 1, count: 10).write(to: URL(fileURLWithPath: unreadable))
        chmod(unreadable, 0)
        let followed = try CLI.run(scan.filter { $0 != state && $0 != "--state" } + ["--follow-symlinks"], in: directory)
        #expect(followed.status == 0, "\(followed.stderr)")
        #expect(followed.stderr.contains("folder already scanned"), "\(followed.stderr)")
        #expect(followed.stderr.contains("\(tree)/c/dangling: broken symlink"), "\(followed.stderr)")
        if getuid() != 0 { #expect(followed.stderr.contains("\(unreadable): cannot read"), "\(followed.stderr)") }
        try FileManager.default.removeItem(atPath: tree + "/c/dangling")
        try FileManager.default.removeItem(atPath: unreadable)

        // Resumed: only what was not finished is checked again.
        let python = "import os,sys; from PIL import Image; Image.new('RGB', (200, 200), (9, 99, 199)).save(sys.argv[1])"
        #expect(try CLI.python(["-c", python, tree + "/z-new.png"]).status == 0)
        let resumed = try CLI.run(scan, in: directory)
        let resumedSummary = try #require(
            (resumed.lines.last.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] })?["summary"] as? [String: Int])
        #expect(resumedSummary["checked_files"] == 5, "4 before, 1 new: \(resumedSummary)")
        #expect(!resumed.stdout.contains("noise.png"), "not checked again")

        // Reported: provider reports with the public URL and the hashes.
        let report = try CLI.run(
            scan.filter { $0 != state && $0 != "--state" } + ["--report", "--public-base", "https://own-site.example/static"], in: directory)
        #expect(report.status == 0, "\(report.stderr)")
        let reported = try FaultCLITests.sqlite(data + "/hotline.sqlite", "select group_concat(url || ' ' || source_type, ';') from reports")
        #expect(reported.contains("https://own-site.example/static/a/noise.png provider"), "\(reported)")
        #expect(reported.contains("https://own-site.example/static/c/shapes.png provider"), "\(reported)")
        let audit = try FaultCLITests.sqlite(data + "/hotline.sqlite", "select count(*) from audit_log where event = 'hashcheck.batch'")
        #expect(Int(audit) ?? 0 >= 3)

        // A wrong token stops the scan with the reason.
        try "hg_wrong".write(toFile: directory.appendingPathComponent("token").path, atomically: true, encoding: .utf8)
        let refused = try CLI.run(scan.filter { $0 != state && $0 != "--state" }, in: directory)
        #expect(refused.status == 1 && refused.stderr.contains("the gateway answered 401"), "\(refused.stderr)")
    }

    @Test func aCrawlOfTheHostersOwnSiteStaysOnItsOriginHonoursRobotsAndItsLimits() throws {
        let site = try TestHosterServer(secret: "unused")
        let directory = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let client = HTTPClient(timeout: 5)
        let md5 = { (path: String) throws -> String in ContentDigestSet(try client.get(site.url(path), accept: "*/*").body).md5 }
        let listed = ["/image/site1.jpg", "/image/site2.png", "/image/private.jpg", "/image/too-deep.jpg"]
        try (["md5,classification"] + (try listed.map { "\(try md5($0)),A1" })).joined(separator: "\n").write(
            toFile: directory.appendingPathComponent("list.csv").path, atomically: true, encoding: .utf8)
        let (config, data) = try Self.gateway(in: directory)
        #expect(
            try CLI.run(["hashes", "import", "--format", "csv", "--list", "police", "list.csv", "--config", config, "--data-dir", data], in: directory).status
                == 0)
        let secret = try #require(
            try CLI.run(["tokens", "create", "--role", "provider", "--org", "own-hosting", "--config", config, "--data-dir", data], in: directory).lines.last)
        let running = try ServeCLITests().start(gateway: directory, config: config)
        defer { _ = running.stop() }
        let before = try site.state()["paths"].map { if case .array(let items) = $0 { items.count } else { 0 } } ?? 0

        // Without --allow-private the loopback site is out of reach, as any private host is.
        let refused = try CLI.run(
            ["scan", "--crawl", site.url("/site/index"), "--gateway", running.url("")], in: directory, environment: ["HOTLINE_TOKEN": secret])
        #expect(refused.stderr.contains("scan: skipped \(site.url("/site/index")): not fetched"), "\(refused.stderr)")
        let crawl = try CLI.run(
            ["scan", "--crawl", site.url("/site/index"), "--allow-private", "--max-depth", "2", "--gateway", running.url(""), "--report"], in: directory,
            environment: ["HOTLINE_TOKEN": secret])
        #expect(crawl.status == 0, "\(crawl.stderr)")
        let matched = crawl.lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }.compactMap { $0["path"] as? String }
        #expect(Set(matched) == [site.url("/image/site1.jpg"), site.url("/image/site2.png")], "\(crawl.stdout)")
        #expect(crawl.stderr.contains("\(site.url("/private/secret")): disallowed by robots.txt"), "\(crawl.stderr)")
        #expect(crawl.stderr.contains("http://elsewhere.test/x: off the site's origin"))
        #expect(crawl.stderr.contains("http://elsewhere.test/i.jpg: off the site's origin"))
        guard case .array(let paths)? = try site.state()["paths"] else {
            Issue.record("no paths")
            return
        }
        let fetched = paths.dropFirst(before).compactMap { if case .string(let path) = $0 { path } else { nil } }
        #expect(fetched.contains("/robots.txt") && fetched.contains("/site/deep2"))
        #expect(!fetched.contains("/private/secret") && !fetched.contains("/image/private.jpg"), "robots.txt keeps /private/ out")
        #expect(!fetched.contains("/site/deep3") && !fetched.contains("/image/too-deep.jpg"), "--max-depth 2")
        let reported = try FaultCLITests.sqlite(data + "/hotline.sqlite", "select group_concat(url, ' ') from reports where source_type = 'provider'")
        #expect(reported.contains(site.url("/image/site1.jpg")), "\(reported)")
    }
}
