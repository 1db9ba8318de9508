import Foundation
import HotlineCore

extension ContactDirectory {
    /// The directory with the hosters' approved changes in force: their abuse addresses,
    /// webhook and language replace the file's. Names, networks and domains stay the file's.
    public func applying(_ changes: [String: ContactChange]) -> ContactDirectory {
        var directory = self
        for index in directory.contacts.indices {
            guard let change = changes[directory.contacts[index].id] else { continue }
            directory.contacts[index].abuse = change.abuse
            directory.contacts[index].language = change.language
            if let webhook = change.webhook {
                directory.contacts[index].webhook = webhook
                directory.contacts[index].channel = .webhook
            } else if directory.contacts[index].channel == .webhook {
                directory.contacts[index].webhook = nil
                directory.contacts[index].channel = .email
            }
        }
        return directory
    }

    /// Why a hoster's change to `contact` cannot be asked for; `nil` when it can. Abuse
    /// addresses must be at the organisation's own domains (its `domains` and those of the
    /// file's abuse addresses); a webhook must be https to a public host, and needs a signing
    /// secret the operator set up; the language one of `languages`.
    public static func problem(
        with change: (abuse: [String], webhook: String?, language: String), for contact: DirectoryContact, languages: Set<String>
    ) -> String? {
        guard (1...10).contains(change.abuse.count) else { return "give 1 to 10 abuse addresses" }
        let own = Set(contact.domains.map { $0.lowercased() } + contact.abuse.compactMap { $0.split(separator: "@").last.map { $0.lowercased() } })
        for address in change.abuse {
            guard EmailAddress.isValid(address) else { return "\(Quoted.text(address)) is not a plain e-mail address" }
            let domain = address.split(separator: "@").last.map { $0.lowercased() } ?? ""
            guard own.contains(where: { domain == $0 || domain.hasSuffix("." + $0) }) else {
                return "\(Quoted.text(address)) is not at one of your own domains (\(own.sorted().joined(separator: ", ")))"
            }
        }
        if let webhook = change.webhook {
            guard let url = URL(string: webhook), url.scheme?.lowercased() == "https", let host = url.host, !host.isEmpty else {
                return "the webhook must be an https URL"
            }
            let bare = host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host
            if let address = IPAddress(bare), AddressPolicy().refusal(address) != nil { return "the webhook must be on a public address, not \(bare)" }
            if host.lowercased() == "localhost" || host.lowercased().hasSuffix(".localhost") { return "the webhook must be on a public host" }
            guard contact.webhookSecretEnvironment != nil else {
                return "the hotline has no webhook secret set up for you yet; ask it to add one before switching to a webhook"
            }
        }
        guard languages.contains(change.language) else { return "\"language\" must be one of \(languages.sorted().joined(separator: ", "))" }
        return nil
    }
}
