import Foundation
import HotlineConfig
import HotlineCore
import HotlineHashing
import HotlineHosting
import HotlineNet

/// Every parser that sees outside data, as a fuzz target: each must return or throw its own
/// error for any input, never crash, hang or run out of memory.
public enum FuzzTargets {
    /// Target names, as `make fuzz` and the corpus folders name them.
    public static let names = ["report-json", "url", "rule-yaml", "config-yaml", "hashlist-csv", "hashlist-vics", "rdap", "dns", "image", "mime"]

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
        case "mime":
            _ = try? MailMessage.parse(bytes)
        default:
            fatalError("unknown fuzz target \(name)")
        }
    }
}
