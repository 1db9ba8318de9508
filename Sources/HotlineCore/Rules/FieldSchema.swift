/// One field rules can read.
public struct FieldDefinition: Hashable, Sendable {
    /// The dotted name, e.g. `hosting.country`.
    public var name: String
    /// Its type.
    public var type: FactType
    /// What it means, for `docs/` and `rules check`.
    public var summary: String
    /// For string fields with a closed set of values: those values; a comparison with any
    /// other literal is an error at load time.
    public var allowedValues: [String]?
    /// The position of the field in ``Facts``.
    public var index: Int
    /// `"name":`, ready to write: every decision writes its facts as JSON.
    public var jsonKey: String
}

/// The documented fields the rule language reads: `report.*`, `case.*`, `hash.*`,
/// `hosting.*`, `registrar.*` and `notice.*`.
///
/// Adding a fact means adding one entry here and one enricher that fills it; rules see it at
/// once and `rules check` knows it. Fields that later stages fill (hashes, hosting) are here
/// already and simply absent until then.
public struct FieldSchema: Sendable {
    /// The fields, in index order.
    public let fields: [FieldDefinition]
    private let byName: [String: Int]

    /// Builds a schema from `(name, type, summary, allowed values)` entries.
    init(_ entries: [(name: String, type: FactType, summary: String, allowedValues: [String]?)]) {
        var fields: [FieldDefinition] = []
        for (index, entry) in entries.enumerated() {
            fields.append(
                FieldDefinition(
                    name: entry.0, type: entry.1, summary: entry.2, allowedValues: entry.3, index: index, jsonKey: JSONValue.string(entry.0).serialized + ":"))
        }
        self.fields = fields
        self.byName = Dictionary(uniqueKeysWithValues: fields.map { ($0.name, $0.index) })
    }

    /// The field named `name`.
    public subscript(name: String) -> FieldDefinition? {
        byName[name].map { fields[$0] }
    }

    /// The field most like `name`, to suggest for a typo.
    public func suggestion(for name: String) -> String? {
        let best = fields.map { ($0.name, editDistance($0.name, name)) }.min { $0.1 < $1.1 }
        guard let best, best.1 <= max(2, name.count / 4) else { return nil }
        return best.0
    }

    /// The schema of this version of the gateway: one field per ``Fact``.
    public static let standard = FieldSchema(Fact.allCases.map(\.definition))
}

/// A fact rules can read: one case per field of the schema, so a misspelled fact is a
/// compile error. The cases are in schema order; a case's raw value is its field index.
///
/// Adding a fact means one case here with its definition below, and one enricher that fills
/// it; rules see it at once and `rules check` knows it.
public enum Fact: Int, CaseIterable, Sendable {
    /// `report.url`.
    case reportURL
    /// `report.original_url`.
    case reportOriginalURL
    /// `report.scheme`.
    case reportScheme
    /// `report.host`.
    case reportHost
    /// `report.tld`.
    case reportTLD
    /// `report.domain`.
    case reportDomain
    /// `report.path`.
    case reportPath
    /// `report.source.type`.
    case reportSourceType
    /// `report.source.name`.
    case reportSourceName
    /// `report.source.channel`.
    case reportSourceChannel
    /// `report.media_type`.
    case reportMediaType
    /// `report.classification`.
    case reportClassification
    /// `report.has_hashes`.
    case reportHasHashes
    /// `report.has_reporter`.
    case reportHasReporter
    /// `report.age`.
    case reportAge
    /// `report.hashes.match`.
    case reportHashesMatch
    /// `report.hashes.classification`.
    case reportHashesClassification
    /// `report.hashes.list`.
    case reportHashesList
    /// `case.duplicate`.
    case caseDuplicate
    /// `case.joined_by`.
    case caseJoinedBy
    /// `case.report_count`.
    case caseReportCount
    /// `case.age`.
    case caseAge
    /// `hash.match`.
    case hashMatch
    /// `hash.classification`.
    case hashClassification
    /// `hash.list`.
    case hashList
    /// `hash.algorithm`.
    case hashAlgorithm
    /// `hash.distance`.
    case hashDistance
    /// `hash.quality`.
    case hashQuality
    /// `hash.source`.
    case hashSource
    /// `hash.score`.
    case hashScore
    /// `hash.external_classification`.
    case hashExternalClassification
    /// `hash.video_match`.
    case hashVideoMatch
    /// `hash.video_query_share`.
    case hashVideoQueryShare
    /// `hash.video_target_share`.
    case hashVideoTargetShare
    /// `fetch.status`.
    case fetchStatus
    /// `fetch.http_status`.
    case fetchHTTPStatus
    /// `fetch.media_type`.
    case fetchMediaType
    /// `fetch.bytes`.
    case fetchBytes
    /// `fetch.media_found`.
    case fetchMediaFound
    /// `fetch.media_hashed`.
    case fetchMediaHashed
    /// `fetch.detail`.
    case fetchDetail
    /// `hosting.resolved`.
    case hostingResolved
    /// `hosting.lookup_failed`.
    case hostingLookupFailed
    /// `hosting.ip`.
    case hostingIP
    /// `hosting.ips`.
    case hostingIPs
    /// `hosting.network`.
    case hostingNetwork
    /// `hosting.country`.
    case hostingCountry
    /// `hosting.asn`.
    case hostingASN
    /// `hosting.as_name`.
    case hostingASName
    /// `hosting.org`.
    case hostingOrg
    /// `hosting.abuse_email`.
    case hostingAbuseEmail
    /// `hosting.contact_id`.
    case hostingContactID
    /// `hosting.abuse_bounces`.
    case hostingAbuseBounces
    /// `hosting.contact_source`.
    case hostingContactSource
    /// `hosting.confidence`.
    case hostingConfidence
    /// `hosting.ntd_member`.
    case hostingNTDMember
    /// `hosting.cdn`.
    case hostingCDN
    /// `hosting.partner_hotline`.
    case hostingPartnerHotline
    /// `registrar.name`.
    case registrarName
    /// `registrar.abuse_email`.
    case registrarAbuseEmail
    /// `registrar.iana_id`.
    case registrarIANAID
    /// `notice.status`.
    case noticeStatus
    /// `notice.kind`.
    case noticeKind
    /// `notice.recipient`.
    case noticeRecipient
    /// `notice.age`.
    case noticeAge
    /// `notice.overdue`.
    case noticeOverdue
    /// `notice.reminders`.
    case noticeReminders
    /// `notice.urls`.
    case noticeURLs
    /// `notice.urls_online`.
    case noticeURLsOnline
    /// `delivery.error`.
    case deliveryError
    /// `delivery.attempts`.
    case deliveryAttempts
    /// `analyst.classification`.
    case analystClassification
    /// `case.id`.
    case caseID
    /// `hold.active`.
    case holdActive
    /// `hold.id`.
    case holdID
    /// `hold.scope`.
    case holdScope
    /// `hold.reason`.
    case holdReason
    /// `hold.police`.
    case holdPolice
    /// `hold.remaining`.
    case holdRemaining

    /// The dotted name, type, summary and closed set of values of the field.
    var definition: (name: String, type: FactType, summary: String, allowedValues: [String]?) {
        switch self {
        case .reportURL: ("report.url", .string, "The canonical URL.", nil)
        case .reportOriginalURL: ("report.original_url", .string, "The URL as reported.", nil)
        case .reportScheme: ("report.scheme", .string, "`http` or `https`.", ["http", "https"])
        case .reportHost: ("report.host", .string, "The URL's host, lowercased, IDN as A-labels.", nil)
        case .reportTLD: ("report.tld", .string, "The last label of the host; absent for IP hosts.", nil)
        case .reportDomain: ("report.domain", .string, "The registrable domain (by the Public Suffix List), e.g. example.co.uk; absent for IP hosts.", nil)
        case .reportPath: ("report.path", .string, "The URL's path.", nil)
        case .reportSourceType: ("report.source.type", .string, "Who sent the report.", ReportSource.Kind.allCases.map(\.rawValue))
        case .reportSourceName: ("report.source.name", .string, "The sender's name, when given.", nil)
        case .reportSourceChannel: ("report.source.channel", .string, "How it arrived.", ["file", "api", "mail"])
        case .reportMediaType: ("report.media_type", .string, "The reported media type.", nil)
        case .reportClassification: ("report.classification", .string, "The sender's classification hint.", Classification.allCases.map(\.rawValue))
        case .reportHasHashes: ("report.has_hashes", .bool, "Whether the sender supplied any hash.", nil)
        case .reportHasReporter: ("report.has_reporter", .bool, "Whether a reporter contact was given.", nil)
        case .reportAge: ("report.age", .duration, "Time from receipt to the decision.", nil)
        case .reportHashesMatch:
            (
                "report.hashes.match", .string,
                "What the hashes the reporter supplied match (a claim, not evidence): known, similar, none or allowlisted. Absent when the report has no hash.",
                HashMatchResult.Kind.allCases.map(\.rawValue)
            )
        case .reportHashesClassification:
            (
                "report.hashes.classification", .string, "Classification of the list entry the reported hashes match.",
                Classification.allCases.map(\.rawValue) + ["nationally_illegal", "unclassified"]
            )
        case .reportHashesList: ("report.hashes.list", .string, "Name of the list the reported hashes match.", nil)
        case .caseDuplicate:
            (
                "case.duplicate", .bool,
                "An open case for the same canonical URL already existed; this report joined it. The same content at another URL is no duplicate (case.joined_by hash): that URL has its own hoster.",
                nil
            )
        case .caseJoinedBy: ("case.joined_by", .string, "How the report joined an open case: same URL or same content hash.", ["url", "hash"])
        case .caseReportCount: ("case.report_count", .number, "Reports in the case, this one included.", nil)
        case .caseAge: ("case.age", .duration, "Time since the case was opened.", nil)
        case .hashMatch:
            (
                "hash.match", .string,
                "What the gateway observed matches: an exact digest of a fetched file is listed (known), the PDQ of a fetched image is within the threshold (similar), nothing (none), or only an allow-listed value matched (allowlisted). Absent when nothing was hashed; see hash.source and report.hashes.*.",
                ["known", "similar", "none", "allowlisted"]
            )
        case .hashClassification:
            (
                "hash.classification", .string, "Classification of the matched list entry.",
                Classification.allCases.map(\.rawValue) + ["nationally_illegal", "unclassified"]
            )
        case .hashList: ("hash.list", .string, "Name of the list that matched.", nil)
        case .hashAlgorithm:
            ("hash.algorithm", .string, "Hash that matched (vpdq: a fetched video matched a listed one).", ["md5", "sha1", "sha256", "pdq", "vpdq"])
        case .hashDistance: ("hash.distance", .number, "PDQ Hamming distance of the match (0 for exact hashes).", nil)
        case .hashQuality: ("hash.quality", .number, "PDQ quality of the fetched image (0-100).", nil)
        case .hashSource:
            (
                "hash.source", .string,
                "Where the hash.* match comes from: observed (the gateway fetched and hashed the content) or reported (by a submitter the config trusts).",
                HashMatchResult.Source.allCases.map(\.rawValue)
            )
        case .hashScore: ("hash.score", .number, "The external matcher's score for its match, when it gives one (hash.source external).", nil)
        case .hashExternalClassification:
            (
                "hash.external_classification", .string,
                "The external matcher's own classification of its match (for example a PhotoDNA violation or Arachnid Shield's csam), when hash.source is external.",
                nil
            )
        case .hashVideoMatch:
            (
                "hash.video_match", .bool,
                "Whether a fetched video matched a listed one by vPDQ: at least 80% of its frames (quality 50 or more, repeats left out) within PDQ distance 31 of the listed video's. Absent when no video was hashed or no video is listed.",
                nil
            )
        case .hashVideoQueryShare:
            ("hash.video_query_share", .number, "Percentage of the fetched video's frames that match the closest listed video (0-100).", nil)
        case .hashVideoTargetShare:
            ("hash.video_target_share", .number, "Percentage of the closest listed video's frames that match the fetched video (0-100).", nil)
        case .fetchStatus:
            (
                "fetch.status", .string,
                "How fetching the reported URL went: ok, gone (404, 410, 451, no such host), refused (the address policy), failed (timeout, error, other status) or skipped (fetching is off for this source or channel).",
                FetchEvidence.Status.allCases.map(\.rawValue)
            )
        case .fetchHTTPStatus: ("fetch.http_status", .number, "The final HTTP status of the fetch.", nil)
        case .fetchMediaType: ("fetch.media_type", .string, "The media type of what the URL serves, sniffed from its bytes.", nil)
        case .fetchBytes: ("fetch.bytes", .number, "Bytes read for the report: the URL and the media of a page.", nil)
        case .fetchMediaFound: ("fetch.media_found", .number, "Media references found on a reported page.", nil)
        case .fetchMediaHashed: ("fetch.media_hashed", .number, "Files hashed: the URL's own body when it is media, and the media of a page.", nil)
        case .fetchDetail: ("fetch.detail", .string, "What happened while fetching: the reason of a failure, or the limit that cut it short.", nil)
        case .hostingResolved:
            ("hosting.resolved", .bool, "Whether the host could be resolved to an address; false means unresolvable (rules can escalate it).", nil)
        case .hostingLookupFailed:
            (
                "hosting.lookup_failed", .bool,
                "A DNS or RDAP lookup failed (timeout, SERVFAIL, error, malformed answer) rather than finding nothing; looked up again after a minute.", nil
            )
        case .hostingIP: ("hosting.ip", .ip, "The address the host resolved to (the first, when several).", nil)
        case .hostingIPs: ("hosting.ips", .ipList, "Every address the host resolved to; \"in\" holds when any of them is in the networks.", nil)
        case .hostingNetwork: ("hosting.network", .string, "The most specific network containing it, in CIDR notation.", nil)
        case .hostingCountry: ("hosting.country", .string, "ISO 3166 country of the hosting network, uppercase.", nil)
        case .hostingASN: ("hosting.asn", .number, "Autonomous system announcing the address.", nil)
        case .hostingASName: ("hosting.as_name", .string, "Name of that AS.", nil)
        case .hostingOrg: ("hosting.org", .string, "The hoster's name, from the directory or RDAP.", nil)
        case .hostingAbuseEmail: ("hosting.abuse_email", .string, "The hoster's abuse address.", nil)
        case .hostingContactID: ("hosting.contact_id", .string, "The contact directory entry that matched, if any.", nil)
        case .hostingAbuseBounces: ("hosting.abuse_bounces", .number, "Bounces recorded for the abuse address (each lowers hosting.confidence by 25).", nil)
        case .hostingContactSource: ("hosting.contact_source", .string, "Where the abuse address came from.", ["directory", "rdap", "rdap_fallback", "manual"])
        case .hostingConfidence: ("hosting.confidence", .number, "Confidence in the abuse address, 0-100 (directory 100; RDAP: see docs/hosting.md).", nil)
        case .hostingNTDMember: ("hosting.ntd_member", .bool, "The hoster signed the national notice-and-takedown code of conduct.", nil)
        case .hostingCDN: ("hosting.cdn", .bool, "The address belongs to a CDN or reverse proxy.", nil)
        case .hostingPartnerHotline: ("hosting.partner_hotline", .string, "The INHOPE hotline for the hosting country.", nil)
        case .registrarName: ("registrar.name", .string, "The domain's registrar.", nil)
        case .registrarAbuseEmail: ("registrar.abuse_email", .string, "The registrar's abuse address.", nil)
        case .registrarIANAID: ("registrar.iana_id", .number, "The registrar's IANA id.", nil)
        case .noticeStatus: ("notice.status", .string, "The notice's state (lifecycle rules).", NoticeStatus.allCases.map(\.rawValue))
        case .noticeKind: ("notice.kind", .string, "A notice to remove (notify) or a forward.", ["notify", "forward"])
        case .noticeRecipient:
            ("notice.recipient", .string, "The rule target the notice went to: hosting, registrar, upstream, partner, police or contact:ID.", nil)
        case .noticeAge: ("notice.age", .duration, "Time since the notice was delivered (or written, when it never was).", nil)
        case .noticeOverdue: ("notice.overdue", .bool, "The notice's deadline has passed while URLs are still online.", nil)
        case .noticeReminders: ("notice.reminders", .number, "Reminders sent for the notice.", nil)
        case .noticeURLs: ("notice.urls", .number, "URLs in the notice.", nil)
        case .noticeURLsOnline: ("notice.urls_online", .number, "URLs of the notice not yet confirmed gone.", nil)
        case .deliveryError: ("delivery.error", .string, "Why the last delivery failed (delivery.failed).", nil)
        case .deliveryAttempts: ("delivery.attempts", .number, "Delivery attempts made (delivery.failed).", nil)
        case .analystClassification:
            (
                "analyst.classification", .string, "The classification an analyst gave when deciding the case by hand.",
                AssessedClassification.allCases.map(\.rawValue)
            )
        case .caseID: ("case.id", .string, "The case the report is in.", nil)
        case .holdActive: ("hold.active", .bool, "A standing hold covers the URL's domain, network, hoster or case; its notices wait until it ends.", nil)
        case .holdID: ("hold.id", .string, "The standing hold that covers it (the one ending last, when several do).", nil)
        case .holdScope: ("hold.scope", .string, "What the hold covers.", StandingHold.Scope.allCases.map(\.rawValue))
        case .holdReason: ("hold.reason", .string, "Why the hold was placed.", nil)
        case .holdPolice: ("hold.police", .bool, "The hold was placed at the police's request.", nil)
        case .holdRemaining: ("hold.remaining", .duration, "Time until the hold ends.", nil)
        }
    }

    /// The dotted name, e.g. `hosting.country`.
    public var name: String { FieldSchema.standard.fields[rawValue].name }

    /// The fact named `name`, if the schema has it.
    public init?(name: String) {
        guard let field = FieldSchema.standard[name] else { return nil }
        self.init(rawValue: field.index)
    }
}

/// Levenshtein distance, for "did you mean" suggestions.
public func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a)
    let b = Array(b)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous = Array(0...b.count)
    var current = Array(repeating: 0, count: b.count + 1)
    for i in 1...a.count {
        current[0] = i
        for j in 1...b.count {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        swap(&previous, &current)
    }
    return previous[b.count]
}
