import GRDB

/// SQLite's history up to the baseline of ``Migrations``, as it shipped (GRDB records these
/// names in `grdb_migrations`). New changes go in ``Migrations/steps``, with both databases' SQL.
///
/// Timestamps are TEXT in UTC RFC 3339 with milliseconds (see `StoredDate`).
enum SQLiteMigrations {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-reports-cases-decisions-audit") { db in
            try db.execute(
                sql: """
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
        migrator.registerMigration("v2-hash-lists") { db in
            try db.execute(
                sql: """
                    CREATE TABLE hash_lists (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        name TEXT NOT NULL UNIQUE,
                        source TEXT NOT NULL,
                        default_classification TEXT NOT NULL,
                        enabled INTEGER NOT NULL DEFAULT 1,
                        created_at TEXT NOT NULL,
                        updated_at TEXT NOT NULL
                    );
                    -- One row per hash per list; a retraction (false positive) is kept, not deleted,
                    -- so a re-import cannot bring the hash back silently.
                    CREATE TABLE hash_entries (
                        list_id INTEGER NOT NULL REFERENCES hash_lists(id),
                        algorithm TEXT NOT NULL CHECK (algorithm IN ('md5', 'sha1', 'sha256', 'pdq')),
                        hash TEXT NOT NULL,
                        classification TEXT,
                        added_at TEXT NOT NULL,
                        retracted_at TEXT,
                        retraction_reason TEXT,
                        PRIMARY KEY (list_id, algorithm, hash)
                    ) WITHOUT ROWID;
                    CREATE INDEX hash_entries_value ON hash_entries(algorithm, hash);
                    CREATE TABLE hash_allowlist (
                        algorithm TEXT NOT NULL,
                        hash TEXT NOT NULL,
                        reason TEXT NOT NULL,
                        added_at TEXT NOT NULL,
                        PRIMARY KEY (algorithm, hash)
                    ) WITHOUT ROWID;
                    """)
        }
        migrator.registerMigration("v3-case-urls-and-content-hashes") { db in
            try db.execute(
                sql: """
                    -- A case keeps every URL its reports named, and the content hashes they carried,
                    -- so the same content under another URL joins the open case.
                    CREATE TABLE case_urls (
                        case_id TEXT NOT NULL REFERENCES cases(id),
                        url TEXT NOT NULL,
                        PRIMARY KEY (case_id, url)
                    ) WITHOUT ROWID;
                    CREATE INDEX case_urls_url ON case_urls(url);
                    INSERT INTO case_urls (case_id, url) SELECT id, url FROM cases;
                    CREATE TABLE case_hashes (
                        case_id TEXT NOT NULL REFERENCES cases(id),
                        algorithm TEXT NOT NULL,
                        hash TEXT NOT NULL,
                        PRIMARY KEY (case_id, algorithm, hash)
                    ) WITHOUT ROWID;
                    CREATE INDEX case_hashes_value ON case_hashes(algorithm, hash);
                    """)
        }
        migrator.registerMigration("v4-case-urls-hold-added-urls-only") { db in
            // A case's first URL is cases.url; case_urls keeps the URLs added later. The
            // rows v3 copied from cases.url are redundant, and so is the plain url index
            // (the partial unique index answers open-case lookups).
            try db.execute(
                sql: """
                    DELETE FROM case_urls WHERE EXISTS (SELECT 1 FROM cases WHERE cases.id = case_urls.case_id AND cases.url = case_urls.url);
                    DROP INDEX cases_url;
                    """)
        }
        migrator.registerMigration("v5-ip-ranges") { db in
            try db.execute(
                sql: """
                    -- Imported IP-to-network tables, one set of rows per source, replaced on re-import.
                    CREATE TABLE ip_ranges (
                        source TEXT NOT NULL,
                        start_address TEXT NOT NULL,
                        end_address TEXT NOT NULL,
                        asn INTEGER,
                        country TEXT,
                        description TEXT
                    );
                    CREATE INDEX ip_ranges_source ON ip_ranges(source);
                    """)
        }
        migrator.registerMigration("v6-dispatch-notices-outbox") { db in
            try db.execute(
                sql: """
                    -- Actions decided and not yet in a notice; written in the decision's transaction.
                    CREATE TABLE dispatch_items (
                        id TEXT PRIMARY KEY NOT NULL,
                        report_id TEXT NOT NULL,
                        case_id TEXT NOT NULL,
                        decision_id TEXT NOT NULL,
                        kind TEXT NOT NULL CHECK (kind IN ('notify', 'forward')),
                        target TEXT NOT NULL,
                        batch_key TEXT NOT NULL,
                        status TEXT NOT NULL CHECK (status IN ('waiting', 'held', 'batched', 'moved')),
                        url TEXT NOT NULL,
                        created_at TEXT NOT NULL,
                        due_at TEXT NOT NULL,
                        notice_id TEXT,
                        body TEXT NOT NULL
                    );
                    CREATE INDEX dispatch_items_open ON dispatch_items(status, due_at) WHERE status IN ('waiting', 'held');
                    CREATE INDEX dispatch_items_case ON dispatch_items(case_id);

                    CREATE TABLE notices (
                        id TEXT PRIMARY KEY NOT NULL,
                        reference TEXT NOT NULL UNIQUE,
                        kind TEXT NOT NULL,
                        target TEXT NOT NULL,
                        recipient TEXT NOT NULL,
                        channel TEXT NOT NULL,
                        status TEXT NOT NULL,
                        created_at TEXT NOT NULL,
                        sent_at TEXT,
                        deadline TEXT,
                        removed_at TEXT,
                        reminders INTEGER NOT NULL,
                        next_due_at TEXT,
                        hoster_org TEXT,
                        hoster_asn INTEGER,
                        hoster_country TEXT,
                        body TEXT NOT NULL
                    );
                    CREATE INDEX notices_due ON notices(next_due_at) WHERE next_due_at IS NOT NULL;
                    CREATE INDEX notices_status ON notices(status, created_at);

                    CREATE TABLE notice_items (
                        notice_id TEXT NOT NULL REFERENCES notices(id),
                        position INTEGER NOT NULL,
                        item_id TEXT NOT NULL,
                        report_id TEXT NOT NULL,
                        case_id TEXT NOT NULL,
                        url TEXT NOT NULL,
                        state TEXT NOT NULL CHECK (state IN ('online', 'removed')),
                        removed_at TEXT,
                        body TEXT NOT NULL,
                        PRIMARY KEY (notice_id, position)
                    ) WITHOUT ROWID;
                    CREATE INDEX notice_items_case ON notice_items(case_id);

                    -- Rendered messages: a retry sends the same bytes, Message-ID and idempotency key.
                    CREATE TABLE outbox (
                        id TEXT PRIMARY KEY NOT NULL,
                        notice_id TEXT NOT NULL REFERENCES notices(id),
                        purpose TEXT NOT NULL,
                        channel TEXT NOT NULL CHECK (channel IN ('email', 'webhook')),
                        destinations TEXT NOT NULL,
                        sender TEXT NOT NULL,
                        message_id TEXT UNIQUE,
                        secret_env TEXT,
                        payload BLOB NOT NULL,
                        status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
                        attempts INTEGER NOT NULL,
                        next_attempt_at TEXT NOT NULL,
                        last_error TEXT,
                        delivered_at TEXT,
                        receipt TEXT,
                        created_at TEXT NOT NULL
                    );
                    CREATE INDEX outbox_due ON outbox(next_attempt_at) WHERE status = 'pending';
                    CREATE INDEX outbox_notice ON outbox(notice_id);

                    -- What happened to each notice and what the rules decided about it: append-only.
                    CREATE TABLE notice_events (
                        id TEXT PRIMARY KEY NOT NULL,
                        notice_id TEXT NOT NULL REFERENCES notices(id),
                        event TEXT NOT NULL,
                        at TEXT NOT NULL,
                        rule TEXT,
                        actions TEXT,
                        facts TEXT,
                        rules_digest TEXT,
                        detail TEXT NOT NULL
                    );
                    CREATE INDEX notice_events_notice ON notice_events(notice_id);
                    CREATE TRIGGER notice_events_append_only_update BEFORE UPDATE ON notice_events
                        BEGIN SELECT RAISE(ABORT, 'notice events are append-only'); END;
                    CREATE TRIGGER notice_events_append_only_delete BEFORE DELETE ON notice_events
                        BEGIN SELECT RAISE(ABORT, 'notice events are append-only'); END;
                    """)
        }
        migrator.registerMigration("v7-api-tokens-queue") { db in
            try db.execute(
                sql: """
                    -- API bearer tokens: only a SHA-256 of the secret is kept.
                    CREATE TABLE api_tokens (
                        id TEXT PRIMARY KEY NOT NULL,
                        token_hash TEXT NOT NULL UNIQUE,
                        role TEXT NOT NULL CHECK (role IN ('reporter', 'provider', 'analyst', 'admin')),
                        org TEXT,
                        label TEXT,
                        created_at TEXT NOT NULL,
                        revoked_at TEXT
                    );
                    -- The analysts' queue reads a case's latest decision; providers read their notices.
                    CREATE INDEX decisions_case ON decisions(case_id);
                    ALTER TABLE notices ADD COLUMN contact_id TEXT;
                    ALTER TABLE notices ADD COLUMN escalated_to TEXT;
                    CREATE INDEX notices_contact ON notices(contact_id, created_at);
                    CREATE INDEX notices_escalated ON notices(escalated_to) WHERE escalated_to IS NOT NULL;
                    """)
        }
        migrator.registerMigration("v8-monitor") { db in
            try db.execute(
                sql: """
                    -- Removal statistics read notices by delivery time and hoster.
                    ALTER TABLE notices ADD COLUMN acknowledged_at TEXT;
                    CREATE INDEX notices_sent ON notices(sent_at) WHERE sent_at IS NOT NULL;
                    """)
        }
        migrator.registerMigration("v9-mail") { db in
            try db.execute(
                sql: """
                    -- Every mail message the gateway used or set aside, so a message is handled once
                    -- even when a crash left it unflagged in the mailbox.
                    CREATE TABLE mail_log (
                        mailbox TEXT NOT NULL,
                        message_key TEXT NOT NULL,
                        uid INTEGER NOT NULL,
                        sender TEXT,
                        outcome TEXT NOT NULL,
                        detail TEXT NOT NULL,
                        handled_at TEXT NOT NULL,
                        PRIMARY KEY (mailbox, message_key)
                    ) WITHOUT ROWID;
                    -- Delivery history per recipient address, from bounces.
                    CREATE TABLE address_health (
                        address TEXT PRIMARY KEY NOT NULL,
                        bounces INTEGER NOT NULL,
                        last_bounce_at TEXT,
                        last_status TEXT
                    ) WITHOUT ROWID;
                    """)
        }
        migrator.registerMigration("v10-audit-chain") { db in
            // Each entry carries the SHA-256 of the previous entry's chain value and its own
            // fields, so an edited or removed entry breaks the chain (`hotline audit verify`).
            try db.execute(
                sql: """
                    ALTER TABLE audit_log ADD COLUMN chain TEXT;
                    DROP TRIGGER audit_log_append_only_update;
                    """)
            var previous = ""
            for row in try Row.fetchAll(db, sql: "SELECT seq, at, actor, event, subject, detail FROM audit_log ORDER BY seq") {
                let seq: Int64 = row[0]
                previous = AuditChain.link(previous: previous, seq: seq, at: row[1], actor: row[2], event: row[3], subject: row[4], detail: row[5])
                try db.execute(sql: "UPDATE audit_log SET chain = ? WHERE seq = ?", arguments: [previous, seq])
            }
            try db.execute(
                sql: """
                    CREATE TRIGGER audit_log_append_only_update BEFORE UPDATE ON audit_log
                        BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
                    """)
        }
        migrator.registerMigration("v11-claim-leases") { db in
            // Workers claim due messages and notices for a while (several processes on one file,
            // like `hotline serve` beside `hotline work`, or several instances on PostgreSQL).
            try db.execute(
                sql: """
                    ALTER TABLE notices ADD COLUMN lease_until TEXT;
                    ALTER TABLE outbox ADD COLUMN lease_until TEXT;
                    """)
        }
        return migrator
    }
}
