import Foundation
import HotlineConfig
import HotlineCore
import HotlineHashing
import HotlineHosting
import HotlineMail
import HotlineNet
import HotlinePages

/// Every parser that sees outside data, as a fuzz target: each must return or throw its own
/// error for any input, never crash, hang or run out of memory.
public enum FuzzTargets {
    /// Target names, as `make fuzz` and the corpus folders name them.
    public static let names = [
        "report-json", "url", "rule-yaml", "config-yaml", "hashlist-csv", "hashlist-vics", "rdap", "dns", "image", "mime", "xarf", "expression",
        "mail-classify", "template", "html", "media",
    ]

    /// Runs target `name` on `bytes`.
    public static func run(_ name: String, _ bytes: [UInt8]) {
        switch name {
        case "report-json":
            _ = try? ReportSubmission.parse(json: bytes)
        case "url":
            _ = try? URLCanonicalizer.canonicalize(String(decoding: bytes, as: UTF8.self))
        case "rule-yaml":
            let (content, _) = RuleFileParser.parse(String(decoding: bytes, as: UTF8.self), file: "fuzz.yaml")
            if let content { _ = RuleSetCompiler.compile([content], digest: "sha256:fuzz") }
        case "config-yaml":
            _ = GatewayConfig.parse(String(decoding: bytes, as: UTF8.self), file: "fuzz.yaml")
            _ = ContactDirectoryLoader.parse(String(decoding: bytes, as: UTF8.self), file: "contacts.yaml")
        case "hashlist-csv":
            _ = HashListParser.parse(bytes, format: .csv)
            _ = HashListParser.parse(bytes, format: .md5list)
        case "hashlist-vics":
            _ = HashListParser.parse(bytes, format: .vics)
            _ = HashListParser.parse(bytes, format: .jsonl)
        case "rdap":
            _ = try? RDAPParser.network(bytes)
            _ = try? RDAPParser.domain(bytes)
        case "dns":
            _ = try? DNSMessage.parse(bytes)
        case "image":
            _ = try? ImageDecoder.decode(bytes)
            _ = try? ImageDecoder.decode(bytes, minimumSide: 64)
        case "html":
            // A fetched page, read for its media like the evidence stage does.
            _ = PageMedia.references(inHTML: bytes, pageURL: "https://site.example/dir/page.html", limit: 50)
        case "media":
            // Any fetched body: sniffed, digested and, when it is an image (JPEG, PNG, GIF,
            // WebP), decoded and hashed.
            _ = MediaHasher.observe(bytes, url: "https://site.example/file", declaredType: nil)
            _ = MediaHasher.observe(bytes, url: "https://site.example/file", declaredType: "image/gif")
        case "mime":
            _ = try? MailMessage.parse(bytes)
        case "xarf":
            // X-ARF v4 as partners send it, read into report JSON and then validated as a report.
            guard let value = try? JSONValue.parse(bytes), XARFIntake.isXARF(value),
                let report = try? XARFIntake.report(value, path: "")
            else { return }
            _ = try? ReportSubmission.parse(report)
        case "expression":
            // A condition alone, as the body of a literal block so any line survives YAML unchanged.
            let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
            let file =
                "version: 1\nrules:\n  - name: fuzz\n    when: |-\n" + lines.map { "      " + $0 }.joined(separator: "\n")
                + "\n    then:\n      - escalate: { queue: analysts, reason: fuzz }\n"
            let (content, _) = RuleFileParser.parse(file, file: "fuzz.yaml")
            if let content { _ = RuleSetCompiler.compile([content], digest: "sha256:fuzz") }
        case "mail-classify":
            guard let message = try? MailMessage.parse(bytes) else { return }
            let classifier = MailClassifier(domain: "hotline.test", trustedSenders: ["reports@partner.test"])
            _ = classifier.classify(message, expectingReplies: false)
            _ = classifier.classify(message, expectingReplies: true)
        case "template":
            _ = NoticeTemplate.parse(String(decoding: bytes, as: UTF8.self), name: "fuzz", language: "en", file: "fuzz.txt")
        default:
            fatalError("unknown fuzz target \(name)")
        }
    }
}
