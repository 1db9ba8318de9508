import GRDB

/// The SQLite schema, as append-only migrations: a released migration is never edited; a
/// change is a new migration.
///
/// Timestamps are TEXT in UTC RFC 3339 with milliseconds (see `StoredDate`).
enum SQLiteMigrations {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-reports-cases-decisions-audit") { db in
            try db.execute(sql: """
                CREATE TABLE cases (
                    id TEXT PRIMARY KEY NOT NULL,
                    url TEXT NOT NULL,
                    status TEXT NOT NULL CHECK (status IN ('open', 'closed')),
                    opened_at TEXT NOT NULL,
                    closed_at TEXT,
                    report_count INTEGER NOT NULL,
                    first_report_id TEXT NOT NULL
                );
                -- One open case per canonical URL: a new report for it is a duplicate.
                CREATE UNIQUE INDEX cases_open_url ON cases(url) WHERE status = 'open';
                CREATE INDEX cases_url ON cases(url);

                CREATE TABLE reports (
                    id TEXT PRIMARY KEY NOT NULL,
                    case_id TEXT NOT NULL REFERENCES cases(id),
                    client_id TEXT,
                    source_key TEXT NOT NULL,
                    url TEXT NOT NULL,
                    original_url TEXT NOT NULL,
                    host TEXT NOT NULL,
                    received_at TEXT NOT NULL,
                    source_type TEXT NOT NULL,
                    source_name TEXT,
                    media_type TEXT,
                    classification TEXT,
                    md5 TEXT, sha1 TEXT, sha256 TEXT, pdq TEXT,
                    comment TEXT
                );
                -- The same client id from the same source is the same report.
                CREATE UNIQUE INDEX reports_client_id ON reports(source_key, client_id) WHERE client_id IS NOT NULL;
                CREATE INDEX reports_case ON reports(case_id);

                -- Personal data apart, so that it can be purged on its own schedule and is never
                -- read by anything that builds notices.
                CREATE TABLE reporter_contacts (
                    report_id TEXT PRIMARY KEY NOT NULL REFERENCES reports(id),
                    contact TEXT NOT NULL,
                    stored_at TEXT NOT NULL
                );

                CREATE TABLE decisions (
                    id TEXT PRIMARY KEY NOT NULL,
                    report_id TEXT NOT NULL REFERENCES reports(id),
                    case_id TEXT NOT NULL REFERENCES cases(id),
                    trigger TEXT NOT NULL,
                    rule TEXT NOT NULL,
                    outcome TEXT NOT NULL,
                    actions TEXT NOT NULL,
                    matched_rules TEXT NOT NULL,
                    trace TEXT NOT NULL,
                    facts TEXT NOT NULL,
                    rules_digest TEXT NOT NULL,
                    decided_at TEXT NOT NULL
                );
                CREATE INDEX decisions_report ON decisions(report_id);

                CREATE TABLE audit_log (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    at TEXT NOT NULL,
                    actor TEXT NOT NULL,
                    event TEXT NOT NULL,
                    subject TEXT,
                    detail TEXT NOT NULL
                );

                -- Decisions and the audit log are records for regulators and courts: append-only.
                CREATE TRIGGER decisions_append_only_update BEFORE UPDATE ON decisions
                    BEGIN SELECT RAISE(ABORT, 'decisions are append-only'); END;
                CREATE TRIGGER decisions_append_only_delete BEFORE DELETE ON decisions
                    BEGIN SELECT RAISE(ABORT, 'decisions are append-only'); END;
                CREATE TRIGGER audit_log_append_only_update BEFORE UPDATE ON audit_log
                    BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
                CREATE TRIGGER audit_log_append_only_delete BEFORE DELETE ON audit_log
                    BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
                """)
        }
        return migrator
    }
}
