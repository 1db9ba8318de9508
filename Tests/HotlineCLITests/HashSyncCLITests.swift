import Foundation
import HotlineCore
import HotlineTesting
import Testing

/// `hotline hashes sync` from a config naming the loopback NCMEC stand-in.
@Suite struct HashSyncCLITests {
    @Test func syncsTheConfiguredSourceAndRefusesAnUnknownOne() throws {
        let server = try TestNCMECServer()
        let directory = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let passwordFile = directory.appendingPathComponent("ncmec-password").path
        try server.password.write(toFile: passwordFile, atomically: true, encoding: .utf8)
        let config = directory.appendingPathComponent("hotline.yaml").path
        try """
        version: 1
        rules: \(CLI.root.appendingPathComponent("Rules").path)
        templates: \(CLI.root.appendingPathComponent("Config/templates").path)
        storage: sqlite
        hashes:
          sync:
            - { name: ncmec, api: ncmec, url: "\(server.baseURL)", user: hotline, password_file: \(passwordFile), every: 1h }
        """.write(toFile: config, atomically: true, encoding: .utf8)
        let data = directory.appendingPathComponent("data").path
        #expect(try CLI.run(["config", "check", "--config", config]).status == 0)
        // The first sync makes the list.
        let synced = try CLI.run(["hashes", "sync", "--config", config, "--data-dir", data])
        #expect(synced.status == 0, "\(synced.stderr)")
        let line = try #require(try JSONValue.parse(synced.stdout).objectValue)
        #expect(line["source"] == .string("ncmec") && line["entries"] == .number(5) && line["added"] == .number(6))
        let stats = try CLI.run(["hashes", "stats", "--config", config, "--data-dir", data])
        #expect(stats.stdout.contains("ncmec\tenabled") && stats.stdout.contains("md5 4, sha1 1, sha256 0, pdq 1"), "\(stats.stdout)")

        let unknown = try CLI.run(["hashes", "sync", "--config", config, "--data-dir", data, "nope"])
        #expect(unknown.status == 2 && unknown.stderr.contains("no source \"nope\""))
    }
}
