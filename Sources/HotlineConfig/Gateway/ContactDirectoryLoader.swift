import Foundation
import HotlineCore
import HotlineHosting
import HotlineYAML

/// Reads `Config/contacts.yaml` strictly, with line and column in every problem.
///
/// ```yaml
/// version: 1
/// contacts:
///   - id: example-hosting
///     name: Example Hosting B.V.
///     asns: [64500]
///     prefixes: ["198.51.100.0/24"]
///     domains: [example-hosting.test]
///     country: NL
///     abuse: [abuse@example-hosting.test]
///     channel: email            # email | webhook | xarf
///     language: nl
///     ntd_member: true
///     cdn: false
///     escalation: [noc@example-hosting.test]
/// hotlines:
///   - id: partner-de
///     name: Example Partner Hotline
///     countries: [DE, AT]
///     email: reports@partner-de.test
///     language: en
/// ```
public enum ContactDirectoryLoader {
    /// Loads the directory at `path`.
    public static func load(_ path: String) -> (ContactDirectory?, [Diagnostic]) {
        do {
            return parse(try RuleLoader.readText(path), file: path)
        } catch {
            return (nil, [error])
        }
    }

    static func isIdentifier(_ text: String) -> Bool {
        guard let first = text.first, first.isASCII, first.isLetter else { return false }
        return text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
    }

    /// Parses directory text.
    public static func parse(_ text: String, file: String) -> (ContactDirectory?, [Diagnostic]) {
        var reader: YAMLReader
        let root: YAMLNode?
        do {
            (root, reader) = try YAMLReader.start(text, file: file)
        } catch {
            return (nil, [error])
        }
        guard let root else { return (ContactDirectory(), []) }
        guard let top = reader.mapping(root, allowed: ["version", "contacts", "hotlines"], required: ["version"], what: "the contact directory") else {
            return (nil, reader.diagnostics)
        }
        reader.checkVersion(top["version"], supported: 1)
        var directory = ContactDirectory()
        var ids: [String: SourceLocation] = [:]
        func claim(_ id: String, at location: SourceLocation) {
            if let first = ids[id] {
                reader.error(.duplicateName, "id \"\(id)\" is already used at \(first)", at: location)
            } else {
                ids[id] = location
            }
        }
        func emails(_ node: YAMLNode, key: String) -> [String] {
            guard let items = node.scalar != nil && !node.isNull ? [node] : reader.sequence(node, key: key) else { return [] }
            return items.compactMap { item in
                guard let text = reader.string(item, key: key) else { return nil }
                guard EmailAddress.isValid(text) else {
                    reader.error(
                        .invalidValue, "\"\(key)\" must be plain e-mail addresses (local@domain.tld), got \(YAMLReader.show(item))", at: item.location)
                    return nil
                }
                return text
            }
        }
        func language(_ node: YAMLNode?) -> String {
            guard let node else { return "en" }
            guard let text = reader.string(node, key: "language"), text.count == 2, text.allSatisfy({ $0.isASCII && $0.isLowercase }) else {
                reader.error(
                    .invalidValue, "\"language\" must be a two-letter lowercase code such as nl or en, got \(YAMLReader.show(node))", at: node.location)
                return "en"
            }
            return text
        }
        if let node = top["contacts"], !node.isNull, let items = reader.sequence(node, key: "contacts") {
            for item in items {
                guard
                    let fields = reader.mapping(
                        item,
                        allowed: [
                            "id", "name", "asns", "prefixes", "domains", "country", "abuse", "channel", "webhook", "webhook_secret_env", "language",
                            "ntd_member", "cdn", "escalation",
                        ], required: ["id", "name", "abuse"], what: "a contact")
                else { continue }
                var id = ""
                if let node = fields["id"], let text = reader.string(node, key: "id") {
                    if isIdentifier(text) {
                        id = text
                        claim(text, at: node.location)
                    } else {
                        reader.error(
                            .invalidValue, "\"id\" must start with a letter and hold only letters, digits, \"-\" and \"_\", got \(YAMLReader.show(node))",
                            at: node.location)
                    }
                }
                let name = fields["name"].flatMap { reader.string($0, key: "name") } ?? ""
                var asns: [Int] = []
                if let node = fields["asns"], let list = reader.sequence(node, key: "asns") {
                    asns = list.compactMap { reader.integer($0, key: "asns", range: 1...4_294_967_295) }
                }
                var prefixes: [IPNetwork] = []
                if let node = fields["prefixes"], let list = reader.sequence(node, key: "prefixes") {
                    for entry in list {
                        guard let text = reader.string(entry, key: "prefixes") else { continue }
                        if let network = IPNetwork(text) {
                            prefixes.append(network)
                        } else {
                            reader.error(.invalidAddress, "\(YAMLReader.show(entry)) is not a CIDR network (host bits must be zero)", at: entry.location)
                        }
                    }
                }
                var domains: [String] = []
                if let node = fields["domains"], let list = reader.sequence(node, key: "domains") {
                    for entry in list {
                        guard let text = reader.string(entry, key: "domains") else { continue }
                        let trimmed = text.hasPrefix(".") ? String(text.dropFirst()) : text
                        guard let host = try? URLCanonicalizer.canonicalHost(Substring(trimmed)) else {
                            reader.error(.invalidValue, "\(YAMLReader.show(entry)) is not a domain name", at: entry.location)
                            continue
                        }
                        domains.append(host)
                    }
                }
                if asns.isEmpty && prefixes.isEmpty && domains.isEmpty && fields["asns"] == nil && fields["prefixes"] == nil && fields["domains"] == nil {
                    reader.error(.missingKey, "contact \"\(id)\" needs at least one of asns, prefixes, domains to be matched", at: item.location)
                }
                let country = fields["country"].flatMap { reader.country($0, key: "country") }
                let abuse = fields["abuse"].map { emails($0, key: "abuse") } ?? []
                var channel = NoticeChannel.email
                if let node = fields["channel"] {
                    if let text = node.scalar, let parsed = NoticeChannel(rawValue: text) {
                        channel = parsed
                    } else {
                        reader.error(.invalidValue, "\"channel\" must be email, webhook or xarf, got \(YAMLReader.show(node))", at: node.location)
                    }
                }
                var webhook: String?
                if let node = fields["webhook"], let text = reader.string(node, key: "webhook") {
                    if let url = try? URLCanonicalizer.canonicalize(text), url.scheme == "https" || ["127.0.0.1", "localhost", "[::1]"].contains(url.host) {
                        webhook = url.canonical
                    } else {
                        reader.error(.invalidValue, "\"webhook\" must be an https URL, got \(YAMLReader.show(node))", at: node.location)
                    }
                }
                if channel == .webhook && webhook == nil && fields["webhook"] == nil {
                    reader.error(.missingKey, "contact \"\(id)\" has channel webhook but no \"webhook\" URL", at: item.location)
                }
                var secretEnvironment: String?
                if let node = fields["webhook_secret_env"], let text = reader.string(node, key: "webhook_secret_env") {
                    if !text.isEmpty, text.allSatisfy({ $0.isASCII && ($0.isUppercase || $0.isNumber || $0 == "_") }) {
                        secretEnvironment = text
                    } else {
                        reader.error(
                            .invalidValue,
                            "\"webhook_secret_env\" names an environment variable (A-Z, 0-9, _), got \(YAMLReader.show(node)); the secret itself never goes in this file",
                            at: node.location)
                    }
                }
                if channel == .webhook && secretEnvironment == nil && fields["webhook_secret_env"] == nil {
                    reader.error(
                        .missingKey, "contact \"\(id)\" has channel webhook but no \"webhook_secret_env\" naming the variable that holds its signing secret",
                        at: item.location)
                }
                let ntd = fields["ntd_member"].flatMap { reader.bool($0, key: "ntd_member") } ?? false
                let cdn = fields["cdn"].flatMap { reader.bool($0, key: "cdn") } ?? false
                let escalation = fields["escalation"].map { emails($0, key: "escalation") } ?? []
                directory.contacts.append(
                    DirectoryContact(
                        id: id, name: name, asns: asns, prefixes: prefixes, domains: domains, country: country, abuse: abuse, channel: channel,
                        webhook: webhook, webhookSecretEnvironment: secretEnvironment, language: language(fields["language"]), ntdMember: ntd, cdn: cdn,
                        escalation: escalation, location: item.location))
            }
        }
        if let node = top["hotlines"], !node.isNull, let items = reader.sequence(node, key: "hotlines") {
            for item in items {
                guard
                    let fields = reader.mapping(
                        item, allowed: ["id", "name", "countries", "email", "language"], required: ["id", "name", "countries", "email"], what: "a hotline")
                else { continue }
                var id = ""
                if let node = fields["id"], let text = reader.string(node, key: "id") {
                    if isIdentifier(text) {
                        id = text
                        claim(text, at: node.location)
                    } else {
                        reader.error(
                            .invalidValue, "\"id\" must start with a letter and hold only letters, digits, \"-\" and \"_\", got \(YAMLReader.show(node))",
                            at: node.location)
                    }
                }
                var countries: [String] = []
                if let node = fields["countries"], let list = reader.sequence(node, key: "countries") {
                    countries = list.compactMap { reader.country($0, key: "countries") }
                }
                let email = fields["email"].map { emails($0, key: "email") }?.first ?? ""
                directory.hotlines.append(
                    PartnerHotline(
                        id: id, name: fields["name"].flatMap { reader.string($0, key: "name") } ?? "", countries: countries, email: email,
                        language: language(fields["language"]), location: item.location))
            }
        }
        if reader.diagnostics.containsErrors { return (nil, reader.diagnostics.sortedByLocation) }
        return (directory, reader.diagnostics)
    }
}
