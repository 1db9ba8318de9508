import Foundation

/// What is online now across every open notice and forward: by country, AS and hoster, with
/// how long it has been up since the gateway first sent it on.
public struct OnlineNow: Sendable {
    /// One group's open URLs.
    public struct Group: Hashable, Sendable {
        /// The country, `AS64500`, or the organisation (`unknown` when not known).
        public var key: String
        /// The AS, for hosters.
        public var asn: Int?
        /// The country, for hosters.
        public var country: String?
        /// URLs online, in notices to hosters.
        public var noticed: Int
        /// URLs online, in forwards.
        public var forwarded: Int
        /// Age of the oldest (seconds since it was sent on).
        public var oldestSeconds: Double
        /// Median age.
        public var medianSeconds: Double
        /// Online for more than 7 days.
        public var overWeek: Int

        /// Both channels.
        public var urls: Int { noticed + forwarded }

        /// `{"key",…}` with ages in hours.
        public var json: JSONValue {
            var object: JSONObject = ["key": .string(key)]
            if let asn { object.append("asn", .number(Double(asn))) }
            if let country { object.append("country", .string(country)) }
            object.append("urls", .number(Double(urls)))
            object.append("notices", .number(Double(noticed)))
            object.append("forwards", .number(Double(forwarded)))
            object.append("oldest_hours", .number(RemovalFigures.round(oldestSeconds / 3600)))
            object.append("median_age_hours", .number(RemovalFigures.round(medianSeconds / 3600)))
            object.append("over_7d", .number(Double(overWeek)))
            return .object(object)
        }
    }

    /// When.
    public var at: Date
    /// Per country, most URLs first.
    public var countries: [Group]
    /// Per AS.
    public var networks: [Group]
    /// Per hoster (organisation and AS).
    public var hosters: [Group]
    /// Everything.
    public var total: Group

    /// Open URLs of `rows` at `now`: not seen removed, in a notice or forward still followed.
    public init(rows: [NoticeURLRow], now: Date) {
        at = now
        struct Key: Hashable {
            var name: String
            var asn: Int?
        }
        struct Ages {
            var key: String
            var asn: Int?
            var country: String?
            var noticed = 0, forwarded = 0
            var ages: [Double] = []
            mutating func add(_ row: NoticeURLRow, age: Double) {
                if row.kind == .notify { noticed += 1 } else { forwarded += 1 }
                ages.append(age)
            }
            func group() -> Group {
                let sorted = ages.sorted()
                return Group(
                    key: key, asn: asn, country: country, noticed: noticed, forwarded: forwarded, oldestSeconds: sorted.last ?? 0,
                    medianSeconds: sorted.isEmpty ? 0 : sorted[(sorted.count - 1) / 2], overWeek: sorted.filter { $0 > 7 * 86_400 }.count)
            }
        }
        var countries: [Key: Ages] = [:]
        var networks: [Key: Ages] = [:]
        var hosters: [Key: Ages] = [:]
        var total = Ages(key: "all")
        for row in rows where row.isOpen {
            let age = max(0, now.timeIntervalSince(row.sentAt))
            let country = row.country ?? "unknown"
            countries[Key(name: country), default: Ages(key: country)].add(row, age: age)
            let network = row.asn.map { "AS\($0)" } ?? "unknown"
            networks[Key(name: network), default: Ages(key: network, asn: row.asn)].add(row, age: age)
            hosters[Key(name: row.org, asn: row.asn), default: Ages(key: row.org, asn: row.asn, country: row.country)].add(row, age: age)
            total.add(row, age: age)
        }
        func ordered(_ groups: [Key: Ages]) -> [Group] {
            groups.values.map { $0.group() }.sorted { ($0.urls, $0.oldestSeconds, $1.key) > ($1.urls, $1.oldestSeconds, $0.key) }
        }
        self.countries = ordered(countries)
        self.networks = ordered(networks)
        self.hosters = ordered(hosters)
        self.total = total.group()
    }

    /// `{"at","total","countries","networks","hosters"}`.
    public var json: JSONValue {
        .object([
            "at": .string(RFC3339.format(at)), "total": total.json, "countries": .array(countries.map(\.json)),
            "networks": .array(networks.map(\.json)), "hosters": .array(hosters.map(\.json)),
        ])
    }
}
