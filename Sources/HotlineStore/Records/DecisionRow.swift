import Foundation
import GRDB
import HotlineCore

/// A row of `decisions`: the verdict with its trace, the facts and the rules digest, as JSON.
struct DecisionRow: Codable, FetchableRecord, TableRecord {
    static let databaseTableName = "decisions"

    var id: String
    var report_id: String
    var case_id: String
    var trigger: String
    var rule: String
    var outcome: String
    var actions: String
    var matched_rules: String
    var trace: String
    var facts: String
    var rules_digest: String
    var decided_at: String

    init(_ decision: Decision) {
        id = decision.id
        report_id = decision.reportID
        case_id = decision.caseID
        trigger = decision.trigger
        rule = decision.verdict.rule
        outcome = decision.verdict.outcome.rawValue
        actions = decision.verdict.actions.json.serialized
        matched_rules = JSONValue.array(decision.verdict.matchedRules.map(JSONValue.string)).serialized
        trace = JSONValue.array(decision.verdict.trace.map(\.json)).serialized
        facts = decision.facts.serializedJSON
        rules_digest = decision.verdict.rulesDigest
        decided_at = StoredDate.text(decision.decidedAt)
    }

    func insert(_ db: Database) throws {
        try db.cachedStatement(sql: """
            INSERT INTO decisions (id, report_id, case_id, trigger, rule, outcome, actions, matched_rules, trace, facts, rules_digest, decided_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [id, report_id, case_id, trigger, rule, outcome, actions, matched_rules, trace, facts, rules_digest, decided_at])
    }

    var summary: DecisionSummary {
        DecisionSummary(rule: rule, outcome: outcome, actions: (try? JSONValue.parse(actions)) ?? .array([]), rulesDigest: rules_digest)
    }
}

/// A row of `audit_log`.
struct AuditRow: Codable, FetchableRecord, TableRecord {
    static let databaseTableName = "audit_log"

    var seq: Int64?
    var at: String
    var actor: String
    var event: String
    var subject: String?
    var detail: String

    init(_ entry: AuditEntry) {
        at = StoredDate.text(entry.at)
        actor = entry.actor
        event = entry.event
        subject = entry.subject
        detail = JSONValue.object(entry.detail).serialized
    }

    func insert(_ db: Database) throws {
        try db.cachedStatement(sql: "INSERT INTO audit_log (at, actor, event, subject, detail) VALUES (?, ?, ?, ?, ?)")
            .execute(arguments: [at, actor, event, subject, detail])
    }
}
