import Foundation
import HTTPTypes
import HotlineApp
import HotlineConfig
import HotlineCore
import HotlineHashing
import Hummingbird

/// The workbench's pages: each reads what it shows from the store and the parts in force
/// and renders it as text. Reported URLs appear only through ``WorkbenchHTML/url(_:)``.
extension WorkbenchRoutes {
    typealias H = WorkbenchHTML

    /// Entries shown per queue page.
    static let pageSize = 50

    /// A fact of a queue entry's stored facts, as text.
    static func fact(_ entry: QueueEntry, _ name: String) -> String? {
        guard case .object(let object) = entry.detail else { return nil }
        switch object[name] {
        case .string(let text)?: return text
        case .number(let number)?: return number == number.rounded() ? String(Int(number)) : String(number)
        default: return nil
        }
    }

    static func rank(_ priority: String) -> Int { priority == "high" ? 0 : priority == "low" ? 2 : 1 }

    func queuePage(_ request: Request, _ viewer: Viewer) throws -> Page {
        let t = viewer.text
        let query = request.uri.queryParameters
        let wanted: [(String, String)] = [
            ("reason", "reason"), ("country", "hosting.country"), ("hoster", "hosting.org"), ("list", "hash.list"), ("channel", "report.source.channel"),
        ]
        var filters: [String: String] = [:]
        for (parameter, _) in wanted {
            if let value = query.get(parameter).map({ String($0) }), !value.isEmpty { filters[parameter] = value }
        }
        let all = try runtime.store.escalationQueue(limit: 10_000)
        let takes = try runtime.store.caseTakes(at: runtime.time.now())
        let matching = all.filter { entry in
            wanted.allSatisfy { parameter, fact in
                guard let value = filters[parameter] else { return true }
                return parameter == "reason" ? entry.reason.localizedCaseInsensitiveContains(value) : Self.fact(entry, fact) == value
            }
        }.sorted { (Self.rank($0.priority), $0.since, $0.id) < (Self.rank($1.priority), $1.since, $1.id) }
        let pageNumber = max(1, query.get("page").flatMap { Int(String($0)) } ?? 1)
        let shown = matching.dropFirst((pageNumber - 1) * Self.pageSize).prefix(Self.pageSize)
        func options(_ fact: String) -> [(String, String)] {
            [("", "—")] + Set(all.compactMap { Self.fact($0, fact) }).sorted().map { ($0, $0) }
        }
        var body = "<form method=\"get\" action=\"/dashboard/queue\" class=\"filters\">"
        body += "<label>\(H.escape(t("queue.reason"))) <input name=\"reason\" value=\"\(H.escape(filters["reason"] ?? ""))\"></label>"
        for (parameter, fact, label) in [
            ("country", "hosting.country", "queue.country"), ("hoster", "hosting.org", "queue.hoster"), ("list", "hash.list", "queue.list"),
            ("channel", "report.source.channel", "queue.channel"),
        ] {
            body += "<label>\(H.escape(t(label))) \(H.select(parameter, options(fact), chosen: filters[parameter]))</label>"
        }
        body += "<button type=\"submit\">\(H.escape(t("queue.filter")))</button></form>"
        if matching.isEmpty {
            body += "<p id=\"queue-empty\">\(H.escape(t("queue.empty")))</p>"
        } else {
            let rows = shown.map { entry -> [String] in
                let link =
                    switch entry.kind {
                    case "case": "/dashboard/cases/\(entry.id)"
                    case "dispute": "/dashboard/disputes"
                    default: "/dashboard/notices/\(entry.id)"
                    }
                let taken = takes[entry.id].map { H.escape($0.actor) } ?? ""
                return [
                    H.escape(entry.priority), H.escape(entry.kind), H.url(entry.url), H.escape(entry.reason),
                    H.escape(Self.fact(entry, "hosting.country") ?? ""),
                    H.escape(Self.fact(entry, "hosting.org") ?? ""), H.escape(Self.fact(entry, "hash.list") ?? ""), H.date(entry.since), taken,
                    "<a class=\"open\" href=\"\(H.escape(link))\">\(H.escape(t("queue.open")))</a>",
                ]
            }
            body += H.table(
                id: "queue",
                [
                    t("queue.priority"), t("queue.kind"), t("queue.url"), t("queue.reason"), t("queue.country"), t("queue.hoster"), t("queue.list"),
                    t("queue.since"), t("queue.taken"), "",
                ], rows)
            var kept = filters.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }
            kept.append("")
            let base = "/dashboard/queue?" + kept.joined(separator: "&")
            body += "<p>\(matching.count) · "
            if pageNumber > 1 { body += "<a rel=\"prev\" href=\"\(H.escape(base))page=\(pageNumber - 1)\">\(H.escape(t("page.previous")))</a> " }
            if matching.count > pageNumber * Self.pageSize {
                body += "<a rel=\"next\" href=\"\(H.escape(base))page=\(pageNumber + 1)\">\(H.escape(t("page.next")))</a>"
            }
            body += "</p>"
        }
        return (t("queue.title"), body, .ok)
    }

    /// The hosting resolution as the steps that made it, each with where its answer came from.
    static func hostingSteps(_ facts: Facts) -> [[String]] {
        var rows: [[String]] = []
        func add(_ step: String, _ value: String?, _ source: String) {
            if let value { rows.append([H.escape(step), H.escape(value), H.escape(source)]) }
        }
        add("DNS", facts.bool(.hostingResolved).map { $0 ? "resolved" : "not resolved" }, "resolver")
        if case .ips(let ips)? = facts[.hostingIPs] { add("addresses", ips.map(\.description).joined(separator: ", "), "DNS") }
        add("address", facts[.hostingIP].map { "\($0)" }, "DNS")
        add("network", facts.string(.hostingNetwork), "IP tables")
        add("AS", facts.number(.hostingASN).map { "AS\(Int($0))" + (facts.string(.hostingASName).map { " \($0)" } ?? "") }, "IP tables")
        add("country", facts.string(.hostingCountry), "IP tables")
        add("CDN", facts.bool(.hostingCDN).map { $0 ? "yes" : "no" }, "IP tables")
        add("hoster", facts.string(.hostingOrg), facts.string(.hostingContactSource) ?? "")
        add("abuse desk", facts.string(.hostingAbuseEmail), facts.string(.hostingContactSource) ?? "")
        add("confidence", facts.number(.hostingConfidence).map { String(Int($0)) }, facts.string(.hostingContactSource) ?? "")
        add("NTD code member", facts.bool(.hostingNTDMember).map { $0 ? "yes" : "no" }, "directory")
        add("partner hotline", facts.string(.hostingPartnerHotline), "directory")
        add("lookup failed", facts.bool(.hostingLookupFailed).map { $0 ? "yes" : "no" }, "resolver")
        return rows
    }

    /// What the lists say about one hash, as text.
    static func matches(_ algorithm: HashAlgorithm, _ value: String, index: HashIndex) -> String {
        if index.isAllowed(algorithm, value) { return "allow-listed" }
        let found = index.matches(algorithm, value)
        guard !found.isEmpty else { return "—" }
        return found.prefix(5).map { "\($0.list) (\($0.classification.rawValue)\(algorithm == .pdq ? ", distance \($0.distance)" : ""))" }.joined(
            separator: "; ")
    }

    func casePage(_ id: String, _ viewer: Viewer) throws -> Page {
        let t = viewer.text
        let store = runtime.store
        guard let record = try store.caseRecord(id: id) else { throw Problem.notFound("no case \(Quoted.text(id))") }
        let parts = runtime.parts
        let now = runtime.time.now()
        let reports = try store.reportIDs(caseID: id).compactMap { try store.report(id: $0) }
        let latest = try store.latestDecision(caseID: id)
        var body =
            "<p>\(H.escape(t("case.status"))): <strong id=\"case-status\">\(H.escape(record.status.rawValue))</strong> · \(H.date(record.openedAt)) · \(record.reportCount) report(s)</p>"
        // Who works it.
        if record.status == .open, let csrf = viewer.csrf {
            if let take = try store.caseTake(caseID: id, at: now) {
                if take.tokenID == viewer.token.id {
                    body +=
                        "<p id=\"taken\">\(H.escape(t("case.takenbyyou"))) \(H.date(take.until)) \(H.form("/dashboard/cases/\(id)/release", csrf: csrf, "", button: t("case.release")))</p>"
                } else {
                    body += "<p id=\"taken\" class=\"error\"><code>\(H.escape(take.actor))</code> \(H.escape(t("case.takenby"))) \(H.date(take.until))</p>"
                }
            } else {
                body += "<p>\(H.form("/dashboard/cases/\(id)/take", csrf: csrf, id: "take", "", button: t("case.take")))</p>"
            }
        }
        // URLs and hosts, as text.
        var urls = [record.url]
        for report in reports where !urls.contains(report.url.canonical) { urls.append(report.url.canonical) }
        body +=
            "<h2>\(H.escape(t("case.urls")))</h2><ul id=\"urls\">"
            + urls.map { url in
                let host = reports.first { $0.url.canonical == url }?.url.host
                return "<li>\(H.url(url))\(host.map { " — \(H.host($0))" } ?? "")</li>"
            }.joined() + "</ul>"
        if let latest {
            body += "<h2>\(H.escape(t("case.hosting")))</h2>" + H.table(id: "hosting", ["step", "answer", "source"], Self.hostingSteps(latest.facts))
        }
        // Hashes: what the gateway observed, and what reporters claimed, with their matches.
        body += "<h2>\(H.escape(t("case.hashes")))</h2><h3>\(H.escape(t("case.observed")))</h3>"
        let observed = try store.observedHashes(caseID: id)
        if observed.isEmpty {
            body += "<p>\(H.escape(t("case.nohashes")))</p>"
        } else {
            body += H.table(
                id: "observed", ["algorithm", "hash", "quality", "file", "lists"],
                observed.map {
                    [
                        H.escape($0.algorithm.rawValue), "<code>\(H.escape($0.value))</code>", $0.quality.map(String.init) ?? "", $0.mediaURL.map(H.url) ?? "",
                        H.escape(Self.matches($0.algorithm, $0.value, index: parts.hashIndex)),
                    ]
                })
        }
        let claimed = reports.flatMap { report in report.hashes.all.map { (report.id, $0.0, $0.1) } }
        if !claimed.isEmpty {
            body +=
                "<h3>\(H.escape(t("case.claimed")))</h3>"
                + H.table(
                    id: "claimed", ["report", "algorithm", "hash", "lists"],
                    claimed.map {
                        [H.escape($0.0), H.escape($0.1.rawValue), "<code>\(H.escape($0.2))</code>", H.escape(Self.matches($0.1, $0.2, index: parts.hashIndex))]
                    })
        }
        // The reports, never the reporter's contact.
        body +=
            "<h2>\(H.escape(t("case.reports")))</h2>"
            + H.table(
                id: "reports", ["id", "received", "source", "URL", "hint", "comment"],
                reports.map {
                    [
                        H.escape($0.id), H.date($0.receivedAt), H.escape($0.source.kind.rawValue + ($0.source.name.map { " · \($0)" } ?? "")),
                        H.url($0.url.canonical),
                        H.escape($0.classification?.rawValue ?? ""), H.escape($0.comment ?? ""),
                    ]
                })
        // Decisions with their facts and traces.
        body += "<h2>\(H.escape(t("case.trace")))</h2>"
        for report in reports {
            for (index, decision) in try store.decisionRecords(reportID: report.id).enumerated() {
                body += "<details\(index == 0 ? "" : "")><summary>\(H.escape(report.id)) · rules \(H.escape(String(decision.rulesDigest.prefix(12))))</summary>"
                body += "<h4>\(H.escape(t("case.facts")))</h4>\(H.json(decision.facts))<h4>trace</h4>\(H.json(decision.trace))</details>"
            }
        }
        // What the rules in force would do with the latest facts.
        if let latest {
            let verdict = parts.engine.decide(latest.facts)
            body +=
                "<h2>\(H.escape(t("case.now")))</h2><p id=\"rules-now\">rule <code>\(H.escape(verdict.rule))</code> → <strong>\(H.escape(verdict.outcome.rawValue))</strong> (rules \(H.escape(String(verdict.rulesDigest.prefix(12)))))</p>"
            body += H.json(verdict.actions.json)
        }
        // Verdicts on this case.
        let verdicts = try store.verdicts(status: nil, caseID: id, limit: 50)
        if !verdicts.isEmpty {
            body +=
                "<h2>\(H.escape(t("case.verdicts")))</h2>"
                + H.table(
                    id: "case-verdicts", ["id", "classification", "status", "by", "reviewed by"],
                    verdicts.map {
                        [
                            H.escape($0.id), H.escape($0.classification.rawValue), H.escape($0.status.rawValue), H.escape($0.decidedActor),
                            H.escape($0.reviewedActor ?? ""),
                        ]
                    })
        }
        // Notices and forwards that carry the case.
        let notices = try store.notices(caseID: id)
        body += "<h2>\(H.escape(t("case.notices")))</h2>"
        body += H.table(
            id: "case-notices", ["reference", "kind", "to", "status", "created", "deadline"],
            notices.map {
                [
                    "<a href=\"/dashboard/notices/\(H.escape($0.id))\">\(H.escape($0.reference))</a>", H.escape($0.kind.rawValue), H.escape($0.recipient.name),
                    H.escape($0.status.rawValue), H.date($0.createdAt), H.date($0.deadline),
                ]
            })
        let held = try store.heldItems(limit: 1000).filter { $0.subject.caseID == id }
        if !held.isEmpty, let csrf = viewer.csrf {
            body +=
                "<p>\(H.escape(t("notices.held"))): \(held.count) \(H.form("/dashboard/cases/\(id)/release-held", csrf: csrf, "", button: t("notices.release")))</p>"
        }
        // The decision form.
        if record.status == .open, let csrf = viewer.csrf {
            let fields =
                "<label>\(H.escape(t("decide.action"))) "
                + H.select("action", [("notify", t("decide.notify")), ("forward", t("decide.forward")), ("close", t("decide.close"))]) + "</label>"
                + "<label>\(H.escape(t("decide.to"))) "
                + H.select("to", [("hosting", "hosting"), ("registrar", "registrar"), ("upstream", "upstream"), ("partner", "partner"), ("police", "police")])
                + "</label><label>\(H.escape(t("decide.classification"))) "
                + H.select("classification", [("", "—")] + AssessedClassification.allCases.map { ($0.rawValue, $0.rawValue) }) + "</label>"
                + "<label>\(H.escape(t("decide.reason"))) <textarea name=\"reason\" rows=\"3\" cols=\"60\" required></textarea></label>"
            body +=
                "<h2>\(H.escape(t("case.decide")))</h2><div class=\"card\">"
                + H.form("/dashboard/cases/\(id)/decide", csrf: csrf, id: "decide", fields, button: t("decide.submit")) + "</div>"
        } else if record.status != .open {
            body += "<p>\(H.escape(t("case.closed")))</p>"
        }
        return ("\(t("case.title")) \(id)", body, .ok)
    }

    func verdictsPage(_ viewer: Viewer) throws -> Page {
        let t = viewer.text
        let pending = try runtime.store.verdicts(status: .pending, caseID: nil, limit: 500)
        var body = ""
        if pending.isEmpty {
            body += "<p id=\"verdicts-empty\">\(H.escape(t("verdicts.empty")))</p>"
        } else {
            body +=
                "<table id=\"verdicts\"><thead><tr><th>id</th><th>case</th><th>classification</th><th>hashes</th><th>\(H.escape(t("verdicts.by")))</th><th></th></tr></thead><tbody>"
            for verdict in pending {
                let own = verdict.decidedBy == viewer.token.id
                var actions = ""
                if let csrf = viewer.csrf {
                    actions += H.form("/dashboard/verdicts/\(verdict.id)/confirm", csrf: csrf, id: "confirm-\(verdict.id)", "", button: t("verdicts.confirm"))
                    actions += H.form(
                        "/dashboard/verdicts/\(verdict.id)/reject", csrf: csrf, id: "reject-\(verdict.id)",
                        "<input name=\"reason\" placeholder=\"\(H.escape(t("decide.reason")))\" required> ", button: t("verdicts.reject"), danger: true)
                }
                if own { actions = "<p class=\"muted own\">\(H.escape(t("verdicts.own")))</p>" + actions }
                let hashes = verdict.hashes.map { "\($0.algorithm.rawValue) <code>\(H.escape(String($0.value.prefix(16))))…</code>" }.joined(separator: "<br>")
                body +=
                    "<tr data-verdict=\"\(H.escape(verdict.id))\"><td>\(H.escape(verdict.id))</td><td><a href=\"/dashboard/cases/\(H.escape(verdict.caseID))\">\(H.escape(verdict.caseID))</a></td>"
                body +=
                    "<td>\(H.escape(verdict.classification.rawValue))</td><td>\(hashes)</td><td><code>\(H.escape(verdict.decidedActor))</code><br>\(H.date(verdict.createdAt))</td><td>\(actions)</td></tr>"
            }
            body += "</tbody></table>"
        }
        let reviewed = try runtime.store.verdicts(status: nil, caseID: nil, limit: 5000).filter { $0.status != .pending }.suffix(20).reversed()
        if !reviewed.isEmpty {
            body +=
                "<h2>\(H.escape(t("verdicts.recent")))</h2>"
                + H.table(
                    id: "reviewed", ["id", "case", "classification", "status", "by", "reviewed by", "reason"],
                    reviewed.map {
                        [
                            H.escape($0.id), H.escape($0.caseID), H.escape($0.classification.rawValue), H.escape($0.status.rawValue), H.escape($0.decidedActor),
                            H.escape($0.reviewedActor ?? ""), H.escape($0.reviewReason ?? ""),
                        ]
                    })
        }
        return (t("verdicts.title"), body, .ok)
    }

    func disputesPage(_ viewer: Viewer) throws -> Page {
        let t = viewer.text
        let all = try runtime.store.disputes(org: nil, status: nil, limit: 5000)
        let open = all.filter { $0.status == .open }
        var body = open.isEmpty ? "<p id=\"disputes-empty\">\(H.escape(t("disputes.empty")))</p>" : ""
        if !open.isEmpty {
            body +=
                "<table id=\"disputes\"><thead><tr><th>id</th><th>hoster</th><th>hashes</th><th>lists</th><th>\(H.escape(t("decide.reason")))</th><th>evidence</th><th></th></tr></thead><tbody>"
            for dispute in open {
                let hashes = dispute.hashes.map { "\($0.algorithm.rawValue) <code>\(H.escape($0.value))</code>" }.joined(separator: "<br>")
                var actions = ""
                if let csrf = viewer.csrf {
                    let reason = "<input name=\"reason\" placeholder=\"\(H.escape(t("decide.reason")))\" required> "
                    actions += H.form("/dashboard/disputes/\(dispute.id)/accept", csrf: csrf, id: "accept-\(dispute.id)", reason, button: t("disputes.accept"))
                    actions += H.form(
                        "/dashboard/disputes/\(dispute.id)/reject", csrf: csrf, id: "reject-\(dispute.id)", reason, button: t("disputes.reject"), danger: true)
                }
                body += "<tr><td>\(H.escape(dispute.id))<br>\(H.date(dispute.createdAt))</td><td>\(H.escape(dispute.org))</td><td>\(hashes)</td>"
                body +=
                    "<td>\(H.escape(dispute.lists.joined(separator: ", ")))</td><td>\(H.escape(dispute.reason))</td><td>\(H.escape(dispute.evidence ?? ""))</td><td>\(actions)</td></tr>"
            }
            body += "</tbody></table>"
        }
        let decided = all.filter { $0.status != .open }.suffix(20).reversed()
        if !decided.isEmpty {
            body +=
                "<h2>\(H.escape(t("disputes.decided")))</h2>"
                + H.table(
                    id: "decided-disputes", ["id", "hoster", "status", "by", "reason"],
                    decided.map {
                        [H.escape($0.id), H.escape($0.org), H.escape($0.status.rawValue), H.escape($0.decidedBy ?? ""), H.escape($0.decisionReason ?? "")]
                    })
        }
        return (t("disputes.title"), body, .ok)
    }

    func explanationsPage(_ viewer: Viewer) throws -> Page {
        let t = viewer.text
        let all = try runtime.store.explanations(org: nil, status: nil, limit: 5000)
        let pending = all.filter { $0.status == .pending }
        var body = pending.isEmpty ? "<p id=\"explanations-empty\">\(H.escape(t("explanations.empty")))</p>" : ""
        if !pending.isEmpty {
            body +=
                "<table id=\"explanations\"><thead><tr><th>id</th><th>hoster</th><th>period</th><th>text</th><th></th></tr></thead><tbody>"
            for explanation in pending {
                var actions = ""
                if let csrf = viewer.csrf {
                    let reason = "<input name=\"reason\" placeholder=\"\(H.escape(t("decide.reason")))\" required> "
                    actions += H.form(
                        "/dashboard/explanations/\(explanation.id)/accept", csrf: csrf, id: "accept-\(explanation.id)", reason,
                        button: t("explanations.accept"))
                    actions += H.form(
                        "/dashboard/explanations/\(explanation.id)/reject", csrf: csrf, id: "reject-\(explanation.id)", reason,
                        button: t("explanations.reject"), danger: true)
                }
                body += "<tr><td>\(H.escape(explanation.id))<br>\(H.date(explanation.createdAt))</td><td>\(H.escape(explanation.org))</td>"
                body +=
                    "<td>\(H.date(explanation.periodStart)) – \(H.date(explanation.periodEnd))</td><td>\(H.escape(explanation.text))</td><td>\(actions)</td></tr>"
            }
            body += "</tbody></table>"
        }
        let decided = all.filter { $0.status != .pending }.suffix(20).reversed()
        if !decided.isEmpty {
            body +=
                "<h2>\(H.escape(t("disputes.decided")))</h2>"
                + H.table(
                    id: "decided-explanations", ["id", "hoster", "status", "by", "reason"],
                    decided.map {
                        [H.escape($0.id), H.escape($0.org), H.escape($0.status.rawValue), H.escape($0.decidedBy ?? ""), H.escape($0.decisionReason ?? "")]
                    })
        }
        let editions = try runtime.store.publications()
        if !editions.isEmpty {
            body +=
                "<h2>\(H.escape(t("explanations.publications")))</h2>"
                + H.table(
                    id: "publications", ["version", "status", "period", "review until", "published", "listed"],
                    editions.map {
                        [
                            String($0.version), H.escape($0.status.rawValue), "\(H.date($0.since)) – \(H.date($0.until))", H.date($0.reviewUntil),
                            $0.publishedAt.map { H.date($0) } ?? "", H.escape($0.listed.joined(separator: ", ")),
                        ]
                    })
        }
        return (t("explanations.title"), body, .ok)
    }

    func noticesPage(_ viewer: Viewer) throws -> Page {
        let t = viewer.text
        let notices = try runtime.store.notices(status: nil, limit: 200)
        var body = H.table(
            id: "notices", ["reference", "kind", "to", "status", "URLs", "created", "deadline", "reminders"],
            notices.map {
                [
                    "<a href=\"/dashboard/notices/\(H.escape($0.id))\">\(H.escape($0.reference))</a>", H.escape($0.kind.rawValue), H.escape($0.recipient.name),
                    H.escape($0.status.rawValue), String($0.items.count), H.date($0.createdAt), H.date($0.deadline), String($0.reminders),
                ]
            })
        let held = try runtime.store.heldItems(limit: 1000)
        body += "<h2>\(H.escape(t("notices.held")))</h2>"
        let byCase = Dictionary(grouping: held, by: \.subject.caseID)
        body += H.table(
            id: "held", ["case", "URL", "to", "since", ""],
            byCase.keys.sorted().map { caseID in
                let items = byCase[caseID]!
                return [
                    "<a href=\"/dashboard/cases/\(H.escape(caseID))\">\(H.escape(caseID))</a>", items.map { H.url($0.subject.url) }.joined(separator: "<br>"),
                    H.escape(items.map { $0.target.description }.joined(separator: ", ")), H.date(items.map(\.createdAt).min()),
                    viewer.csrf.map { H.form("/dashboard/cases/\(caseID)/release-held", csrf: $0, "", button: t("notices.release")) } ?? "",
                ]
            })
        let holds = try runtime.store.openHolds().filter { $0.isActive(at: runtime.time.now()) }
        if !holds.isEmpty { body += "<p><a href=\"/dashboard/holds\">\(H.escape(t("holds.title")))</a>: \(holds.count)</p>" }
        return (t("notices.title"), body, .ok)
    }

    func noticePage(_ id: String, _ viewer: Viewer) throws -> Page {
        let t = viewer.text
        guard let notice = try runtime.store.notice(id) else { throw Problem.notFound("no notice \(Quoted.text(id))") }
        var body =
            "<p><strong>\(H.escape(notice.reference))</strong> · \(H.escape(notice.kind.rawValue)) · \(H.escape(notice.recipient.name)) · \(H.escape(notice.status.rawValue)) · deadline \(H.date(notice.deadline))</p>"
        body += H.table(
            id: "notice-urls", ["URL", "case", "state", "checks", "last check", "removed", "acknowledged"],
            notice.items.map {
                [
                    H.url($0.subject.url), "<a href=\"/dashboard/cases/\(H.escape($0.subject.caseID))\">\(H.escape($0.subject.caseID))</a>",
                    H.escape($0.state.rawValue),
                    String($0.checks), H.escape($0.lastCheck ?? ""), H.date($0.removedAt), H.date($0.acknowledgedAt),
                ]
            })
        body +=
            "<h2>\(H.escape(t("notices.events")))</h2>"
            + H.table(
                id: "events", ["at", "event", "detail"],
                try runtime.store.events(noticeID: notice.id).map { [H.date($0.at), H.escape($0.event), H.escape(H.defang($0.detail))] })
        body +=
            "<h2>\(H.escape(t("notices.messages")))</h2>"
            + H.table(
                id: "messages", ["purpose", "channel", "to", "status", "attempts", "delivered", "error"],
                try runtime.store.messages(noticeID: notice.id).map {
                    [
                        H.escape($0.purpose), H.escape($0.channel.rawValue), H.escape($0.destinations.joined(separator: ", ")), H.escape($0.status.rawValue),
                        String($0.attempts), H.date($0.deliveredAt), H.escape($0.lastError ?? ""),
                    ]
                })
        return ("\(t("notices.title")) \(notice.reference)", body, .ok)
    }

    func holdsPage(_ viewer: Viewer) throws -> Page {
        let t = viewer.text
        let now = runtime.time.now()
        let holds = try runtime.store.holds(limit: 200)
        var body = ""
        if holds.isEmpty { body += "<p>\(H.escape(t("holds.empty")))</p>" }
        body += H.table(
            id: "holds", ["id", t("holds.scope"), t("holds.value"), t("decide.reason"), "police", "until", "state", ""],
            holds.map { hold in
                let state =
                    hold.isActive(at: now) ? "active" : hold.endedAt == nil ? "due to end" : "ended \(RFC3339.format(hold.endedAt!)) (\(hold.endedBy ?? ""))"
                return [
                    H.escape(hold.id), H.escape(hold.scope.rawValue), "<code>\(H.escape(hold.value))</code>", H.escape(hold.reason), hold.police ? "yes" : "",
                    H.date(hold.until), H.escape(state),
                    hold.endedAt == nil
                        ? viewer.csrf.map { H.form("/dashboard/holds/\(hold.id)/end", csrf: $0, "", button: t("holds.end"), danger: true) } ?? "" : "",
                ]
            })
        if let csrf = viewer.csrf {
            let fields =
                "<label>\(H.escape(t("holds.scope"))) " + H.select("scope", StandingHold.Scope.allCases.map { ($0.rawValue, $0.rawValue) }) + "</label>"
                + "<label>\(H.escape(t("holds.value"))) <input name=\"value\" required></label>"
                + "<label>\(H.escape(t("holds.until"))) <input name=\"until\" value=\"7d\" required></label>"
                + "<label>\(H.escape(t("decide.reason"))) <input name=\"reason\" size=\"60\" required></label>"
                + "<label><input type=\"checkbox\" name=\"police\"> \(H.escape(t("holds.police")))</label>"
            body +=
                "<h2>\(H.escape(t("holds.add")))</h2><div class=\"card\">"
                + H.form("/dashboard/holds", csrf: csrf, id: "add-hold", fields, button: t("holds.add")) + "</div>"
        }
        return (t("holds.title"), body, .ok)
    }

    func listsPage(_ request: Request, _ viewer: Viewer) throws -> Page {
        let t = viewer.text
        let query = request.uri.queryParameters
        let lookup: (algorithm: HashAlgorithm, value: String)? = HashAlgorithm(rawValue: query.get("algorithm").map { String($0) } ?? "").flatMap { algorithm in
            algorithm.normalize(query.get("value").map { String($0) } ?? "").map { (algorithm, $0) }
        }
        let (lists, allowed) = try runtime.store.hashListStatistics()
        var body = H.table(
            id: "lists", ["list", "source", "default", "entries", "retracted", "enabled", ""],
            lists.map { figures in
                let entries = figures.entries.sorted { $0.key < $1.key }.map { "\($0.key.rawValue) \($0.value)" }.joined(separator: ", ")
                let toggle = viewer.csrf.map {
                    H.form(
                        "/dashboard/lists/\(figures.list.name)/enabled", csrf: $0,
                        "<input type=\"hidden\" name=\"enabled\" value=\"\(figures.list.enabled ? "0" : "1")\">",
                        button: t(figures.list.enabled ? "lists.disable" : "lists.enable"), danger: figures.list.enabled)
                }
                return [
                    H.escape(figures.list.name), H.escape(figures.list.source), H.escape(figures.list.defaultClassification.rawValue), H.escape(entries),
                    String(figures.retracted), figures.list.enabled ? "yes" : "no", toggle ?? "",
                ]
            })
        body += "<p>\(H.escape(t("lists.allowed"))): <strong id=\"allowed\">\(allowed)</strong></p>"
        // Look a hash up: which lists hold it (the index in force answers, allow-list first).
        body +=
            "<h2>\(H.escape(t("lists.lookup")))</h2><form method=\"get\" action=\"/dashboard/lists\" id=\"lookup\">"
            + H.select("algorithm", HashAlgorithm.allCases.map { ($0.rawValue, $0.rawValue) }, chosen: lookup?.algorithm.rawValue)
            + " <input name=\"value\" size=\"70\" value=\"\(H.escape(lookup?.value ?? ""))\"> <button type=\"submit\">\(H.escape(t("lists.lookup")))</button></form>"
        if let lookup {
            body +=
                "<p id=\"lookup-result\"><code>\(H.escape(lookup.value))</code>: \(H.escape(Self.matches(lookup.algorithm, lookup.value, index: runtime.parts.hashIndex)))</p>"
        }
        if let csrf = viewer.csrf {
            let fields =
                "<label>algorithm " + H.select("algorithm", HashAlgorithm.allCases.map { ($0.rawValue, $0.rawValue) }) + "</label>"
                + "<label>hash <input name=\"value\" size=\"70\" required></label>"
                + "<label>\(H.escape(t("queue.list"))) " + H.select("list", [("", "—")] + lists.map { ($0.list.name, $0.list.name) }) + "</label>"
                + "<label>\(H.escape(t("decide.reason"))) <input name=\"reason\" size=\"60\" required></label>"
            body +=
                "<h2>\(H.escape(t("lists.retract")))</h2><div class=\"card\">"
                + H.form("/dashboard/lists/retract", csrf: csrf, id: "retract", fields, button: t("lists.retract"), danger: true) + "</div>"
        }
        return (t("lists.title"), body, .ok)
    }

    func rulesPage(_ viewer: Viewer) throws -> Page {
        let t = viewer.text
        let inForce = runtime.parts.engine.ruleSet
        var body =
            "<h2>\(H.escape(t("rules.inforce")))</h2><p>version <code id=\"rules-version\">\(H.escape(inForce.digest))</code> · \(inForce.rules.count) rules</p>"
        body +=
            "<ul>"
            + inForce.rules.map {
                "<li><code>\(H.escape($0.name))</code> (\(H.escape($0.location.file)):\($0.location.line)) — <code>\(H.escape($0.conditionText))</code></li>"
            }.joined() + "</ul>"
        body += "<h2>\(H.escape(t("rules.ondisk")))</h2>"
        let loaded = RuleLoader.load(paths: runtime.assembly.rulePaths)
        if loaded.diagnostics.isEmpty {
            body += "<p id=\"rules-check\">\(H.escape(t("rules.clean")))</p>"
        } else {
            body += "<ul id=\"rules-check\">" + loaded.diagnostics.map { "<li>\(H.escape($0.description))</li>" }.joined() + "</ul>"
        }
        if let candidate = loaded.ruleSet {
            body +=
                "<p>version on disk <code id=\"disk-version\">\(H.escape(candidate.digest))</code>\(candidate.digest == inForce.digest ? " (= in force)" : "")</p>"
            let replay = try runtime.store.replay(ruleSet: candidate, since: runtime.time.now().addingTimeInterval(-30 * 86_400), keep: 20)
            body += "<h2>\(H.escape(t("rules.replay")))</h2><p id=\"replay\">\(replay.total) decisions, \(replay.changed) would change</p>"
            body += H.table(
                ["report", "URL", "before", "after"],
                replay.changes.map {
                    [
                        H.escape($0.reportID), H.url($0.url), H.escape("\($0.before.rule) → \($0.before.outcome)"),
                        H.escape("\($0.after.rule) → \($0.after.outcome)"),
                    ]
                })
            if viewer.token.role == .admin, let csrf = viewer.csrf, candidate.digest != inForce.digest {
                body += H.form("/dashboard/rules/reload", csrf: csrf, id: "reload", "", button: t("rules.reload"))
            }
        }
        return (t("rules.title"), body, .ok)
    }
}
