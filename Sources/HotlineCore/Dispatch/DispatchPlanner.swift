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
    public init(
        directory: any RecipientDirectory, notifyWindow: TimeSpan = .hours(1), forwardWindow: TimeSpan = TimeSpan(seconds: 0),
        ids: any IDGenerator = UUIDv7Generator()
    ) {
        self.directory = directory
        self.notifyWindow = notifyWindow
        self.forwardWindow = forwardWindow
        self.ids = ids
    }

    /// The items for `actions` about `subject`, decided on `facts`. A `forward` with
    /// `police_first` holds every `notify` of the same decision until the police release it.
    public func items(for actions: [Action], subject: ReportedURL, facts: Facts, parentNoticeID: String? = nil, now: Date) -> [DispatchItem] {
        let policeFirst = actions.contains { if case .forward(.police, _, _, true) = $0 { true } else { false } }
        let classification = Self.classification(facts)
        let detection: String
        if facts.string(.analystClassification) != nil {
            // A person assessed it: that, not a hash, is why the notice goes.
            detection = "manual_review"
        } else if facts.string(.hashMatch) == "known" {
            detection = "hash_match"
        } else if facts.string(.reportSourceType) == "public" {
            detection = "user_report"
        } else {
            detection = "manual_review"
        }
        let hosting = HostingSnapshot(facts)
        var items: [DispatchItem] = []
        for action in actions {
            let kind: ActionKind
            let target: DispatchTarget
            let template: String
            let deadline: TimeSpan?
            let window: TimeSpan
            let reason: String?
            switch action {
            case .notify(let to, let name, let span, let batchWindow):
                (kind, target, template, deadline, window, reason) = (.notify, to, name, span, batchWindow ?? notifyWindow, nil)
            case .forward(let to, let name, let why, _):
                let defaultTemplate = to == .police ? "police-info" : "inhope-forward"
                (kind, target, template, deadline, window, reason) = (.forward, to, name ?? defaultTemplate, nil, forwardWindow, why)
            default:
                continue
            }
            let held = policeFirst && kind == .notify
            items.append(
                DispatchItem(
                    id: ids.next(), subject: subject, kind: kind, target: target, recipient: directory.recipient(for: target, facts: facts), template: template,
                    deadline: deadline, batchWindow: window, reason: reason, hosting: hosting, classification: classification, detectionMethod: detection,
                    status: held ? .held : .waiting, createdAt: now, dueAt: now.addingTimeInterval(TimeInterval(window.seconds)), parentNoticeID: parentNoticeID
                ))
        }
        return items
    }

    /// The X-ARF classification: the matched list entry's, else the sender's hint, when it is
    /// one X-ARF knows.
    static func classification(_ facts: Facts) -> String? {
        let known = Set(Classification.allCases.map(\.rawValue))
        for fact in [Fact.analystClassification, .hashClassification, .reportClassification] {
            if let value = facts.string(fact), known.contains(value) { return value }
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
