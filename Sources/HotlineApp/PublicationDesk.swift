import Crypto
import Foundation
import HotlineConfig
import HotlineCore
import HotlineHosting

/// Why a publication step could not be taken.
public struct PublicationError: Error, CustomStringConvertible {
    /// What went wrong.
    public var description: String
}

/// Takes the public comply-or-explain list through its stages: a draft with the figures of
/// its period, a review window in which the listed hosters can respond, and publication,
/// dated and versioned, with a SHA-256 manifest. Each step is audited.
///
/// Run again and again (by hand or from cron), it does the next step that is due: drafts
/// when nothing is in review, rewrites the draft (with the explanations accepted so far)
/// while the window is open, and publishes once it has closed.
public struct PublicationDesk: Sendable {
    /// What a run did.
    public enum Step: String, Sendable {
        /// A new draft was made and written to `DIR/draft`.
        case drafted
        /// The draft is still in review; `DIR/draft` was written again.
        case inReview = "in-review"
        /// Published to `DIR/vN`, with `DIR/index.html` and `DIR/latest.json` updated.
        case published
        /// Nothing due: the last edition's period ended less than a period ago.
        case upToDate = "up-to-date"
    }

    /// The outcome of a run.
    public struct Outcome: Sendable {
        /// What it did.
        public var step: Step
        /// The edition.
        public var publication: Publication
        /// Where its files went.
        public var directory: String
        /// The manifest's SHA-256 (of the files written).
        public var manifestSHA256: String
        /// The figures of a new draft, for telling the listed hosters without reading them again.
        public var stats: RemovalStatistics? = nil

        /// One line of JSON for the operator and a CI.
        public var json: JSONValue {
            .object([
                "step": .string(step.rawValue), "publication": publication.json, "directory": .string(directory),
                "manifest_sha256": .string(manifestSHA256),
            ])
        }
    }

    /// Where everything is kept.
    public let store: any GatewayStorage
    /// The settings (thresholds, review window, the hotline's name).
    public let config: GatewayConfig
    /// The contact directory: names, NTD-code membership, networks.
    public let directory: ContactDirectory

    /// Creates the desk.
    public init(store: any GatewayStorage, config: GatewayConfig, directory: ContactDirectory) {
        self.store = store
        self.config = config
        self.directory = directory
    }

    /// The statistics of `[since, until)` as of `until`.
    public func statistics(since: Date, until: Date) throws -> RemovalStatistics {
        RemovalStatistics(rows: try store.noticeURLRows(since: since, until: until), now: until, thresholds: config.compliance)
    }

    /// Whether `org` may explain itself for `[since, until)`: listed on the draft in review,
    /// or on the list of that period.
    public func isListed(org: String, since: Date, until: Date) throws -> Bool {
        if let draft = try store.publications().first(where: { $0.status == .review }), draft.listed.contains(org),
            draft.since < until, draft.until > since
        {
            return true
        }
        return try statistics(since: since, until: until).complyOrExplain.contains { $0.figures.contactID == org }
    }

    /// Does the step that is due at `now` and writes its files under `out`. A new edition is
    /// drafted when none is in review and the last one's period ended at least `span` ago (so
    /// a daily run makes one edition per period), or when `newEdition` asks for one.
    public func run(since span: TimeSpan, out: String, at now: Date, actor: String, newEdition: Bool = false) throws -> Outcome {
        let all = try store.publications()
        if let draft = all.first(where: { $0.status == .review }) {
            if now < draft.reviewUntil {
                let written = try write(content(draft, at: now), to: (out as NSString).appendingPathComponent("draft"))
                return Outcome(step: .inReview, publication: draft, directory: written.directory, manifestSHA256: written.manifest)
            }
            var published = draft
            published.status = .published
            published.publishedAt = now
            let target = (out as NSString).appendingPathComponent("v\(draft.version)")
            let written = try write(content(published, at: now), to: target)
            guard
                try store.markPublished(
                    version: draft.version, at: now, manifestSHA256: written.manifest,
                    audit: AuditEntry(
                        at: now, actor: actor, event: "publication.published", subject: "v\(draft.version)",
                        detail: [
                            "since": .string(RFC3339.format(draft.since)), "until": .string(RFC3339.format(draft.until)),
                            "manifest_sha256": .string(written.manifest), "listed": .number(Double(draft.listed.count)),
                        ]))
            else { throw PublicationError(description: "version \(draft.version) was published by another instance a moment ago") }
            published.manifestSHA256 = written.manifest
            try writeIndex(out: out, latest: published)
            return Outcome(step: .published, publication: published, directory: written.directory, manifestSHA256: written.manifest)
        }
        if !newEdition, let last = all.first(where: { $0.status == .published }),
            now < last.until.addingTimeInterval(TimeInterval(span.seconds))
        {
            return Outcome(
                step: .upToDate, publication: last, directory: (out as NSString).appendingPathComponent("v\(last.version)"),
                manifestSHA256: last.manifestSHA256 ?? "")
        }
        let since = now.addingTimeInterval(-TimeInterval(span.seconds))
        let stats = try statistics(since: since, until: now)
        let draft = Publication(
            version: (all.map(\.version).max() ?? 0) + 1, status: .review, since: since, until: now, createdAt: now,
            reviewUntil: now.addingTimeInterval(TimeInterval(config.publicationReviewWindow.seconds)),
            listed: Array(Set(stats.complyOrExplain.compactMap(\.figures.contactID))).sorted())
        guard
            try store.insertPublication(
                draft,
                audit: AuditEntry(
                    at: now, actor: actor, event: "publication.drafted", subject: "v\(draft.version)",
                    detail: [
                        "since": .string(RFC3339.format(since)), "until": .string(RFC3339.format(now)),
                        "review_until": .string(RFC3339.format(draft.reviewUntil)), "listed": .array(draft.listed.map(JSONValue.string)),
                    ]))
        else { throw PublicationError(description: "version \(draft.version) was drafted by another instance a moment ago") }
        let written = try write(content(draft, stats: stats, at: now), to: (out as NSString).appendingPathComponent("draft"))
        return Outcome(step: .drafted, publication: draft, directory: written.directory, manifestSHA256: written.manifest, stats: stats)
    }

    /// What `publication` shows at `now`: its period's figures, and the explanations accepted by then.
    public func content(_ publication: Publication, stats: RemovalStatistics? = nil, at now: Date) throws -> PublicationSite.Content {
        let stats = try stats ?? statistics(since: publication.since, until: publication.until)
        var explanations: [String: [HosterExplanation]] = [:]
        for explanation in try store.explanations(org: nil, status: .accepted, limit: 100_000)
        where explanation.overlaps(since: publication.since, until: publication.until) && (explanation.decidedAt ?? now) <= now {
            explanations[explanation.org, default: []].append(explanation)
        }
        var organisations: [String: PublicationSite.Organisation] = [:]
        var networkNames: [Int: String] = [:]
        for contact in directory.contacts {
            organisations[contact.id] = PublicationSite.Organisation(name: contact.name, ntdMember: contact.ntdMember)
            for asn in contact.asns where networkNames[asn] == nil { networkNames[asn] = contact.name }
        }
        let upstreams = try store.upstreams(of: stats.complyOrExplain.compactMap(\.figures.asn))
        return PublicationSite.Content(
            publication: publication, hotlineName: config.dispatch.identity.name, stats: stats, thresholds: config.compliance,
            organisations: organisations, explanations: explanations, upstreams: upstreams, networkNames: networkNames)
    }

    /// The files of `content` with their manifest, checked for leaks, then moved into
    /// `directory` whole (a reader never sees half an edition).
    func write(_ content: PublicationSite.Content, to directory: String) throws -> (directory: String, manifest: String) {
        let site = PublicationSite(content)
        for file in site.files {
            if let leak = PublicationSite.leaks(in: file.text) {
                throw PublicationError(description: "\(file.name) \(leak); nothing was written (the publication holds organisations and counts only)")
            }
        }
        let manifest = site.files.map { Self.sha256(Data($0.text.utf8)) + "  " + $0.name }.joined(separator: "\n") + "\n"
        let manager = FileManager.default
        let parent = (directory as NSString).deletingLastPathComponent
        let staging = (parent as NSString).appendingPathComponent(".staging-\(UUID().uuidString)")
        do {
            try manager.createDirectory(atPath: staging, withIntermediateDirectories: true)
            for file in site.files {
                try Data(file.text.utf8).write(to: URL(fileURLWithPath: (staging as NSString).appendingPathComponent(file.name)))
            }
            try Data(manifest.utf8).write(to: URL(fileURLWithPath: (staging as NSString).appendingPathComponent("manifest.sha256")))
            if manager.fileExists(atPath: directory) { try manager.removeItem(atPath: directory) }
            try manager.moveItem(atPath: staging, toPath: directory)
        } catch {
            try? manager.removeItem(atPath: staging)
            throw PublicationError(description: "cannot write \(directory): \(error.localizedDescription)")
        }
        return (directory, Self.sha256(Data(manifest.utf8)))
    }

    /// `DIR/index.html` listing every published edition, newest first, and `DIR/latest.json`.
    func writeIndex(out: String, latest: Publication) throws {
        let published = try store.publications().filter { $0.status == .published }
        var html = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>Notice-and-takedown statistics — \(PublicationSite.escape(config.dispatch.identity.name))</title></head>
            <body><h1>Notice-and-takedown statistics of \(PublicationSite.escape(config.dispatch.identity.name))</h1><ul>

            """
        for edition in published {
            html +=
                "<li><a href=\"v\(edition.version)/index.html\">Edition \(edition.version)</a>: \(RFC3339.format(edition.since)) to \(RFC3339.format(edition.until)), published \(edition.publishedAt.map { RFC3339.format($0) } ?? ""), manifest SHA-256 \(edition.manifestSHA256 ?? "")</li>\n"
        }
        html += "</ul></body></html>\n"
        let latestJSON = JSONValue.object([
            "version": .number(Double(latest.version)), "path": .string("v\(latest.version)/"),
            "published_at": latest.publishedAt.map { .string(RFC3339.format($0)) } ?? .null,
            "manifest_sha256": latest.manifestSHA256.map(JSONValue.string) ?? .null,
        ])
        do {
            try Data(html.utf8).write(to: URL(fileURLWithPath: (out as NSString).appendingPathComponent("index.html")), options: .atomic)
            try Data((latestJSON.serialized + "\n").utf8).write(
                to: URL(fileURLWithPath: (out as NSString).appendingPathComponent("latest.json")), options: .atomic)
        } catch {
            throw PublicationError(description: "cannot write the index in \(out): \(error.localizedDescription)")
        }
    }

    /// Lowercase hex SHA-256.
    static func sha256(_ data: Data) -> String { Hex.string(SHA256.hash(data: data)) }
}
