import Crypto
import Foundation
import GRDB
import HotlineCore

/// A row of `decisions`: the verdict with its trace, the facts and the rules digest, as JSON.
struct DecisionRow: Codable, FetchableRecord, TableRecord, InsertableRow {
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

    static let table = "decisions"
    static let insertSQL = insertStatement()
    static let columns = [
        "id", "report_id", "case_id", "trigger", "rule", "outcome", "actions", "matched_rules", "trace", "facts", "rules_digest", "decided_at",
    ]
    var values: [SQLValue] {
        [
            .text(id), .text(report_id), .text(case_id), .text(trigger), .text(rule), .text(outcome), .text(actions), .text(matched_rules),
            .text(trace), .text(facts), .text(rules_digest), .text(decided_at),
        ]
    }

    /// The summary from a row with `rule`, `outcome`, `actions` and `rules_digest`.
    static func summary(_ row: some SQLRow) throws -> DecisionSummary {
        DecisionSummary(
            rule: try row.text("rule"), outcome: try row.text("outcome"), actions: (try? JSONValue.parse(try row.text("actions"))) ?? .array([]),
            rulesDigest: try row.text("rules_digest"))
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

    /// Key of the PostgreSQL advisory lock that serializes appends across instances.
    static let chainLock: Int64 = 0x4175_6469_7443_6861

    func insert(_ db: some SQLExecutor) throws {
        // The next link of the hash chain. SQLite serializes writers; on PostgreSQL the lock
        // (held to commit) makes the last row ours to follow, whichever instance wrote it.
        if db.dialect == .postgres { try db.execute("SELECT pg_advisory_xact_lock(?)", [.integer(Self.chainLock)]) }
        let last = try db.row("SELECT seq, chain FROM audit_log ORDER BY seq DESC LIMIT 1", [])
        let seq = Int64(try last?.integer("seq") ?? 0) + 1
        let chain = AuditChain.link(previous: try last?.text("chain") ?? "", seq: seq, at: at, actor: actor, event: event, subject: subject, detail: detail)
        try db.send(
            "INSERT INTO audit_log (seq, at, actor, event, subject, detail, chain) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [.integer(seq), .text(at), .text(actor), .text(event), .optional(subject), .text(detail), .text(chain)])
    }
}

/// The audit log's hash chain.
public enum AuditChain {
    /// SHA-256 (hex) of the previous link and an entry's fields, one per line.
    public static func link(previous: String, seq: Int64, at: String, actor: String, event: String, subject: String?, detail: String) -> String {
        let text = [previous, String(seq), at, actor, event, subject ?? "", detail].joined(separator: "\n")
        return Hex.string(SHA256.hash(data: Data(text.utf8)))
    }
}
