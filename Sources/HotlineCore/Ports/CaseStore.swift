import Foundation

/// A decision as stored, for people: its facts and trace as JSON.
public struct DecisionRecord: Sendable {
    /// The facts the decision saw.
    public var facts: JSONValue
    /// Why the rules decided as they did.
    public var trace: JSONValue
    /// The rules version in force.
    public var rulesDigest: String

    /// Creates a record.
    public init(facts: JSONValue, trace: JSONValue, rulesDigest: String) {
        self.facts = facts
        self.trace = trace
        self.rulesDigest = rulesDigest
    }
}

/// The latest decision of a case, to decide it again (an analyst, a replay).
public struct LatestDecision: Sendable {
    /// The decision's id.
    public var id: String
    /// The report it decided.
    public var reportID: String
    /// The facts it saw.
    public var facts: Facts

    /// Creates one.
    public init(id: String, reportID: String, facts: Facts) {
        self.id = id
        self.reportID = reportID
        self.facts = facts
    }
}

/// Reading cases and the analysts' queue.
public protocol CaseStore: Sendable {
    /// A case by id.
    func caseRecord(id: String) throws -> CaseRecord?
    /// The case of a report.
    func caseID(reportID: String) throws -> String?
    /// The reports of a case, oldest first.
    func reportIDs(caseID: String) throws -> [String]
    /// The notices and forwards that carry a case's URLs, oldest first.
    func notices(caseID: String) throws -> [Notice]
    /// The latest decision of a case.
    func latestDecision(caseID: String) throws -> LatestDecision?
    /// The latest decision of one report (`hotline rules explain --id`).
    func latestDecision(reportID: String) throws -> LatestDecision?
    /// Every decision of a report with its facts and trace, oldest first.
    func decisionRecords(reportID: String) throws -> [DecisionRecord]
    /// Escalated cases and notices, oldest first.
    func escalationQueue(limit: Int) throws -> [QueueEntry]
    /// How many items the analysts' queue holds, without building it.
    func queueDepth() throws -> Int
}
