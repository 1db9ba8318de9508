import Foundation
import HotlineCore

extension SQLStore {
    static func dispute(_ row: some SQLRow) throws -> Dispute {
        var hashes: [HashListEntry] = []
        if case .array(let items)? = try? JSONValue.parse(Array(try row.text("hashes").utf8)) {
            for item in items {
                if case .object(let object) = item, case .string(let name)? = object["algorithm"], let algorithm = HashAlgorithm(rawValue: name),
                    case .string(let value)? = object["value"]
                {
                    hashes.append(HashListEntry(algorithm: algorithm, value: value))
                }
            }
        }
        return Dispute(
            id: try row.text("id"), org: try row.text("org"), tokenID: try row.text("token_id"), hashes: hashes, noticeID: try row.optionalText("notice_id"),
            lists: try row.text("lists").split(separator: ",").map(String.init), reason: try row.text("reason"), evidence: try row.optionalText("evidence"),
            status: Dispute.Status(rawValue: try row.text("status")) ?? .open, createdAt: StoredDate.date(try row.text("created_at")),
            decidedBy: try row.optionalText("decided_by"), decidedAt: try row.optionalText("decided_at").map(StoredDate.date),
            decisionReason: try row.optionalText("decision_reason"))
    }

    /// Stores a dispute with its audit entry.
    public func insertDispute(_ dispute: Dispute, audit: AuditEntry) throws {
        let hashes = JSONValue.array(dispute.hashes.map { .object(["algorithm": .string($0.algorithm.rawValue), "value": .string($0.value)]) }).serialized
        try writing { db in
            try db.execute(
                """
                INSERT INTO disputes (id, org, token_id, hashes, notice_id, lists, reason, evidence, status, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                [
                    .text(dispute.id), .text(dispute.org), .text(dispute.tokenID), .text(hashes), .optional(dispute.noticeID),
                    .text(dispute.lists.joined(separator: ",")), .text(dispute.reason), .optional(dispute.evidence), .text(dispute.status.rawValue),
                    .text(StoredDate.text(dispute.createdAt)),
                ])
            try AuditRow(audit).insert(db)
        }
    }

    /// A dispute by id.
    public func dispute(id: String) throws -> Dispute? {
        try reading { try $0.row("SELECT * FROM disputes WHERE id = ?", [.text(id)]).map(Self.dispute) }
    }

    /// Disputes of an organisation, in a state, oldest first.
    public func disputes(org: String?, status: Dispute.Status?, limit: Int) throws -> [Dispute] {
        let (filter, values) = SQLFilter.equal(["org": org, "status": status?.rawValue])
        return try reading { try $0.rows("SELECT * FROM disputes \(filter) ORDER BY created_at, id LIMIT ?", values + [.int(limit)]).map(Self.dispute) }
    }

    /// Decides an open dispute and, accepted, allow-lists its hashes, in one transaction.
    public func decideDispute(_ dispute: Dispute, audit: AuditEntry) throws -> Bool {
        try writing { db in
            guard
                try db.execute(
                    "UPDATE disputes SET status = ?, decided_by = ?, decided_at = ?, decision_reason = ? WHERE id = ? AND status = 'open'",
                    [
                        .text(dispute.status.rawValue), .optional(dispute.decidedBy), .optional(dispute.decidedAt.map(StoredDate.text)),
                        .optional(dispute.decisionReason), .text(dispute.id),
                    ]) == 1
            else { return false }
            if dispute.status == .accepted {
                let now = SQLValue.text(StoredDate.text(dispute.decidedAt ?? Date()))
                for hash in dispute.hashes {
                    try db.execute(
                        """
                        INSERT INTO hash_allowlist (algorithm, hash, reason, added_at) VALUES (?, ?, ?, ?)
                        ON CONFLICT (algorithm, hash) DO UPDATE SET reason = excluded.reason
                        """, [.text(hash.algorithm.rawValue), .text(hash.value), .text(DisputeDesk.allowReason(dispute)), now])
                }
                try StoreGenerations.bump(StoreGenerations.hashLists, in: db)
            }
            try AuditRow(audit).insert(db)
            return true
        }
    }
}
