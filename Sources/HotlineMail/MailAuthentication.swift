import Foundation
import HotlineCore

/// Who sent a message, as the hotline's own mail server established it: the topmost
/// `Authentication-Results` header (RFC 8601), from the authserv-id the operator names for the
/// mailbox's MTA, with a DKIM or SPF pass aligned with the `From:` domain (or a DMARC pass for
/// it). A `From:` line alone proves nothing: anyone can write one.
public struct MailAuthentication: Sendable {
    /// The authserv-id of the MTA that delivers to this mailbox; `nil`: nothing is trusted.
    public var authservID: String?

    /// Creates the check.
    public init(authservID: String?) { self.authservID = authservID }

    /// The authenticated sender (the `From:` address, lowercased), or why there is none.
    public func sender(of message: MailMessage) -> Result<String, MailError> {
        guard let authservID else {
            return .failure(MailError("no authserv-id is configured for this mailbox, so no sender can be authenticated"))
        }
        guard let from = message.from, EmailAddress.isValid(from), let fromDomain = from.split(separator: "@").last.map(String.init) else {
            return .failure(MailError("no plain From: address"))
        }
        // The receiving MTA adds its header on top; one further down may be anyone's.
        guard let header = message.header("Authentication-Results") else {
            return .failure(MailError("no Authentication-Results from \(authservID)"))
        }
        let results = Self.parse(header)
        guard results.authservID.lowercased() == authservID.lowercased() else {
            return .failure(MailError("the Authentication-Results are from \(Quoted.text(results.authservID)), not \(authservID)"))
        }
        for result in results.methods where result.result == "pass" {
            let domain: String?
            switch result.method {
            case "dkim": domain = result.properties["header.d"] ?? result.properties["header.i"].flatMap { $0.split(separator: "@").last.map(String.init) }
            case "spf": domain = result.properties["smtp.mailfrom"].map { $0.split(separator: "@").last.map(String.init) ?? $0 }
            case "dmarc": domain = result.properties["header.from"]
            default: domain = nil
            }
            if let domain, Self.aligned(domain.lowercased(), with: fromDomain) { return .success(from) }
        }
        return .failure(MailError("the sender \(from) is not authenticated: no DKIM, SPF or DMARC pass aligned with \(fromDomain)"))
    }

    /// Whether an authenticated domain speaks for the `From:` domain (relaxed alignment: the
    /// same domain, or one is a subdomain of the other).
    static func aligned(_ domain: String, with from: String) -> Bool {
        domain == from || from.hasSuffix("." + domain) || domain.hasSuffix("." + from)
    }

    /// One `Authentication-Results` header.
    struct Results {
        var authservID: String
        var methods: [(method: String, result: String, properties: [String: String])]
    }

    /// Reads `authserv-id [version]; method=result (comment) ptype.property=value …; …`,
    /// comments dropped.
    static func parse(_ value: String) -> Results {
        var text = ""
        var depth = 0
        var quoted = false
        for character in value {
            if character == "\"" && depth == 0 { quoted.toggle() }
            if !quoted && character == "(" {
                depth += 1
                continue
            }
            if !quoted && character == ")" && depth > 0 {
                depth -= 1
                continue
            }
            if depth == 0 { text.append(character == "\r" || character == "\n" || character == "\t" ? " " : character) }
        }
        let sections = text.split(separator: ";", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        let authservID = sections.first?.split(separator: " ").first.map(String.init) ?? ""
        var methods: [(String, String, [String: String])] = []
        for section in sections.dropFirst() {
            let words = section.split(separator: " ").map(String.init)
            guard let first = words.first, let equals = first.firstIndex(of: "=") else { continue }
            let method = first[..<equals].lowercased()
            let result = first[first.index(after: equals)...].lowercased()
            var properties: [String: String] = [:]
            for word in words.dropFirst() {
                guard let sign = word.firstIndex(of: "="), word[..<sign].contains(".") else { continue }
                properties[word[..<sign].lowercased()] = String(word[word.index(after: sign)...]).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            }
            methods.append((String(method), String(result), properties))
        }
        return Results(authservID: authservID, methods: methods)
    }
}
