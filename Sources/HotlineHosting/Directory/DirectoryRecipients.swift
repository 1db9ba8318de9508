import HotlineCore

/// Who each rule target is, from the contact directory and a report's facts.
///
/// `hosting` is the directory entry that matched (its channel, language and addresses) or
/// the RDAP abuse address; `upstream` is that entry's `escalation` addresses; `registrar` is
/// the registrar's abuse address; `partner` the partner hotline of the hosting country;
/// `police` the directory entry with id `police`; `contact:ID` that entry.
public struct DirectoryRecipients: RecipientDirectory {
    /// The directory.
    public let directory: ContactDirectory
    /// Countries whose hosters get Dutch notices when the directory does not say.
    public let dutchCountries: Set<String>

    /// Creates the lookup.
    public init(directory: ContactDirectory, dutchCountries: Set<String> = ["NL", "BE", "SR"]) {
        self.directory = directory
        self.dutchCountries = dutchCountries
    }

    /// The recipient for `target` (`hosting`, `registrar`, `upstream`, `partner`, `police`,
    /// `contact:ID`), or `nil` when nobody is known.
    public func recipient(for target: DispatchTarget, facts: Facts) -> Recipient? {
        let string = facts.string
        let entry = string(.hostingContactID).flatMap { directory.contact(id: $0) }
        switch target {
        case .hosting:
            if let entry { return recipient(entry, target: target, addresses: entry.abuse) }
            guard let email = string(.hostingAbuseEmail) else { return nil }
            let language = string(.hostingCountry).map { dutchCountries.contains($0) ? "nl" : "en" } ?? "en"
            return Recipient(target: target, name: string(.hostingOrg) ?? string(.hostingASName) ?? email, addresses: [email], language: language)
        case .upstream:
            guard let entry, !entry.escalation.isEmpty else { return nil }
            var upstream = recipient(entry, target: target, addresses: entry.escalation)
            // Escalation addresses are people's mailboxes, not the abuse desk's API.
            upstream.channel = .email
            upstream.endpoint = nil
            return upstream
        case .registrar:
            guard let email = string(.registrarAbuseEmail) else { return nil }
            return Recipient(target: target, name: string(.registrarName) ?? email, addresses: [email], language: "en")
        case .partner:
            guard let id = string(.hostingPartnerHotline) else { return nil }
            let hotline =
                directory.hotlines.first { $0.id == id || $0.name == id }
                ?? string(.hostingCountry).flatMap { directory.hotline(country: $0) }
            guard let hotline else { return nil }
            return Recipient(target: target, name: hotline.name, addresses: [hotline.email], contactID: hotline.id, language: hotline.language)
        case .police:
            return directory.contact(id: "police").map { recipient($0, target: target, addresses: $0.abuse) }
        case .contact(let id):
            guard let contact = directory.contact(id: id) else { return nil }
            return recipient(contact, target: target, addresses: contact.abuse)
        }
    }

    private func recipient(_ contact: DirectoryContact, target: DispatchTarget, addresses: [String]) -> Recipient {
        Recipient(
            target: target, name: contact.name, addresses: addresses, contactID: contact.id, language: contact.language,
            channel: contact.channel == .webhook ? .webhook : .email, endpoint: contact.webhook,
            secretEnvironment: contact.webhookSecretEnvironment)
    }
}
