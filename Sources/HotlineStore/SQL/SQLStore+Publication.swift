import Foundation
import HotlineCore

extension SQLStore {
    static func explanation(_ row: some SQLRow) throws -> HosterExplanation {
        HosterExplanation(
            id: try row.text("id"), org: try row.text("org"), tokenID: try row.text("token_id"), periodStart: StoredDate.date(try row.text("period_start")),
            periodEnd: StoredDate.date(try row.text("period_end")), text: try row.text("text"),
            status: HosterExplanation.Status(rawValue: try row.text("status")) ?? .pending, createdAt: StoredDate.date(try row.text("created_at")),
            decidedBy: try row.optionalText("decided_by"), decidedAt: try row.optionalText("decided_at").map(StoredDate.date),
            decisionReason: try row.optionalText("decision_reason"))
    }

    /// Stores an explanation with its audit entry.
    public func insertExplanation(_ explanation: HosterExplanation, audit: AuditEntry) throws {
        try writing { db in
            try db.execute(
                """
                INSERT INTO explanations (id, org, token_id, period_start, period_end, text, status, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """,
                [
                    .text(explanation.id), .text(explanation.org), .text(explanation.tokenID), .text(StoredDate.text(explanation.periodStart)),
                    .text(StoredDate.text(explanation.periodEnd)), .text(explanation.text), .text(explanation.status.rawValue),
                    .text(StoredDate.text(explanation.createdAt)),
                ])
            try AuditRow(audit).insert(db)
        }
    }

    /// One by id.
    public func explanation(id: String) throws -> HosterExplanation? {
        try reading { try $0.row("SELECT * FROM explanations WHERE id = ?", [.text(id)]).map(Self.explanation) }
    }

    /// Those of an organisation, in a state, oldest first.
    public func explanations(org: String?, status: HosterExplanation.Status?, limit: Int) throws -> [HosterExplanation] {
        let (filter, values) = SQLFilter.equal(["org": org, "status": status?.rawValue])
        return try reading {
            try $0.rows("SELECT * FROM explanations \(filter) ORDER BY created_at, id LIMIT ?", values + [.int(limit)]).map(Self.explanation)
        }
    }

    /// Decides a pending explanation, once across instances.
    public func decideExplanation(_ explanation: HosterExplanation, audit: AuditEntry) throws -> Bool {
        try writing { db in
            guard
                try db.execute(
                    "UPDATE explanations SET status = ?, decided_by = ?, decided_at = ?, decision_reason = ? WHERE id = ? AND status = 'pending'",
                    [
                        .text(explanation.status.rawValue), .optional(explanation.decidedBy), .optional(explanation.decidedAt.map(StoredDate.text)),
                        .optional(explanation.decisionReason), .text(explanation.id),
                    ]) == 1
            else { return false }
            try AuditRow(audit).insert(db)
            return true
        }
    }

    static func publication(_ row: some SQLRow) throws -> Publication {
        Publication(
            version: try row.integer("version"), status: Publication.Status(rawValue: try row.text("status")) ?? .withdrawn,
            since: StoredDate.date(try row.text("since")), until: StoredDate.date(try row.text("until")),
            createdAt: StoredDate.date(try row.text("created_at")), reviewUntil: StoredDate.date(try row.text("review_until")),
            publishedAt: try row.optionalText("published_at").map(StoredDate.date), manifestSHA256: try row.optionalText("manifest_sha256"),
            listed: try row.text("listed").split(separator: ",").map(String.init))
    }

    /// Every publication, newest first.
    public func publications() throws -> [Publication] {
        try reading { try $0.rows("SELECT * FROM publications ORDER BY version DESC", []).map(Self.publication) }
    }

    /// Stores a draft, withdrawing any other in review; `false` when the version is taken.
    public func insertPublication(_ publication: Publication, audit: AuditEntry) throws -> Bool {
        try writing { db in
            guard try db.row("SELECT version FROM publications WHERE version = ?", [.int(publication.version)]) == nil else { return false }
            try db.execute("UPDATE publications SET status = 'withdrawn' WHERE status = 'review'", [])
            try db.execute(
                """
                INSERT INTO publications (version, status, since, until, created_at, review_until, listed)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """,
                [
                    .int(publication.version), .text(publication.status.rawValue), .text(StoredDate.text(publication.since)),
                    .text(StoredDate.text(publication.until)), .text(StoredDate.text(publication.createdAt)),
                    .text(StoredDate.text(publication.reviewUntil)), .text(publication.listed.joined(separator: ",")),
                ])
            try AuditRow(audit).insert(db)
            return true
        }
    }

    /// Marks a draft published, once.
    public func markPublished(version: Int, at date: Date, manifestSHA256: String, audit: AuditEntry) throws -> Bool {
        try writing { db in
            guard
                try db.execute(
                    "UPDATE publications SET status = 'published', published_at = ?, manifest_sha256 = ? WHERE version = ? AND status = 'review'",
                    [.text(StoredDate.text(date)), .text(manifestSHA256), .int(version)]) == 1
            else { return false }
            try AuditRow(audit).insert(db)
            return true
        }
    }

    /// Replaces every AS relationship, 500 rows per statement.
    public func replaceASRelationships(_ relationships: [ASRelationship], source: String, audit: AuditEntry) throws {
        // A file may state a pair twice (serial-2 lists sources); the last line wins.
        var unique: [String: ASRelationship] = [:]
        for relationship in relationships { unique["\(relationship.first)|\(relationship.second)"] = relationship }
        let rows = Array(unique.values)
        try writing { db in
            try db.execute("DELETE FROM as_relationships", [])
            var start = 0
            while start < rows.count {
                let chunk = rows[start..<min(rows.count, start + 500)]
                let placeholders = Array(repeating: "(?, ?, ?)", count: chunk.count).joined(separator: ", ")
                try db.execute(
                    "INSERT INTO as_relationships (first_asn, second_asn, relation) VALUES \(placeholders)",
                    chunk.flatMap { [SQLValue.int($0.first), .int($0.second), .int($0.kind.rawValue)] })
                start += 500
            }
            try AuditRow(audit).insert(db)
        }
    }

    /// The providers of each AS asked about.
    public func upstreams(of asns: [Int]) throws -> [Int: [Int]] {
        guard !asns.isEmpty else { return [:] }
        var result: [Int: [Int]] = [:]
        try reading { db in
            for asn in Set(asns) {
                let providers = try db.rows(
                    "SELECT first_asn FROM as_relationships WHERE second_asn = ? AND relation = -1 ORDER BY first_asn", [.int(asn)]
                ).map { try $0.integer("first_asn") }
                if !providers.isEmpty { result[asn] = providers }
            }
        }
        return result
    }

    /// How many relationships are stored.
    public func asRelationshipCount() throws -> Int {
        try reading { try $0.row("SELECT COUNT(*) AS n FROM as_relationships", [])?.integer("n") ?? 0 }
    }
}

extension SQLStore {
    /// Adds PhotoDNA (and later other) values to a list; returns how many were new.
    public func importExternalHashes(_ entries: [ExternalHashEntry], into list: String, at date: Date) throws -> Int {
        try writing { db in
            var added = 0
            for entry in entries {
                let exists =
                    try db.row(
                        "SELECT 1 AS one FROM external_hashes WHERE list = ? AND algorithm = ? AND value = ?",
                        [.text(list), .text(entry.algorithm.rawValue), .text(entry.value)]) != nil
                try db.execute(
                    """
                    INSERT INTO external_hashes (list, algorithm, value, classification, added_at) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (list, algorithm, value) DO UPDATE SET classification = excluded.classification
                    """,
                    [
                        .text(list), .text(entry.algorithm.rawValue), .text(entry.value), .optional(entry.classification?.rawValue),
                        .text(StoredDate.text(date)),
                    ])
                if !exists { added += 1 }
            }
            return added
        }
    }

    /// Stored values per `list/algorithm`.
    public func externalHashCounts() throws -> [String: Int] {
        try reading { db in
            var counts: [String: Int] = [:]
            for row in try db.rows("SELECT list, algorithm, COUNT(*) AS n FROM external_hashes GROUP BY list, algorithm", []) {
                counts["\(try row.text("list"))/\(try row.text("algorithm"))"] = try row.integer("n")
            }
            return counts
        }
    }

    /// The lists holding `value`.
    public func externalHashLists(_ algorithm: ExternalHashEntry.Algorithm, _ value: String) throws -> [String] {
        try reading {
            try $0.rows(
                "SELECT list FROM external_hashes WHERE algorithm = ? AND value = ? ORDER BY list", [.text(algorithm.rawValue), .text(value)]
            ).map { try $0.text("list") }
        }
    }
}
