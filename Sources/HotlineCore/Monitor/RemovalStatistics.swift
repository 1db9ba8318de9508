import Foundation

/// One URL of one notice to a hoster, or of one forward to a partner hotline or the police,
/// as the statistics need it.
public struct NoticeURLRow: Hashable, Sendable {
    /// The notice (rows of one notice are adjacent and share it).
    public var noticeKey: Int64
    /// Its reference.
    public var reference: String
    /// `notify` (to the hoster) or `forward` (to a partner hotline or the police).
    public var kind: ActionKind = .notify
    /// Who it went to: the partner hotline's name, `police`, or the hoster's desk.
    public var recipient: String = ""
    /// The hoster's directory entry, when it has one.
    public var contactID: String? = nil
    /// The hoster's organisation (or `unknown`).
    public var org: String
    /// The AS.
    public var asn: Int?
    /// The hosting country.
    public var country: String?
    /// When the notice was delivered.
    public var sentAt: Date
    /// The current deadline.
    public var deadline: Date?
    /// Reminders sent.
    public var reminders: Int
    /// Whether the hoster acknowledged the notice.
    public var acknowledged: Bool
    /// The notice's status.
    public var status: NoticeStatus
    /// Escalated by the follow-up.
    public var escalated: Bool
    /// When it was found gone (first of the confirming checks), if it was.
    public var removedAt: Date?

    /// Not seen removed, in a notice still followed up (or refused): online as far as the
    /// gateway knows.
    public var isOpen: Bool { removedAt == nil && (status.isActive || status == .rejected) }

    /// Creates a row.
    public init(
        noticeKey: Int64, reference: String, org: String, asn: Int?, country: String?, sentAt: Date, deadline: Date?, reminders: Int, acknowledged: Bool,
        status: NoticeStatus, escalated: Bool, removedAt: Date?, kind: ActionKind = .notify, recipient: String = "", contactID: String? = nil
    ) {
        self.kind = kind
        self.recipient = recipient
        self.contactID = contactID
        self.noticeKey = noticeKey
        self.reference = reference
        self.org = org
        self.asn = asn
        self.country = country
        self.sentAt = sentAt
        self.deadline = deadline
        self.reminders = reminders
        self.acknowledged = acknowledged
        self.status = status
        self.escalated = escalated
        self.removedAt = removedAt
    }
}

/// Removal figures for one group (a hoster, a country, a week, or everything).
public struct RemovalFigures: Hashable, Sendable {
    /// The group's key: organisation, `AS64500`, country, or week (`2026-W48`).
    public var key: String
    /// The AS, for hosters.
    public var asn: Int?
    /// The country, for hosters.
    public var country: String?
    /// Notices sent.
    public var notices: Int
    /// URLs in them.
    public var urls: Int
    /// Notices acknowledged.
    public var acknowledged: Int
    /// URLs removed.
    public var removed: Int
    /// Median time from notice to removal, of the removed URLs (seconds).
    public var medianSeconds: Double?
    /// 90th percentile of the same.
    public var p90Seconds: Double?
    /// Share of URLs removed within 24 hours (the Dutch norm), of all URLs sent.
    public var within24h: Double
    /// Share removed within 72 hours.
    public var within72h: Double
    /// URLs still online now.
    public var onlineNow: Int
    /// URLs online past their notice's deadline now.
    public var overdueNow: Int
    /// Reminders sent.
    public var reminders: Int
    /// Notices ignored past the last reminder (escalated by the follow-up, still online).
    public var ignored: Int
    /// The hoster's directory entry, for hosters that have one.
    public var contactID: String? = nil
    /// Kaplan–Meier summary (median, p90, share online after 1/3/7/30 days), when computed.
    public var survival: SurvivalCurve? = nil

    /// `{"key",…}` with durations in hours.
    public var json: JSONValue {
        var object: JSONObject = ["key": .string(key)]
        if let asn { object.append("asn", .number(Double(asn))) }
        if let country { object.append("country", .string(country)) }
        object.append("notices", .number(Double(notices)))
        object.append("urls", .number(Double(urls)))
        object.append("acknowledged", .number(Double(acknowledged)))
        object.append("removed", .number(Double(removed)))
        object.append("median_hours", medianSeconds.map { .number(Self.round($0 / 3600)) } ?? .null)
        object.append("p90_hours", p90Seconds.map { .number(Self.round($0 / 3600)) } ?? .null)
        object.append("within_24h", .number(Self.round(within24h, places: 3)))
        object.append("within_72h", .number(Self.round(within72h, places: 3)))
        object.append("online_now", .number(Double(onlineNow)))
        object.append("overdue_now", .number(Double(overdueNow)))
        object.append("reminders", .number(Double(reminders)))
        object.append("ignored", .number(Double(ignored)))
        if let contactID { object.append("contact_id", .string(contactID)) }
        if let survival { object.append("survival", survival.summaryJSON) }
        return .object(object)
    }

    static func round(_ value: Double, places: Int = 1) -> Double {
        let factor = pow(10, Double(places))
        return (value * factor).rounded() / factor
    }
}

/// A hoster on the comply-or-explain list, with why and the evidence per notice.
public struct ComplianceFinding: Hashable, Sendable {
    /// The hoster's figures.
    public var figures: RemovalFigures
    /// Why it is listed.
    public var reasons: [String]
    /// The notices behind it (still online, or removed after more than 24 hours), worst
    /// first: reference, sent, deadline, reminders, URLs online, removal times.
    public var evidence: [JSONValue]
    /// Further such notices beyond the evidence listed.
    public var moreNotices: Int
}

/// Thresholds of the comply-or-explain list.
public struct ComplianceThresholds: Hashable, Sendable {
    /// Listed below this share removed within 24 hours.
    public var within24h: Double
    /// Only hosters with at least this many notices are judged on the share.
    public var minimumNotices: Int
    /// Listed when the Kaplan–Meier median time to removal is longer (hours), or never
    /// reached while enough URLs stay online; `nil` leaves it out.
    public var medianHours: Double?
    /// Listed when the estimated share still online 7 days after the notice is above this.
    public var onlineAfter7d: Double?

    /// Creates thresholds (defaults: 90 % within 24 hours, at least 3 notices, no survival criteria).
    public init(within24h: Double = 0.9, minimumNotices: Int = 3, medianHours: Double? = nil, onlineAfter7d: Double? = nil) {
        self.within24h = within24h
        self.minimumNotices = minimumNotices
        self.medianHours = medianHours
        self.onlineAfter7d = onlineAfter7d
    }
}

/// Removal statistics from notice rows: per hoster, per country, per week, overall, and the
/// comply-or-explain list. Pure: the same figures for the CLI, the API and the dashboard.
public struct RemovalStatistics: Sendable {
    /// Per hoster (organisation and AS), most notices first.
    public var hosters: [RemovalFigures]
    /// Per country.
    public var countries: [RemovalFigures]
    /// Per ISO week of sending, oldest first.
    public var weeks: [RemovalFigures]
    /// Everything sent to hosters.
    public var total: RemovalFigures
    /// Forwards per partner hotline (and the police), most URLs first.
    public var partners: [RemovalFigures]
    /// Forwards per hosting country.
    public var forwardCountries: [RemovalFigures]
    /// Forwards per hosting AS (`AS64500`, or `unknown`).
    public var forwardNetworks: [RemovalFigures]
    /// Every forward.
    public var forwardTotal: RemovalFigures
    /// Kaplan–Meier curves per channel, hoster, country (both channels) and partner.
    public var curves: [SurvivalEntry]
    /// Hosters below the thresholds or ignoring notices.
    public var complyOrExplain: [ComplianceFinding]
    /// Removal times of every removed URL (seconds), for the distribution chart.
    public var removalSeconds: [Double]

    /// The most notices listed as evidence per hoster (the worst first: still online, then slowest).
    public static let evidenceLimit = 200

    /// Figures being summed for one group, in one pass over the rows.
    struct Accumulator {
        var key: String
        var asn: Int?
        var country: String?
        var contactID: String?
        var notices = 0, acknowledged = 0, ignored = 0, reminders = 0
        var urls = 0, within24 = 0, within72 = 0, online = 0, overdue = 0
        var lastNotice: Int64 = -1, lastIgnored: Int64 = -1
        var durations: [Double] = []

        mutating func add(_ row: NoticeURLRow, now: Date) {
            if row.noticeKey != lastNotice {
                lastNotice = row.noticeKey
                notices += 1
                reminders += row.reminders
                if row.acknowledged { acknowledged += 1 }
            }
            urls += 1
            if let removed = row.removedAt {
                let seconds = max(0, removed.timeIntervalSince(row.sentAt))
                durations.append(seconds)
                if seconds <= 86_400 { within24 += 1 }
                if seconds <= 259_200 { within72 += 1 }
            } else if row.isOpen {
                online += 1
                if let deadline = row.deadline, deadline < now { overdue += 1 }
                if row.escalated && row.noticeKey != lastIgnored {
                    lastIgnored = row.noticeKey
                    ignored += 1
                }
            }
        }

        mutating func figures() -> RemovalFigures {
            durations.sort()
            func percentile(_ p: Double) -> Double? {
                guard !durations.isEmpty else { return nil }
                // Nearest rank: the smallest value with at least p of the values at or below it.
                let rank = max(1, Int((p * Double(durations.count)).rounded(.up)))
                return durations[min(durations.count, rank) - 1]
            }
            return RemovalFigures(
                key: key, asn: asn, country: country, notices: notices, urls: urls, acknowledged: acknowledged,
                removed: durations.count, medianSeconds: percentile(0.5), p90Seconds: percentile(0.9),
                within24h: urls == 0 ? 0 : Double(within24) / Double(urls), within72h: urls == 0 ? 0 : Double(within72) / Double(urls),
                onlineNow: online, overdueNow: overdue, reminders: reminders, ignored: ignored, contactID: contactID)
        }
    }

    /// Accumulators by key (and AS, for hosters), in the order first seen.
    struct Groups {
        struct Key: Hashable {
            var name: String
            var asn: Int?
        }
        var index: [Key: Int] = [:]
        var groups: [Accumulator] = []

        /// Adds `row` to its group; returns the group's position.
        mutating func add(_ row: NoticeURLRow, key: String, asn: Int? = nil, now: Date, hoster: Bool = false) -> Int {
            let groupKey = Key(name: key, asn: asn)
            let position: Int
            if let found = index[groupKey] {
                position = found
            } else {
                position = groups.count
                index[groupKey] = position
                groups.append(hoster ? Accumulator(key: key, asn: asn, country: row.country) : Accumulator(key: key))
            }
            groups[position].add(row, now: now)
            if hoster && groups[position].contactID == nil { groups[position].contactID = row.contactID }
            return position
        }

        mutating func figures() -> [RemovalFigures] {
            var result: [RemovalFigures] = []
            result.reserveCapacity(groups.count)
            for position in groups.indices { result.append(groups[position].figures()) }
            return result
        }
    }

    /// Computes the statistics at `now`. Rows of one notice must be adjacent (the store
    /// returns them ordered by notice).
    public init(rows: [NoticeURLRow], now: Date, thresholds: ComplianceThresholds = ComplianceThresholds()) {
        // As of `now`: a URL removed later was still online then, so a period's figures stay
        // the same when they are computed again afterwards (a publication, `--at`, `until=`).
        let rows =
            rows.contains { ($0.removedAt ?? .distantPast) > now }
            ? rows.map { row in
                guard let removed = row.removedAt, removed > now else { return row }
                var earlier = row
                earlier.removedAt = nil
                earlier.status = .sent
                return earlier
            } : rows
        var hosters = Groups()
        var countries = Groups()
        var weeks = Groups()
        var partners = Groups()
        var forwardCountries = Groups()
        var forwardNetworks = Groups()
        var all = Accumulator(key: "all")
        var forwards = Accumulator(key: "all forwards")
        var weekOfDay: [Int: Int] = [:]
        // Per row: its hoster (notices) or partner (forwards), and its country across both
        // channels, for the curves; -1 where it does not take part.
        var rowHoster = [Int32](repeating: -1, count: rows.count)
        var rowPartner = [Int32](repeating: -1, count: rows.count)
        // The row's country group among its channel's (notices' or forwards'), mapped to one
        // list of both below: the names are few, the rows many.
        var rowCountry = [Int32](repeating: 0, count: rows.count)
        var networkNames: [Int: String] = [:]
        for (position, row) in rows.enumerated() {
            guard row.kind == .notify else {
                rowPartner[position] = Int32(partners.add(row, key: row.recipient.isEmpty ? "unknown" : row.recipient, now: now))
                rowCountry[position] = Int32(forwardCountries.add(row, key: row.country ?? "unknown", now: now))
                // One "AS64500" string per network, not one per row.
                let network =
                    row.asn.map { asn in
                        networkNames[asn]
                            ?? {
                                networkNames[asn] = "AS\(asn)"
                                return "AS\(asn)"
                            }()
                    } ?? "unknown"
                _ = forwardNetworks.add(row, key: network, now: now)
                forwards.add(row, now: now)
                continue
            }
            rowHoster[position] = Int32(hosters.add(row, key: row.org, asn: row.asn, now: now, hoster: true))
            rowCountry[position] = Int32(countries.add(row, key: row.country ?? "unknown", now: now))
            // Weeks by day number: the calendar is asked once per distinct day, not per row.
            let day = Int((row.sentAt.timeIntervalSince1970 / 86_400).rounded(.down))
            if let week = weekOfDay[day] {
                weeks.groups[week].add(row, now: now)
            } else {
                let week = weeks.add(row, key: Self.week(row.sentAt), now: now)
                weekOfDay[day] = week
            }
            all.add(row, now: now)
        }
        var countryNames: [String] = []
        var unified: [String: Int32] = [:]
        func unify(_ name: String) -> Int32 {
            if let found = unified[name] { return found }
            unified[name] = Int32(countryNames.count)
            countryNames.append(name)
            return Int32(countryNames.count - 1)
        }
        let noticeCountry = countries.groups.map { unify($0.key) }
        let forwardCountry = forwardCountries.groups.map { unify($0.key) }
        for position in rows.indices {
            rowCountry[position] = rows[position].kind == .notify ? noticeCountry[Int(rowCountry[position])] : forwardCountry[Int(rowCountry[position])]
        }
        let survival = SurvivalCollector(
            rows: rows, now: now, hoster: rowHoster, hosterCount: hosters.groups.count, partner: rowPartner, partnerCount: partners.groups.count,
            country: rowCountry, countryNames: countryNames)
        var hosterFigures = hosters.figures()
        for index in hosterFigures.indices { hosterFigures[index].survival = survival.hosters[index] }
        self.hosters = hosterFigures.sorted {
            ($0.notices, $0.urls, $1.key) > ($1.notices, $1.urls, $0.key)
        }
        var countryFigures = countries.figures()
        for index in countryFigures.indices { countryFigures[index].survival = survival.noticeCountries[countryFigures[index].key] }
        self.countries = countryFigures.sorted { ($0.notices, $1.key) > ($1.notices, $0.key) }
        self.weeks = weeks.figures().sorted { $0.key < $1.key }
        total = all.figures()
        total.survival = survival.notices
        removalSeconds = all.durations
        var partnerFigures = partners.figures()
        for index in partnerFigures.indices { partnerFigures[index].survival = survival.partners[index] }
        self.partners = partnerFigures.sorted { ($0.urls, $1.key) > ($1.urls, $0.key) }
        self.forwardCountries = forwardCountries.figures().sorted { ($0.urls, $1.key) > ($1.urls, $0.key) }
        self.forwardNetworks = forwardNetworks.figures().sorted { ($0.urls, $1.key) > ($1.urls, $0.key) }
        forwardTotal = forwards.figures()
        forwardTotal.survival = survival.forwards
        curves = survival.entries(hosters: hosterFigures, partners: partnerFigures)

        // The comply-or-explain list, with the worst notices of each listed hoster as evidence.
        var listed: [Int: [String]] = [:]
        for (index, hoster) in hosterFigures.enumerated() {
            let reasons = Self.reasons(hoster, thresholds: thresholds)
            if !reasons.isEmpty { listed[index] = reasons }
        }
        var evidenceRows: [Int: [NoticeURLRow]] = [:]
        for (position, row) in rows.enumerated() where listed[Int(rowHoster[position])] != nil {
            evidenceRows[Int(rowHoster[position]), default: []].append(row)
        }
        var findings: [ComplianceFinding] = []
        for (index, reasons) in listed {
            var notices: [(online: Int, slowest: Double, urls: [NoticeURLRow])] = []
            var current: [NoticeURLRow] = []
            func flush() {
                guard let first = current.first else { return }
                let online = current.filter { $0.removedAt == nil }.count
                let slowest = current.map { ($0.removedAt ?? now).timeIntervalSince(first.sentAt) }.max() ?? 0
                // Notices removed within 24 hours are not evidence against the hoster.
                if online > 0 || slowest > 86_400 { notices.append((online, slowest, current)) }
                current = []
            }
            for row in evidenceRows[index] ?? [] {
                if let last = current.last, last.noticeKey != row.noticeKey { flush() }
                current.append(row)
            }
            flush()
            notices.sort { ($0.online, $0.slowest) > ($1.online, $1.slowest) }
            let evidence = notices.prefix(Self.evidenceLimit).map { entry -> JSONValue in
                let notice = entry.urls[0]
                return .object([
                    "reference": .string(notice.reference), "sent_at": .string(RFC3339.format(notice.sentAt)),
                    "deadline": notice.deadline.map { .string(RFC3339.format($0)) } ?? .null,
                    "reminders": .number(Double(notice.reminders)), "status": .string(notice.status.rawValue),
                    "urls": .number(Double(entry.urls.count)), "online": .number(Double(entry.online)),
                    "removal_hours": .array(
                        entry.urls.compactMap { $0.removedAt.map { .number(RemovalFigures.round($0.timeIntervalSince(notice.sentAt) / 3600)) } }),
                ])
            }
            findings.append(
                ComplianceFinding(
                    figures: hosterFigures[index], reasons: reasons, evidence: Array(evidence), moreNotices: max(0, notices.count - Self.evidenceLimit)))
        }
        complyOrExplain = findings.sorted { ($0.figures.within24h, $1.figures.notices) < ($1.figures.within24h, $0.figures.notices) }
    }

    /// Why a hoster is on the comply-or-explain list; empty when it is not.
    static func reasons(_ hoster: RemovalFigures, thresholds: ComplianceThresholds) -> [String] {
        var reasons: [String] = []
        let judged = hoster.notices >= thresholds.minimumNotices
        if judged && hoster.within24h < thresholds.within24h {
            reasons.append(
                "\(Int((hoster.within24h * 100).rounded()))% removed within 24 hours (threshold \(Int((thresholds.within24h * 100).rounded()))%)")
        }
        if judged, let limit = thresholds.medianHours, let curve = hoster.survival {
            if let median = curve.quantile(0.5).seconds {
                if median / 3600 > limit { reasons.append(String(format: "median time to removal %.1f hours (limit %.0f)", median / 3600, limit)) }
            } else if curve.longest / 3600 > limit {
                reasons.append(String(format: "half of the URLs still online after %.0f hours (limit %.0f)", curve.longest / 3600, limit))
            }
        }
        if judged, let limit = thresholds.onlineAfter7d, let online = hoster.survival?.online(after: 7 * 86_400), online.share > limit {
            reasons.append(
                "\(Int((online.share * 100).rounded()))% estimated still online after 7 days (limit \(Int((limit * 100).rounded()))%)")
        }
        if hoster.ignored > 0 { reasons.append("\(hoster.ignored) notice(s) ignored past the last reminder") }
        return reasons
    }

    /// The ISO 8601 week of `date` (UTC), e.g. `2026-W48`.
    public static func week(_ date: Date) -> String {
        var calendar = Calendar(identifier: .iso8601)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let components = calendar.dateComponents([.yearForWeekOfYear, .weekOfYear], from: date)
        let week = components.weekOfYear ?? 0
        return "\(components.yearForWeekOfYear ?? 0)-W\(week < 10 ? "0" : "")\(week)"
    }
}
