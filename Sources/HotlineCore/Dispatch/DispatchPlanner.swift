import Foundation

/// Turns a verdict's `notify` and `forward` actions into dispatch items, in the decision's
/// own transaction.
public struct DispatchPlanner: Sendable {
    /// Who each target is.
    public let directory: any RecipientDirectory
    /// Batch window of a first notice when the rule gives none (1 hour).
    public var notifyWindow: TimeSpan
    /// Batch window of forwards when the rule gives none: they go out at once.
    public var forwardWindow: TimeSpan
    /// Id maker.
    public let ids: any IDGenerator

    /// Creates a planner.
    public init(directory: any RecipientDirectory, notifyWindow: TimeSpan = .hours(1), forwardWindow: TimeSpan = TimeSpan(seconds: 0), ids: any IDGenerator = UUIDv7Generator()) {
        self.directory = directory
        self.notifyWindow = notifyWindow
        self.forwardWindow = forwardWindow
        self.ids = ids
    }

    /// What the URL of one decision is, for the items.
    public struct Subject: Sendable {
        /// The report.
        public var reportID: String
        /// The case.
        public var caseID: String
        /// The decision.
        public var decisionID: String
        /// The canonical URL.
        public var url: String
        /// Its host.
        public var host: String
        /// The facts decided on.
        public var facts: Facts
        /// The content's hash values, for X-ARF.
        public var hashes: HashValues
        /// The notice whose follow-up decided, if any.
        public var parentNoticeID: String?

        /// Creates a subject.
        public init(reportID: String, caseID: String, decisionID: String, url: String, host: String, facts: Facts, hashes: HashValues, parentNoticeID: String? = nil) {
            self.hashes = hashes
            self.reportID = reportID
            self.caseID = caseID
            self.decisionID = decisionID
            self.url = url
            self.host = host
            self.facts = facts
            self.parentNoticeID = parentNoticeID
        }
    }

    /// The items for `actions`. A `forward` with `police_first` holds every `notify` of the
    /// same decision until the police release it.
    public func items(for actions: [Action], subject: Subject, now: Date) -> [DispatchItem] {
        let policeFirst = actions.contains { if case .forward(.police, _, _, true) = $0 { true } else { false } }
        let facts = subject.facts
        let hashes = subject.hashes
        let classification = Self.classification(facts)
        let detection: String
        if case .string("known")? = facts["hash.match"] {
            detection = "hash_match"
        } else if case .string(let source)? = facts["report.source.type"], source == "public" {
            detection = "user_report"
        } else {
            detection = "manual_review"
        }
        let hosting = HostingSnapshot(facts)
        var items: [DispatchItem] = []
        for action in actions {
            let kind: String, target: String, template: String, deadline: TimeSpan?, window: TimeSpan, reason: String?
            switch action {
            case .notify(let to, let name, let span, let batchWindow):
                (kind, target, template, deadline, window, reason) = ("notify", to.description, name, span, batchWindow ?? notifyWindow, nil)
            case .forward(let to, let name, let why, _):
                let defaultTemplate = to == .police ? "police-info" : "inhope-forward"
                (kind, target, template, deadline, window, reason) = ("forward", to.description, name ?? defaultTemplate, nil, forwardWindow, why)
            default:
                continue
            }
            let held = policeFirst && kind == "notify"
            items.append(DispatchItem(
                id: ids.next(), reportID: subject.reportID, caseID: subject.caseID, decisionID: subject.decisionID,
                kind: kind, target: target, recipient: directory.recipient(for: target, facts: facts), template: template,
                deadline: deadline, batchWindow: window, reason: reason, url: subject.url, host: subject.host,
                hosting: hosting, classification: classification, detectionMethod: detection, hashes: hashes,
                status: held ? .held : .waiting, createdAt: now, dueAt: now.addingTimeInterval(TimeInterval(window.seconds)),
                parentNoticeID: subject.parentNoticeID))
        }
        return items
    }

    /// The X-ARF classification: the matched list entry's, else the sender's hint, when it is
    /// one X-ARF knows.
    static func classification(_ facts: Facts) -> String? {
        let known = Set(Classification.allCases.map(\.rawValue))
        for name in ["hash.classification", "report.classification"] {
            if case .string(let value)? = facts[name], known.contains(value) { return value }
        }
        return nil
    }
}

extension ReportHashes {
    /// The exact digests as X-ARF `hash_values` (PDQ has no X-ARF field).
    public var hashValues: HashValues {
        var values: HashValues = [:]
        if let md5 { values["md5"] = md5 }
        if let sha1 { values["sha1"] = sha1 }
        if let sha256 { values["sha256"] = sha256 }
        return values
    }
}
