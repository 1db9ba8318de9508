import Foundation
import HotlineCore

// MARK: Observed hashes and verdicts

extension SQLTransaction {
    /// Records what the gateway hashed for a report of a case (idempotent).
    public func addObservedHashes(_ hashes: [ObservedHash], caseID: String, at date: Date) throws {
        let db = try direct()
        for hash in hashes {
            try db.execute(
                """
                INSERT INTO observed_hashes (case_id, algorithm, hash, quality, report_id, media_url, observed_at) VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (case_id, algorithm, hash) DO NOTHING
                """,
                [
                    .text(caseID), .text(hash.algorithm.rawValue), .text(hash.value), .optional(hash.quality), .text(hash.reportID), .optional(hash.mediaURL),
                    .text(StoredDate.text(date)),
                ])
        }
    }

    /// Stores an analyst's pending verdict.
    public func insertVerdict(_ verdict: HashVerdict) throws {
        try direct().execute(
            """
            INSERT INTO verdicts (id, case_id, decision_id, classification, hashes, status, decided_by, decided_actor, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [
                .text(verdict.id), .text(verdict.caseID), .text(verdict.decisionID), .text(verdict.classification.rawValue),
                .text(VerdictRows.hashesJSON(verdict.hashes)), .text(verdict.status.rawValue), .text(verdict.decidedBy), .text(verdict.decidedActor),
                .text(StoredDate.text(verdict.createdAt)),
            ])
    }
}

/// How verdicts and holds are written to and read from rows.
enum VerdictRows {
    static func hashesJSON(_ hashes: [ObservedHash]) -> String {
        JSONValue.array(
            hashes.map { hash in
                .object([
                    "algorithm": .string(hash.algorithm.rawValue), "value": .string(hash.value), "quality": hash.quality.map { .number(Double($0)) } ?? .null,
                    "report_id": .string(hash.reportID), "media_url": hash.mediaURL.map(JSONValue.string) ?? .null,
                ])
            }
        ).serialized
    }

    static func hashes(_ text: String) -> [ObservedHash] {
        guard case .array(let items)? = try? JSONValue.parse(Array(text.utf8)) else { return [] }
        return items.compactMap { item -> ObservedHash? in
            guard case .object(let object) = item, case .string(let name)? = object["algorithm"], let algorithm = HashAlgorithm(rawValue: name),
                case .string(let value)? = object["value"], case .string(let reportID)? = object["report_id"]
            else { return nil }
            var quality: Int?
            if case .number(let number)? = object["quality"] { quality = Int(number) }
            var mediaURL: String?
            if case .string(let url)? = object["media_url"] { mediaURL = url }
            return ObservedHash(algorithm: algorithm, value: value, quality: quality, reportID: reportID, mediaURL: mediaURL)
        }
    }

    static func verdict(_ row: some SQLRow) throws -> HashVerdict {
        HashVerdict(
            id: try row.text("id"), caseID: try row.text("case_id"), decisionID: try row.text("decision_id"),
            classification: AssessedClassification(rawValue: try row.text("classification")) ?? .baseline, hashes: hashes(try row.text("hashes")),
            status: HashVerdict.Status(rawValue: try row.text("status")) ?? .pending, decidedBy: try row.text("decided_by"),
            decidedActor: try row.text("decided_actor"), createdAt: StoredDate.date(try row.text("created_at")),
            reviewedBy: try row.optionalText("reviewed_by"),
            reviewedActor: try row.optionalText("reviewed_actor"), reviewedAt: try row.optionalText("reviewed_at").map(StoredDate.date),
            reviewReason: try row.optionalText("review_reason"))
    }

    static func hold(_ row: some SQLRow) throws -> StandingHold {
        StandingHold(
            id: try row.text("id"), scope: StandingHold.Scope(rawValue: try row.text("scope")) ?? .case, value: try row.text("value"),
            reason: try row.text("reason"), police: try row.integer("police") != 0, createdBy: try row.text("created_by"),
            createdAt: StoredDate.date(try row.text("created_at")), until: StoredDate.date(try row.text("until")),
            endedAt: try row.optionalText("ended_at").map(StoredDate.date), endedBy: try row.optionalText("ended_by"))
    }

    static func take(_ row: some SQLRow) throws -> CaseTake {
        CaseTake(
            caseID: try row.text("case_id"), tokenID: try row.text("token_id"), actor: try row.text("actor"),
            takenAt: StoredDate.date(try row.text("taken_at")),
            until: StoredDate.date(try row.text("until")))
    }
}

extension SQLStore {
    /// The hashes the gateway observed in a case.
    public func observedHashes(caseID: String) throws -> [ObservedHash] {
        try reading { db in
            try db.rows("SELECT * FROM observed_hashes WHERE case_id = ? ORDER BY observed_at, algorithm, hash", [.text(caseID)]).map { row in
                ObservedHash(
                    algorithm: HashAlgorithm(rawValue: try row.text("algorithm")) ?? .sha256, value: try row.text("hash"),
                    quality: try row.optionalInt("quality"),
                    reportID: try row.text("report_id"), mediaURL: try row.optionalText("media_url"))
            }
        }
    }

    /// A verdict by id.
    public func verdict(id: String) throws -> HashVerdict? {
        try reading { try $0.row("SELECT * FROM verdicts WHERE id = ?", [.text(id)]).map(VerdictRows.verdict) }
    }

    /// Verdicts in a state (or all), of a case (or all), oldest first.
    public func verdicts(status: HashVerdict.Status?, caseID: String?, limit: Int) throws -> [HashVerdict] {
        let (filter, values) = SQLFilter.equal(["status": status?.rawValue, "case_id": caseID])
        return try reading { try $0.rows("SELECT * FROM verdicts \(filter) ORDER BY created_at, id LIMIT ?", values + [.int(limit)]).map(VerdictRows.verdict) }
    }

    /// Records a review and, when confirmed, its hashes, in one transaction.
    public func reviewVerdict(_ verdict: HashVerdict, audit: AuditEntry) throws -> Bool {
        try writing { db in
            guard
                try db.execute(
                    "UPDATE verdicts SET status = ?, reviewed_by = ?, reviewed_actor = ?, reviewed_at = ?, review_reason = ? WHERE id = ? AND status = 'pending'",
                    [
                        .text(verdict.status.rawValue), .optional(verdict.reviewedBy), .optional(verdict.reviewedActor),
                        .optional(verdict.reviewedAt.map(StoredDate.text)), .optional(verdict.reviewReason), .text(verdict.id),
                    ]) == 1
            else { return false }
            let now = SQLValue.text(StoredDate.text(verdict.reviewedAt ?? Date()))
            if verdict.status == .confirmed {
                if let classification = verdict.classification.hashClassification {
                    try db.execute(
                        """
                        INSERT INTO hash_lists (name, source, default_classification, enabled, created_at, updated_at) VALUES (?, ?, ?, 1, ?, ?)
                        ON CONFLICT (name) DO NOTHING
                        """, [.text(HashVerdict.assessedList), .text("the hotline's analysts, four eyes"), .text("unclassified"), now, now])
                    guard let listID = try db.row("SELECT id FROM hash_lists WHERE name = ?", [.text(HashVerdict.assessedList)]).map({ try $0.integer("id") })
                    else { throw NoSuchHashList(HashVerdict.assessedList) }
                    for hash in verdict.hashes {
                        // A later verdict on the same file restates its classification; a
                        // retraction stays (once out, a hash does not come back silently).
                        try db.execute(
                            """
                            INSERT INTO hash_entries (list_id, algorithm, hash, classification, added_at) VALUES (?, ?, ?, ?, ?)
                            ON CONFLICT (list_id, algorithm, hash) DO UPDATE SET classification = excluded.classification
                            """, [.int(listID), .text(hash.algorithm.rawValue), .text(hash.value), .text(classification.rawValue), now])
                    }
                } else {
                    for hash in verdict.hashes {
                        try db.execute(
                            "INSERT INTO hash_allowlist (algorithm, hash, reason, added_at) VALUES (?, ?, ?, ?) ON CONFLICT (algorithm, hash) DO NOTHING",
                            [.text(hash.algorithm.rawValue), .text(hash.value), .text("not_illegal: verdict \(verdict.id), case \(verdict.caseID)"), now])
                    }
                }
                try StoreGenerations.bump(StoreGenerations.hashLists, in: db)
            }
            try AuditRow(audit).insert(db)
            return true
        }
    }

    /// How many times the hash lists changed (the instances' reload signal).
    public func hashListGeneration() throws -> Int {
        try reading { try StoreGenerations.value(StoreGenerations.hashLists, in: $0) }
    }
}

// MARK: Holds

extension SQLStore {
    /// Stores a hold with its audit entry.
    public func insertHold(_ hold: StandingHold, audit: AuditEntry) throws {
        try writing { db in
            try db.execute(
                "INSERT INTO holds (id, scope, value, reason, police, created_by, created_at, until) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    .text(hold.id), .text(hold.scope.rawValue), .text(hold.value), .text(hold.reason), .int(hold.police ? 1 : 0), .text(hold.createdBy),
                    .text(StoredDate.text(hold.createdAt)), .text(StoredDate.text(hold.until)),
                ])
            try AuditRow(audit).insert(db)
        }
    }

    /// Holds not yet ended.
    public func openHolds() throws -> [StandingHold] {
        try reading { try $0.rows("SELECT * FROM holds WHERE ended_at IS NULL ORDER BY created_at DESC, id", []).map(VerdictRows.hold) }
    }

    /// Every hold, newest first.
    public func holds(limit: Int) throws -> [StandingHold] {
        try reading { try $0.rows("SELECT * FROM holds ORDER BY created_at DESC, id LIMIT ?", [.int(limit)]).map(VerdictRows.hold) }
    }

    /// Ends a hold once.
    public func endHold(id: String, at date: Date, by actor: String, audit: AuditEntry) throws -> Bool {
        try writing { db in
            guard
                try db.execute(
                    "UPDATE holds SET ended_at = ?, ended_by = ? WHERE id = ? AND ended_at IS NULL", [.text(StoredDate.text(date)), .text(actor), .text(id)])
                    == 1
            else { return false }
            try AuditRow(audit).insert(db)
            return true
        }
    }
}

// MARK: Case takes

extension SQLStore {
    /// Takes a case unless someone else holds a live take on it.
    public func takeCase(_ take: CaseTake) throws -> CaseTake {
        try writing { db in
            // One statement decides, whatever the number of instances: the row is written
            // when there is none, when it has lapsed, or when it is the taker's own.
            try db.execute(
                """
                INSERT INTO case_takes (case_id, token_id, actor, taken_at, until) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (case_id) DO UPDATE SET token_id = excluded.token_id, actor = excluded.actor, taken_at = excluded.taken_at, until = excluded.until
                WHERE case_takes.until <= excluded.taken_at OR case_takes.token_id = excluded.token_id
                """,
                [.text(take.caseID), .text(take.tokenID), .text(take.actor), .text(StoredDate.text(take.takenAt)), .text(StoredDate.text(take.until))])
            return try db.row("SELECT * FROM case_takes WHERE case_id = ?", [.text(take.caseID)]).map(VerdictRows.take) ?? take
        }
    }

    /// The live take on a case.
    public func caseTake(caseID: String, at date: Date) throws -> CaseTake? {
        try reading {
            try $0.row("SELECT * FROM case_takes WHERE case_id = ? AND until > ?", [.text(caseID), .text(StoredDate.text(date))]).map(VerdictRows.take)
        }
    }

    /// Gives a case back.
    public func releaseCase(caseID: String, tokenID: String) throws {
        try writing { try $0.execute("DELETE FROM case_takes WHERE case_id = ? AND token_id = ?", [.text(caseID), .text(tokenID)]) }
    }

    /// Live takes by case.
    public func caseTakes(at date: Date) throws -> [String: CaseTake] {
        let takes = try reading { try $0.rows("SELECT * FROM case_takes WHERE until > ?", [.text(StoredDate.text(date))]).map(VerdictRows.take) }
        return Dictionary(takes.map { ($0.caseID, $0) }, uniquingKeysWith: { first, _ in first })
    }
}
