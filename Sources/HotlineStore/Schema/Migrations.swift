import Foundation
import GRDB

/// The schema's history: one list for both databases. Every migration has one name,
/// recorded in `schema_migrations` on SQLite and PostgreSQL alike, and its SQL for each; a
/// migration that has shipped is never edited, a change is a new one at the end.
///
/// The first entry, the baseline, is the schema as it stood when the two histories were
/// joined: SQLite's v1–v11 and PostgreSQL's v1–v3 build it, as they shipped, so a database
/// created by an earlier version finishes its own history and then goes on from here.
enum Migrations {
    /// One step after the baseline.
    struct Migration: Sendable {
        /// The name both databases record.
        let name: String
        /// What SQLite runs, in one transaction.
        let sqlite: String
        /// What PostgreSQL runs, in one transaction.
        let postgres: String
    }

    /// The baseline's name.
    static let baseline = "0001-baseline"

    /// The steps after the baseline, in order.
    static let steps: [Migration] = [
        // The two histories had drifted: SQLite lacked two indexes PostgreSQL has, and let an
        // audit entry go without its chain value. PostgreSQL already has all of this.
        Migration(
            name: "0002-sqlite-as-postgres",
            sqlite: """
                CREATE INDEX reports_received ON reports(received_at);
                DROP INDEX notice_events_notice;
                CREATE INDEX notice_events_notice ON notice_events(notice_id, at);
                CREATE TABLE audit_log_strict (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    at TEXT NOT NULL,
                    actor TEXT NOT NULL,
                    event TEXT NOT NULL,
                    subject TEXT,
                    detail TEXT NOT NULL,
                    chain TEXT NOT NULL
                );
                INSERT INTO audit_log_strict (seq, at, actor, event, subject, detail, chain) SELECT seq, at, actor, event, subject, detail, chain FROM audit_log ORDER BY seq;
                DROP TABLE audit_log;
                ALTER TABLE audit_log_strict RENAME TO audit_log;
                CREATE TRIGGER audit_log_append_only_update BEFORE UPDATE ON audit_log
                    BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
                CREATE TRIGGER audit_log_append_only_delete BEFORE DELETE ON audit_log
                    BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
                """,
            postgres: ""),
        // Reports stored and acknowledged whose decision waits for the gateway's own evidence
        // (fetched and hashed in memory): the fetch service claims them and decides each once.
        Migration(
            name: "0003-evidence-tasks",
            sqlite: """
                CREATE TABLE evidence_tasks (
                    report_id TEXT PRIMARY KEY NOT NULL,
                    case_id TEXT NOT NULL,
                    status TEXT NOT NULL CHECK (status IN ('pending', 'done')),
                    trusted INTEGER NOT NULL,
                    facts TEXT NOT NULL,
                    attempts INTEGER NOT NULL,
                    created_at TEXT NOT NULL,
                    lease_until TEXT,
                    done_at TEXT
                );
                CREATE INDEX evidence_tasks_pending ON evidence_tasks(created_at) WHERE status = 'pending';
                """,
            postgres: """
                CREATE TABLE evidence_tasks (
                    report_id TEXT PRIMARY KEY NOT NULL,
                    case_id TEXT NOT NULL,
                    status TEXT NOT NULL CHECK (status IN ('pending', 'done')),
                    trusted INTEGER NOT NULL,
                    facts TEXT NOT NULL,
                    attempts INTEGER NOT NULL,
                    created_at TEXT NOT NULL,
                    lease_until TEXT,
                    done_at TEXT
                );
                CREATE INDEX evidence_tasks_pending ON evidence_tasks(created_at) WHERE status = 'pending';
                """),
        // Who handed a report in, as the gateway established it (a token, the operator, a
        // mailbox); source_key becomes the submitter's scope for client ids.
        Migration(
            name: "0004-report-submitter",
            sqlite: "ALTER TABLE reports ADD COLUMN submitted_by TEXT;",
            postgres: "ALTER TABLE reports ADD COLUMN submitted_by TEXT;"),
        // Attempts at mail messages not yet handled: a message whose handling killed the
        // process is set aside instead of being tried at every poll.
        Migration(
            name: "0005-mail-attempts",
            sqlite: """
                CREATE TABLE mail_attempts (
                    mailbox TEXT NOT NULL,
                    message_key TEXT NOT NULL,
                    attempts INTEGER NOT NULL,
                    PRIMARY KEY (mailbox, message_key)
                ) WITHOUT ROWID;
                """,
            postgres: """
                CREATE TABLE mail_attempts (
                    mailbox TEXT NOT NULL,
                    message_key TEXT NOT NULL,
                    attempts INTEGER NOT NULL,
                    PRIMARY KEY (mailbox, message_key)
                );
                """),
        // Dashboard sessions: random ids in the cookie (stored hashed), revocable, expiring,
        // with a CSRF token; shared by every instance.
        Migration(
            name: "0006-dashboard-sessions",
            sqlite: """
                CREATE TABLE dashboard_sessions (
                    id_hash TEXT PRIMARY KEY NOT NULL,
                    token_id TEXT NOT NULL,
                    csrf TEXT NOT NULL,
                    created_at TEXT NOT NULL,
                    expires_at TEXT NOT NULL,
                    revoked_at TEXT
                );
                """,
            postgres: """
                CREATE TABLE dashboard_sessions (
                    id_hash TEXT PRIMARY KEY NOT NULL,
                    token_id TEXT NOT NULL,
                    csrf TEXT NOT NULL,
                    created_at TEXT NOT NULL,
                    expires_at TEXT NOT NULL,
                    revoked_at TEXT
                );
                """),
        // The analysts' workbench: what the gateway hashed per case (the verdicts' source),
        // verdicts under four eyes, who works which case, standing holds, a counter other
        // instances watch to reload the hash lists, and sessions' idle expiry.
        // The same SQL on both: nothing here differs between the dialects.
        Migration(name: "0007-workbench", sqlite: workbench, postgres: workbench),
        // Hosters' disputes of false matches, for the analysts.
        Migration(name: "0008-disputes", sqlite: disputes, postgres: disputes),
        // Hosters' own changes to their directory entries, approved by an operator, and
        // when each last confirmed its contact details.
        Migration(name: "0009-contact-changes", sqlite: contactChanges, postgres: contactChanges),
        // The published comply-or-explain list: hosters' explanations, the editions, and the
        // AS relationships that show who serves the listed hosters.
        Migration(name: "0010-publication", sqlite: publication, postgres: publication),
        // Hashes the gateway cannot compute (PhotoDNA from VICS files), kept for an external matcher.
        Migration(name: "0011-external-hashes", sqlite: externalHashes, postgres: externalHashes),
        // Listed videos: vPDQ frames per list entry, named by the SHA-256 of the frames.
        Migration(name: "0012-video-hashes", sqlite: videoHashes(listID: "INTEGER"), postgres: videoHashes(listID: "BIGINT")),
        // Hash-list sync: checkpoints with a lease, the entries read, their fingerprints, votes sent.
        Migration(name: "0013-hash-sync", sqlite: hashSync, postgres: hashSync),
    ]

    /// 0007: the tables of the analysts' workbench.
    static let workbench = """
        CREATE TABLE observed_hashes (
            case_id TEXT NOT NULL,
            algorithm TEXT NOT NULL CHECK (algorithm IN ('md5', 'sha1', 'sha256', 'pdq')),
            hash TEXT NOT NULL,
            quality INTEGER,
            report_id TEXT NOT NULL,
            media_url TEXT,
            observed_at TEXT NOT NULL,
            PRIMARY KEY (case_id, algorithm, hash)
        );
        CREATE TABLE verdicts (
            id TEXT PRIMARY KEY NOT NULL,
            case_id TEXT NOT NULL,
            decision_id TEXT NOT NULL,
            classification TEXT NOT NULL,
            hashes TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('pending', 'confirmed', 'rejected')),
            decided_by TEXT NOT NULL,
            decided_actor TEXT NOT NULL,
            created_at TEXT NOT NULL,
            reviewed_by TEXT,
            reviewed_actor TEXT,
            reviewed_at TEXT,
            review_reason TEXT
        );
        CREATE INDEX verdicts_status ON verdicts(status, created_at);
        CREATE INDEX verdicts_case ON verdicts(case_id);
        CREATE TABLE case_takes (
            case_id TEXT PRIMARY KEY NOT NULL,
            token_id TEXT NOT NULL,
            actor TEXT NOT NULL,
            taken_at TEXT NOT NULL,
            until TEXT NOT NULL
        );
        CREATE TABLE holds (
            id TEXT PRIMARY KEY NOT NULL,
            scope TEXT NOT NULL CHECK (scope IN ('domain', 'network', 'contact', 'case')),
            value TEXT NOT NULL,
            reason TEXT NOT NULL,
            police INTEGER NOT NULL,
            created_by TEXT NOT NULL,
            created_at TEXT NOT NULL,
            until TEXT NOT NULL,
            ended_at TEXT,
            ended_by TEXT
        );
        CREATE INDEX holds_open ON holds(until) WHERE ended_at IS NULL;
        CREATE TABLE store_generations (
            name TEXT PRIMARY KEY NOT NULL,
            value INTEGER NOT NULL
        );
        ALTER TABLE dashboard_sessions ADD COLUMN last_seen_at TEXT;
        """

    /// 0008: hosters' disputes.
    static let disputes = """
        CREATE TABLE disputes (
            id TEXT PRIMARY KEY NOT NULL,
            org TEXT NOT NULL,
            token_id TEXT NOT NULL,
            hashes TEXT NOT NULL,
            notice_id TEXT,
            lists TEXT NOT NULL,
            reason TEXT NOT NULL,
            evidence TEXT,
            status TEXT NOT NULL CHECK (status IN ('open', 'accepted', 'rejected')),
            created_at TEXT NOT NULL,
            decided_by TEXT,
            decided_at TEXT,
            decision_reason TEXT
        );
        CREATE INDEX disputes_org ON disputes(org, created_at);
        CREATE INDEX disputes_open ON disputes(created_at) WHERE status = 'open';
        """

    /// 0009: hosters' contact changes and confirmations.
    static let contactChanges = """
        CREATE TABLE contact_changes (
            id TEXT PRIMARY KEY NOT NULL,
            org TEXT NOT NULL,
            token_id TEXT NOT NULL,
            abuse TEXT NOT NULL,
            webhook TEXT,
            language TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
            created_at TEXT NOT NULL,
            decided_by TEXT,
            decided_at TEXT,
            reason TEXT
        );
        CREATE INDEX contact_changes_org ON contact_changes(org, created_at);
        CREATE TABLE contact_confirmations (
            org TEXT PRIMARY KEY NOT NULL,
            confirmed_at TEXT,
            reminded_at TEXT
        );
        """

    /// 0010: explanations, publications and AS relationships.
    static let publication = """
        CREATE TABLE explanations (
            id TEXT PRIMARY KEY NOT NULL,
            org TEXT NOT NULL,
            token_id TEXT NOT NULL,
            period_start TEXT NOT NULL,
            period_end TEXT NOT NULL,
            text TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('pending', 'accepted', 'rejected')),
            created_at TEXT NOT NULL,
            decided_by TEXT,
            decided_at TEXT,
            decision_reason TEXT
        );
        CREATE INDEX explanations_org ON explanations(org, created_at);
        CREATE TABLE publications (
            version INTEGER PRIMARY KEY NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('review', 'published', 'withdrawn')),
            since TEXT NOT NULL,
            until TEXT NOT NULL,
            created_at TEXT NOT NULL,
            review_until TEXT NOT NULL,
            published_at TEXT,
            manifest_sha256 TEXT,
            listed TEXT NOT NULL
        );
        CREATE TABLE as_relationships (
            first_asn BIGINT NOT NULL,
            second_asn BIGINT NOT NULL,
            relation INTEGER NOT NULL CHECK (relation IN (-1, 0)),
            PRIMARY KEY (first_asn, second_asn)
        );
        CREATE INDEX as_relationships_customer ON as_relationships(second_asn) WHERE relation = -1;
        """

    /// 0011: hashes for external matchers.
    static let externalHashes = """
        CREATE TABLE external_hashes (
            list TEXT NOT NULL,
            algorithm TEXT NOT NULL CHECK (algorithm IN ('photodna')),
            value TEXT NOT NULL,
            classification TEXT,
            added_at TEXT NOT NULL,
            PRIMARY KEY (list, algorithm, value)
        );
        CREATE INDEX external_hashes_value ON external_hashes(algorithm, value);
        """

    /// 0012: one row per listed video per list; a retraction is kept, as for hashes.
    static func videoHashes(listID type: String) -> String {
        """
        CREATE TABLE video_hashes (
            list_id \(type) NOT NULL REFERENCES hash_lists(id),
            id TEXT NOT NULL,
            signal TEXT NOT NULL,
            frames INTEGER NOT NULL,
            classification TEXT,
            added_at TEXT NOT NULL,
            retracted_at TEXT,
            retraction_reason TEXT,
            PRIMARY KEY (list_id, id)
        );
        CREATE INDEX video_hashes_id ON video_hashes(id);
        """
    }

    /// 0013: what a sync of each source has read, and what it sent back.
    static let hashSync = """
        CREATE TABLE sync_checkpoints (
            source TEXT PRIMARY KEY NOT NULL,
            synced_to TEXT,
            resume_from TEXT,
            resume_to TEXT,
            resume_next TEXT,
            lease_owner TEXT,
            lease_until TEXT,
            updated_at TEXT NOT NULL
        );
        CREATE TABLE sync_entries (
            source TEXT NOT NULL,
            entry_key TEXT NOT NULL,
            entry_id TEXT NOT NULL,
            member INTEGER NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('image', 'video')),
            classification TEXT,
            deleted INTEGER NOT NULL DEFAULT 0,
            fingerprints TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (source, entry_key)
        );
        CREATE TABLE sync_fingerprints (
            source TEXT NOT NULL,
            entry_key TEXT NOT NULL,
            fingerprint TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (source, entry_key, fingerprint)
        );
        CREATE INDEX sync_fingerprints_value ON sync_fingerprints(source, fingerprint, value);
        CREATE TABLE sync_votes (
            source TEXT NOT NULL,
            entry_key TEXT NOT NULL,
            fingerprint TEXT NOT NULL,
            vote TEXT NOT NULL CHECK (vote IN ('upvote', 'downvote')),
            sent_at TEXT NOT NULL,
            PRIMARY KEY (source, entry_key, fingerprint)
        );
        """

    /// Every name, in order.
    static var names: [String] { [baseline] + steps.map(\.name) }

    static let createTable = "CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY NOT NULL, applied_at TEXT NOT NULL)"

    /// Brings a SQLite database up to date.
    static func migrate(_ pool: DatabasePool) throws {
        try pool.write { try $0.execute(sql: createTable) }
        let applied = Set(try pool.read { try String.fetchAll($0, sql: "SELECT name FROM schema_migrations") })
        if !applied.contains(baseline) {
            try SQLiteMigrations.migrator.migrate(pool)
            try pool.write { try record(baseline, in: $0) }
        }
        for step in steps where !applied.contains(step.name) {
            try pool.write { db in
                if !step.sqlite.isEmpty { try db.execute(sql: step.sqlite) }
                try record(step.name, in: db)
            }
        }
    }

    private static func record(_ name: String, in db: Database) throws {
        try db.execute(sql: "INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)", arguments: [name, StoredDate.text(Date())])
    }

    /// Brings a PostgreSQL database up to date, under an advisory lock so that instances
    /// starting together migrate once.
    static func migrate(_ session: PostgresSession) throws {
        try session.execute("SELECT pg_advisory_lock(?)", [.integer(PostgresMigrations.lockKey)])
        defer { _ = try? session.execute("SELECT pg_advisory_unlock(?)", [.integer(PostgresMigrations.lockKey)]) }
        try session.script(createTable)
        var applied = Set(try session.rows("SELECT name FROM schema_migrations").map { try $0.text("name") })
        if !applied.contains(baseline) {
            // The history before the baseline, as it shipped (it recorded its own names here).
            for (name, sql) in PostgresMigrations.all where !applied.contains(name) {
                try transaction(session) {
                    try session.script(sql)
                    try session.execute("INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)", [.text(name), .text(StoredDate.text(Date()))])
                }
            }
            try transaction(session) {
                try session.execute("DELETE FROM schema_migrations WHERE name IN (\(PostgresMigrations.all.map { "'\($0.0)'" }.joined(separator: ", ")))", [])
                try session.execute("INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)", [.text(baseline), .text(StoredDate.text(Date()))])
            }
            applied = [baseline]
        }
        for step in steps where !applied.contains(step.name) {
            try transaction(session) {
                if !step.postgres.isEmpty { try session.script(step.postgres) }
                try session.execute("INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)", [.text(step.name), .text(StoredDate.text(Date()))])
            }
        }
    }

    private static func transaction(_ session: PostgresSession, _ body: () throws -> Void) throws {
        try session.script("BEGIN")
        do {
            try body()
            try session.script("COMMIT")
        } catch {
            _ = try? session.script("ROLLBACK")
            throw error
        }
    }
}
