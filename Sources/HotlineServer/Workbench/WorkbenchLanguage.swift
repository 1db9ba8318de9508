import Hummingbird

/// The workbench's languages: English and Dutch. Chosen by `?lang=`, then the `hg_lang`
/// cookie, then the browser's `Accept-Language`.
enum WorkbenchLanguage: String, CaseIterable, Sendable {
    case en
    case nl

    /// The cookie that remembers the choice.
    static let cookie = "hg_lang"

    /// The language of a request.
    static func of(_ request: Request) -> WorkbenchLanguage {
        if let asked = request.uri.queryParameters.get("lang").flatMap({ WorkbenchLanguage(rawValue: String($0)) }) { return asked }
        if let kept = request.cookies[cookie].flatMap({ WorkbenchLanguage(rawValue: $0.value) }) { return kept }
        let accepted = request.headers[.acceptLanguage]?.lowercased() ?? ""
        return accepted.hasPrefix("nl") ? .nl : .en
    }

    /// The text for `key`; the key itself when there is none (a test sees it at once).
    func text(_ key: String) -> String {
        guard let pair = Self.texts[key] else { return key }
        return self == .nl ? pair.1 : pair.0
    }

    /// Every text in both languages.
    static let texts: [String: (String, String)] = [
        "app": ("Hotline Gateway", "Hotline Gateway"),
        "nav.queue": ("Queue", "Wachtrij"),
        "nav.verdicts": ("Verdicts", "Oordelen"),
        "nav.notices": ("Notices", "Meldingen"),
        "nav.disputes": ("Disputes", "Bezwaren"),
        "nav.explanations": ("Explanations", "Toelichtingen"),
        "explanations.title": ("Listed hosters' explanations", "Toelichtingen van vermelde hosters"),
        "explanations.empty": ("No explanation waits for an analyst.", "Er wacht geen toelichting op een analist."),
        "explanations.accept": ("Accept: publish it with the entry", "Aanvaarden: publiceren bij de vermelding"),
        "explanations.reject": ("Reject: not published", "Afwijzen: niet publiceren"),
        "explanations.publications": ("Editions of the public list", "Edities van de openbare lijst"),
        "disputes.title": ("Hosters' disputes of matches", "Bezwaren van hosters tegen treffers"),
        "disputes.empty": ("No dispute waits for an analyst.", "Er wacht geen bezwaar op een analist."),
        "disputes.accept": ("Accept: allow-list the hashes", "Toewijzen: hashes op de uitzonderingslijst"),
        "disputes.reject": ("Reject: the match stands", "Afwijzen: de treffer blijft"),
        "disputes.decided": ("Decided", "Besloten"),
        "done.disputeaccepted": ("Accepted: the hashes are allow-listed.", "Toegewezen: de hashes staan op de uitzonderingslijst."),
        "done.explanationaccepted": ("Accepted: it will be published with the entry.", "Aanvaard: de toelichting wordt bij de vermelding gepubliceerd."),
        "done.explanationrejected": ("Rejected: it will not be published.", "Afgewezen: de toelichting wordt niet gepubliceerd."),
        "done.disputerejected": ("Rejected: the match stands.", "Afgewezen: de treffer blijft."),
        "nav.holds": ("Holds", "Blokkades"),
        "nav.lists": ("Hash lists", "Hashlijsten"),
        "nav.rules": ("Rules", "Regels"),
        "nav.monitor": ("Monitor", "Monitor"),
        "signout": ("Sign out", "Afmelden"),
        "signedin": ("Signed in as", "Aangemeld als"),
        "nocontent": (
            "No content is ever shown here: URLs are text, defanged, never links.",
            "Hier wordt nooit materiaal getoond: URL's staan er als tekst, onklikbaar gemaakt, nooit als link."
        ),
        "queue.title": ("Analysts' queue", "Wachtrij voor analisten"),
        "queue.empty": ("Nothing waits for an analyst.", "Er wacht niets op een analist."),
        "queue.filter": ("Filter", "Filteren"),
        "queue.reason": ("Reason", "Reden"),
        "queue.country": ("Country", "Land"),
        "queue.hoster": ("Hoster", "Hoster"),
        "queue.list": ("List", "Lijst"),
        "queue.channel": ("Channel", "Kanaal"),
        "queue.priority": ("Priority", "Prioriteit"),
        "queue.since": ("Waiting since", "Wacht sinds"),
        "queue.url": ("URL", "URL"),
        "queue.taken": ("Taken by", "In behandeling bij"),
        "queue.open": ("Open", "Openen"),
        "queue.kind": ("Kind", "Soort"),
        "page.next": ("Next page", "Volgende pagina"),
        "page.previous": ("Previous page", "Vorige pagina"),
        "case.title": ("Case", "Zaak"),
        "case.take": ("Take this case", "Deze zaak oppakken"),
        "case.release": ("Give it back", "Teruggeven"),
        "case.takenbyyou": ("You are working this case until", "U behandelt deze zaak tot"),
        "case.takenby": ("is working this case until", "behandelt deze zaak tot"),
        "case.urls": ("URLs and hosts", "URL's en hosts"),
        "case.hosting": ("Hosting, step by step", "Hosting, stap voor stap"),
        "case.facts": ("Facts", "Feiten"),
        "case.trace": ("Decisions and their traces", "Besluiten en hun onderbouwing"),
        "case.hashes": ("Hashes", "Hashes"),
        "case.observed": ("Observed by the gateway", "Door de gateway waargenomen"),
        "case.claimed": ("Claimed by reporters", "Door melders opgegeven"),
        "case.reports": ("Reports", "Meldingen van melders"),
        "case.notices": ("Notices and forwards", "Verzoeken en doorzendingen"),
        "case.verdicts": ("Verdicts", "Oordelen"),
        "case.now": ("What the rules would do now", "Wat de regels nu zouden doen"),
        "case.decide": ("Decide", "Besluiten"),
        "case.status": ("Status", "Status"),
        "case.closed": ("This case is closed.", "Deze zaak is gesloten."),
        "case.nohashes": ("The gateway hashed nothing in this case.", "De gateway heeft in deze zaak niets gehasht."),
        "decide.action": ("Action", "Actie"),
        "decide.notify": ("Notice to the hoster (or another party)", "Verzoek aan de hoster (of een andere partij)"),
        "decide.forward": ("Forward (partner hotline or police)", "Doorsturen (partnermeldpunt of politie)"),
        "decide.close": ("Close", "Sluiten"),
        "decide.to": ("To", "Aan"),
        "decide.classification": ("Classification", "Classificatie"),
        "decide.reason": ("Reason", "Reden"),
        "decide.submit": ("Record the decision", "Besluit vastleggen"),
        "verdicts.title": ("Verdicts waiting for a second analyst", "Oordelen die op een tweede analist wachten"),
        "verdicts.empty": ("No verdict waits for confirmation.", "Er wacht geen oordeel op bevestiging."),
        "verdicts.confirm": ("Confirm", "Bevestigen"),
        "verdicts.reject": ("Reject", "Afwijzen"),
        "verdicts.own": ("Your own verdict: another analyst must confirm it.", "Uw eigen oordeel: een andere analist moet het bevestigen."),
        "verdicts.by": ("Given by", "Gegeven door"),
        "verdicts.recent": ("Reviewed recently", "Recent beoordeeld"),
        "notices.title": ("Notices", "Verzoeken"),
        "notices.held": ("Held until the police release them", "Aangehouden tot de politie ze vrijgeeft"),
        "notices.release": ("Release", "Vrijgeven"),
        "notices.events": ("Events", "Gebeurtenissen"),
        "notices.messages": ("Messages", "Berichten"),
        "holds.title": ("Standing holds", "Blokkades"),
        "holds.add": ("Place a hold", "Blokkade plaatsen"),
        "holds.scope": ("Covers", "Geldt voor"),
        "holds.value": ("Value", "Waarde"),
        "holds.until": ("Until (RFC 3339 or a duration like 7d)", "Tot (RFC 3339 of een duur zoals 7d)"),
        "holds.police": ("At the police's request", "Op verzoek van de politie"),
        "holds.end": ("End now", "Nu beëindigen"),
        "holds.empty": ("No standing holds.", "Geen blokkades."),
        "lists.title": ("Hash lists", "Hashlijsten"),
        "lists.enable": ("Enable", "Aanzetten"),
        "lists.disable": ("Disable", "Uitzetten"),
        "lists.retract": ("Retract a hash (false positive)", "Hash intrekken (vals positief)"),
        "lists.lookup": ("Look a hash up", "Hash opzoeken"),
        "lists.allowed": ("Allow-listed hashes (never a match)", "Hashes op de uitzonderingslijst (nooit een treffer)"),
        "rules.title": ("Rules", "Regels"),
        "rules.inforce": ("In force", "Van kracht"),
        "rules.ondisk": ("The files on disk", "De bestanden op schijf"),
        "rules.replay": ("Replay of the last 30 days under the files on disk", "Herhaling van de afgelopen 30 dagen met de bestanden op schijf"),
        "rules.reload": ("Reload the rules", "Regels opnieuw laden"),
        "rules.clean": ("No problems.", "Geen problemen."),
        "done.decided": ("The decision is recorded.", "Het besluit is vastgelegd."),
        "done.taken": ("The case is yours.", "De zaak is aan u toegewezen."),
        "done.released": ("The case is back in the queue.", "De zaak staat weer in de wachtrij."),
        "done.confirmed": ("Confirmed: its hashes match from now on.", "Bevestigd: de hashes geven vanaf nu een treffer."),
        "done.rejected": ("Rejected: nothing was listed.", "Afgewezen: er is niets op een lijst gezet."),
        "done.hold": ("The hold is placed.", "De blokkade is geplaatst."),
        "done.holdended": ("The hold has ended.", "De blokkade is beëindigd."),
        "done.list": ("The list is changed.", "De lijst is gewijzigd."),
        "done.retracted": ("Retracted.", "Ingetrokken."),
        "done.releasedheld": ("Released: the held notices go out.", "Vrijgegeven: de aangehouden verzoeken gaan de deur uit."),
        "done.reloaded": ("The rules are reloaded.", "De regels zijn opnieuw geladen."),
        "error.title": ("Not done", "Niet uitgevoerd"),
        "error.csrf": (
            "The form had expired or did not come from this site; nothing was done.",
            "Het formulier was verlopen of kwam niet van deze site; er is niets gedaan."
        ),
    ]
}
