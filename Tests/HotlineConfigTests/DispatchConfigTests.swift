import Foundation
import HotlineCore
import Testing

@testable import HotlineConfig

@Suite struct DispatchConfigTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test func readsTheDispatchSectionsAndTheSecretsFromOutside() throws {
        let text = """
            version: 1
            hotline: { name: H, country: NL, email: notices@h.test, domain: h.test }
            templates: notice-texts
            smtp: { host: relay.h.test, port: 587, security: starttls, username: gw, password_env: SMTP_PASSWORD, ca_file: ca.pem, timeout: 20s }
            dispatch:
              batch_window: 30m
              retry: { initial: 2m, maximum: 3h, attempts: 5 }
              followup: { checks: [2h, 12h], then_every: 12h, confirm_after: 10m, confirmations: 3, give_up_after: 30d, inconclusive_limit: 5, forward_stale_after: 3d }
            fetch: { allow: [127.0.0.0/8, "::1"], timeout: 5s, max_bytes: 4096 }
            """
        let (config, diagnostics) = GatewayConfig.parse(text, file: "/etc/hotline/hotline.yaml")
        #expect(diagnostics.isEmpty, "\(diagnostics)")
        let dispatch = try #require(config?.dispatch)
        #expect(dispatch.identity == HotlineIdentity(name: "H", email: "notices@h.test", domain: "h.test"))
        #expect(dispatch.templatesPath == "/etc/hotline/notice-texts")
        #expect(
            dispatch.smtp.host == "relay.h.test" && dispatch.smtp.port == 587 && dispatch.smtp.security == .starttls
                && dispatch.smtp.caFile == "/etc/hotline/ca.pem")
        #expect(try dispatch.smtp.password?.reveal(environment: ["SMTP_PASSWORD": "pw"]) == "pw")
        // An unset variable is an error that names it and the key that named it, never an empty password.
        #expect(
            throws: SecretError(
                source: .environment("SMTP_PASSWORD", namedBy: "smtp.password_env"),
                message: "the environment variable SMTP_PASSWORD named by smtp.password_env is not set")
        ) {
            try dispatch.smtp.password?.reveal(environment: [:])
        }
        #expect(dispatch.batchWindow == TimeSpan(seconds: 1800))
        #expect(dispatch.settings.retry == RetryPolicy(initialDelay: TimeSpan(seconds: 120), maximumDelay: .hours(3), attempts: 5))
        #expect(
            dispatch.settings.followUp
                == FollowUpPolicy(
                    checks: [.hours(2), .hours(12)], interval: .hours(12), confirmAfter: TimeSpan(seconds: 600), confirmations: 3, giveUpAfter: .hours(720),
                    inconclusiveLimit: 5, forwardStaleAfter: .hours(72)))
        #expect(config?.fetch.allow.map(\.description) == ["127.0.0.0/8", "::1/128"])
        #expect(config?.fetch.maximumBytes == 4096)
    }

    @Test func everyProblemIsReportedWithItsPlace() {
        let text = """
            version: 1
            smtp: { host: relay, port: 99999, security: ssl, password: hunter2 }
            dispatch:
              followup: { checks: [24h, 1h], then_every: 10s }
            fetch: { allow: [10.0.0.1/8] }
            """
        let (config, diagnostics) = GatewayConfig.parse(text, file: "c.yaml")
        #expect(config == nil)
        #expect(
            diagnostics.map(\.description) == [
                "c.yaml:2:50: error: unknown key \"password\" in smtp; expected one of host, port, security, username, password_env, password_file, ca_file, timeout [unknown-key]",
                "c.yaml:2:28: error: \"port\" must be a whole number from 1 to 65535, got \"99999\" [invalid-value]",
                "c.yaml:2:45: error: \"security\" must be none, starttls or tls, got \"ssl\" [invalid-value]",
                "c.yaml:4:23: error: \"checks\" must be one or more growing durations after delivery, like [1h, 6h, 24h] [invalid-value]",
                "c.yaml:4:46: error: \"then_every\" must be at least 1m, got \"10s\" [invalid-value]",
                "c.yaml:5:18: error: \"10.0.0.1/8\" is not an address or CIDR network [invalid-address]",
            ])
    }

    @Test func theShippedTemplatesLoadAndEveryOneHasAnEnglishVersion() throws {
        let (templates, diagnostics) = TemplateLoader.load(Self.root.appendingPathComponent("Config/templates").path)
        #expect(diagnostics.isEmpty, "\(diagnostics)")
        let loaded = try #require(templates)
        #expect(
            loaded.names == [
                "ntd-first", "ntd-cdn", "ntd-reminder", "ntd-assessed", "registrar-notice", "upstream-notice", "inhope-forward", "police-info", "test-notice",
                "contact-confirm", "forward-reminder", "publication-review",
            ])
        #expect(loaded.template("test-notice", language: "nl")?.language == "nl")
        #expect(loaded.template("contact-confirm", language: "nl")?.language == "nl")
        #expect(loaded.template("ntd-first", language: "nl")?.language == "nl")
        #expect(loaded.template("registrar-notice", language: "nl")?.language == "nl")
        // A partner hotline reads English: there is no Dutch forward, and English stands in.
        #expect(loaded.template("inhope-forward", language: "nl")?.language == "en")
        #expect(loaded.template("ntd-first", language: "de")?.language == "en")
    }

    @Test func aTemplateWithoutAnEnglishVersionIsAnError() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hotline-templates-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("en"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("nl"), withIntermediateDirectories: true)
        try "Subject: x\n\nbody".write(to: directory.appendingPathComponent("en/a.txt"), atomically: true, encoding: .utf8)
        try "Subject: x\n\n{{deadline}}".write(to: directory.appendingPathComponent("nl/b.txt"), atomically: true, encoding: .utf8)
        try "Subject: x\n\n{{deadlin}}".write(to: directory.appendingPathComponent("nl/c.txt"), atomically: true, encoding: .utf8)
        let (templates, diagnostics) = TemplateLoader.load(directory.path)
        #expect(templates == nil)
        #expect(
            diagnostics.map(\.description) == [
                "\(directory.path)/nl/b.txt:1:1: error: template \"b\" has no en version to fall back on [missing-key]",
                "\(directory.path)/nl/c.txt:3:1: error: unknown placeholder \"deadlin\"; did you mean \"deadline\"? [unknown-field]",
            ])
    }
}

@Suite struct RuleEventParsingTests {
    @Test func onNamesTheEventAndAnUnknownEventIsAnError() {
        let text =
            "version: 1\nrules:\n  - name: late\n    on: notice.late\n    when: notice.reminders == 0\n    then: [{ close: x }]\n  - name: gone\n    on: notice.removed\n    when: notice.urls_online == 0\n    then: [{ close: removed }]\n"
        let (content, diagnostics) = RuleFileParser.parse(text, file: "l.yaml")
        #expect(
            diagnostics.map(\.description) == [
                "l.yaml:4:9: error: \"on\" must be one of \"report\", \"notice.overdue\", \"notice.removed\", \"delivery.failed\", \"forward.stale\", got \"notice.late\" [invalid-value]"
            ])
        #expect(content?.rules.map(\.event) == [.report, .noticeRemoved])
    }
}

@Suite struct ExternalMatcherConfigTests {
    @Test func theMatcherSectionReadsItsSecretAsAPairAndItsBreaker() throws {
        let text = """
            version: 1
            hashes:
              external_matcher: { name: shield, api: arachnid, user: gateway, url: "https://shield.example/v1/media/", key_file: keys/shield, timeout: 3s, breaker: { failures: 3, cooldown: 2m } }
            """
        let (config, diagnostics) = GatewayConfig.parse(text, file: "/etc/hotline/hotline.yaml", environment: [:])
        #expect(diagnostics.isEmpty, "\(diagnostics)")
        let matcher = try #require(config?.externalMatcher)
        #expect(matcher.name == "shield" && matcher.api == .arachnid && matcher.user == "gateway" && matcher.url == "https://shield.example/v1/media/")
        #expect(matcher.key.source == .file("/etc/hotline/keys/shield"), "relative to the config")
        #expect(matcher.timeout == TimeSpan(seconds: 3) && matcher.failures == 3 && matcher.cooldown == TimeSpan(seconds: 120))
        // http is accepted to loopback only (a local proxy, the tests); arachnid needs its user.
        let local = GatewayConfig.parse(
            "version: 1\nhashes: { external_matcher: { api: photodna, url: \"http://127.0.0.1:8080/Match\", key_env: K } }\n", file: "h.yaml", environment: [:])
        #expect(local.1.isEmpty && local.0?.externalMatcher?.name == "photodna")
        let noUser = GatewayConfig.parse(
            "version: 1\nhashes: { external_matcher: { api: arachnid, url: \"https://s.example/\", key_env: K } }\n", file: "h.yaml", environment: [:])
        #expect(noUser.1.map(\.message) == ["api arachnid needs \"user\" (HTTP Basic)"])
    }
}

@Suite struct FetchConfigTests {
    @Test func videoLimitsComeFromTheIntakeSectionAndDefaultToTheStandardOnes() throws {
        let text = "version: 1\nfetch: { intake: { video: { max_duration: 10m, max_frames: 18000, max_pixels: 2073600 } } }\n"
        let (config, diagnostics) = GatewayConfig.parse(text, file: "h.yaml", environment: [:])
        #expect(diagnostics.isEmpty, "\(diagnostics)")
        let limits = try #require(config?.fetch.intake.videoLimits)
        #expect(limits.maximumSeconds == 600 && limits.maximumDecodedFrames == 18000 && limits.maximumPixels == 1920 * 1080)
        #expect(limits.maximumBytes == VideoLimits.standard.maximumBytes, "bytes are the fetcher's max_bytes")
        let plain = GatewayConfig.parse("version: 1\nfetch: { intake: { enabled: true } }\n", file: "h.yaml", environment: [:])
        #expect(plain.0?.fetch.intake.videoLimits == .standard)
    }
}
