import Foundation
import HotlineCore
import Testing

@testable import HotlineConfig

/// One fixture per config error (as Alertmanager keeps them): each file in
/// `Fixtures/config-errors` starts with the problems it must produce, one `# expect:` line
/// each, word for word, and the loader must report exactly those.
@Suite struct ConfigErrorFixtureTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/config-errors")

    static var fixtures: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).filter { $0.hasSuffix(".yaml") }.sorted()
    }

    @Test(arguments: fixtures) func eachFixtureFailsWithItsOwnProblems(_ name: String) throws {
        let text = try String(contentsOf: Self.directory.appendingPathComponent(name), encoding: .utf8)
        let expected = text.split(separator: "\n").filter { $0.hasPrefix("# expect: ") }.map { String($0.dropFirst(10)) }
        #expect(!expected.isEmpty, "\(name) names no expected problem")
        let (config, diagnostics) = GatewayConfig.parse(text, file: name, environment: [:])
        #expect(config == nil, "\(name) loaded")
        #expect(diagnostics.map(\.description) == expected)
    }

    @Test func everyConfigErrorHasAFixture() {
        #expect(Self.fixtures.count >= 10)
    }

    @Test func postgreSQLOnAnotherHostRequiresTLSUnlessTheURLSaysOtherwise() throws {
        #expect(try PostgresSettings.parse("postgres://hotline@db.example.net/hotline").get().requireTLS)
        #expect(try !PostgresSettings.parse("postgres://hotline@127.0.0.1:5432/hotline").get().requireTLS)
        #expect(try !PostgresSettings.parse("postgres://hotline@[::1]/hotline").get().requireTLS)
        #expect(try !PostgresSettings.parse("postgres://hotline@db.example.net/hotline?sslmode=disable").get().requireTLS)
        #expect(LoopbackHost.contains("localhost") && LoopbackHost.contains("127.0.0.2") && !LoopbackHost.contains("127.0.0.1.example.net"))
    }
}
