import Foundation

/// PostgreSQL's history up to the baseline of ``Migrations``, as it shipped: the same tables,
/// columns and constraints as SQLite's (dates as RFC 3339 text, JSON bodies as text), so the
/// same queries read both. New changes go in ``Migrations/steps``, with both databases' SQL.
enum PostgresMigrations {
    /// Key of the advisory lock held while migrating.
    static let lockKey: Int64 = 0x486f_746c_696e_6531

    /// (name, SQL) in order, as they shipped.
    static let all: [(String, String)] = [
        (
            "v1-reports-cases-decisions-audit",
            """
            CREATE TABLE cases (
                id TEXT PRIMARY KEY,
                url TEXT NOT NULL,
                status TEXT NOT NULL CHECK (status IN ('open', 'closed')),
                opened_at TEXT NOT NULL,
                closed_at TEXT,
                report_count INTEGER NOT NULL,
                first_report_id TEXT NOT NULL
            );
            CREATE UNIQUE INDEX cases_open_url ON cases(url) WHERE status = 'open';
            CREATE TABLE case_urls (
                case_id TEXT NOT NULL REFERENCES cases(id),
                url TEXT NOT NULL,
                PRIMARY KEY (case_id, url)
            );
            CREATE INDEX case_urls_url ON case_urls(url);
            CREATE TABLE case_hashes (
                case_id TEXT NOT NULL REFERENCES cases(id),
                algorithm TEXT NOT NULL,
                hash TEXT NOT NULL,
                PRIMARY KEY (case_id, algorithm, hash)
            );
            CREATE INDEX case_hashes_value ON case_hashes(algorithm, hash);
            CREATE TABLE reports (
                id TEXT PRIMARY KEY,
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
            CREATE UNIQUE INDEX reports_client_id ON reports(source_key, client_id) WHERE client_id IS NOT NULL;
            CREATE INDEX reports_case ON reports(case_id);
            CREATE TABLE reporter_contacts (
                report_id TEXT PRIMARY KEY REFERENCES reports(id),
                contact TEXT NOT NULL,
                stored_at TEXT NOT NULL
            );
            CREATE TABLE decisions (
                seq BIGSERIAL UNIQUE,
                id TEXT PRIMARY KEY,
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
            CREATE INDEX decisions_case ON decisions(case_id);
            CREATE TABLE audit_log (
                seq BIGINT PRIMARY KEY,
                at TEXT NOT NULL,
                actor TEXT NOT NULL,
                event TEXT NOT NULL,
                subject TEXT,
                detail TEXT NOT NULL,
                chain TEXT NOT NULL
            );
            CREATE FUNCTION hotline_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$;
            CREATE TRIGGER decisions_append_only BEFORE UPDATE OR DELETE ON decisions FOR EACH ROW EXECUTE FUNCTION hotline_append_only();
            CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION hotline_append_only();
            """
        ),
        (
            "v2-dispatch-notices-outbox",
            """
            CREATE TABLE dispatch_items (
                seq BIGSERIAL UNIQUE,
                id TEXT PRIMARY KEY,
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
                seq BIGSERIAL UNIQUE,
                id TEXT PRIMARY KEY,
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
                hoster_asn BIGINT,
                hoster_country TEXT,
                body TEXT NOT NULL,
                contact_id TEXT,
                escalated_to TEXT,
                acknowledged_at TEXT,
                lease_until TEXT
            );
            CREATE INDEX notices_due ON notices(next_due_at) WHERE next_due_at IS NOT NULL;
            CREATE INDEX notices_status ON notices(status, created_at);
            CREATE INDEX notices_sent ON notices(sent_at) WHERE sent_at IS NOT NULL;
            CREATE INDEX notices_contact ON notices(contact_id, created_at);
            CREATE INDEX notices_escalated ON notices(escalated_to) WHERE escalated_to IS NOT NULL;
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
            );
            CREATE INDEX notice_items_case ON notice_items(case_id);
            CREATE TABLE outbox (
                id TEXT PRIMARY KEY,
                notice_id TEXT NOT NULL REFERENCES notices(id),
                purpose TEXT NOT NULL,
                channel TEXT NOT NULL CHECK (channel IN ('email', 'webhook')),
                destinations TEXT NOT NULL,
                sender TEXT NOT NULL,
                message_id TEXT UNIQUE,
                secret_env TEXT,
                payload BYTEA NOT NULL,
                status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
                attempts INTEGER NOT NULL,
                next_attempt_at TEXT NOT NULL,
                last_error TEXT,
                delivered_at TEXT,
                receipt TEXT,
                created_at TEXT NOT NULL,
                lease_until TEXT
            );
            CREATE INDEX outbox_due ON outbox(next_attempt_at) WHERE status = 'pending';
            CREATE INDEX outbox_notice ON outbox(notice_id);
            CREATE TABLE notice_events (
                seq BIGSERIAL UNIQUE,
                id TEXT PRIMARY KEY,
                notice_id TEXT NOT NULL REFERENCES notices(id),
                event TEXT NOT NULL,
                at TEXT NOT NULL,
                rule TEXT,
                actions TEXT,
                facts TEXT,
                rules_digest TEXT,
                detail TEXT NOT NULL
            );
            CREATE INDEX notice_events_notice ON notice_events(notice_id, at);
            CREATE TRIGGER notice_events_append_only BEFORE UPDATE OR DELETE ON notice_events FOR EACH ROW EXECUTE FUNCTION hotline_append_only();
            """
        ),
        (
            "v3-hash-lists-ip-ranges-tokens-mail",
            """
            CREATE TABLE hash_lists (
                id BIGSERIAL PRIMARY KEY,
                name TEXT NOT NULL UNIQUE,
                source TEXT NOT NULL,
                default_classification TEXT NOT NULL,
                enabled INTEGER NOT NULL DEFAULT 1,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL
            );
            CREATE TABLE hash_entries (
                list_id BIGINT NOT NULL REFERENCES hash_lists(id),
                algorithm TEXT NOT NULL CHECK (algorithm IN ('md5', 'sha1', 'sha256', 'pdq')),
                hash TEXT NOT NULL,
                classification TEXT,
                added_at TEXT NOT NULL,
                retracted_at TEXT,
                retraction_reason TEXT,
                PRIMARY KEY (list_id, algorithm, hash)
            );
            CREATE INDEX hash_entries_value ON hash_entries(algorithm, hash);
            CREATE TABLE hash_allowlist (
                algorithm TEXT NOT NULL,
                hash TEXT NOT NULL,
                reason TEXT NOT NULL,
                added_at TEXT NOT NULL,
                PRIMARY KEY (algorithm, hash)
            );
            CREATE TABLE ip_ranges (
                source TEXT NOT NULL,
                start_address TEXT NOT NULL,
                end_address TEXT NOT NULL,
                asn BIGINT,
                country TEXT,
                description TEXT
            );
            CREATE INDEX ip_ranges_source ON ip_ranges(source);
            CREATE TABLE api_tokens (
                id TEXT PRIMARY KEY,
                token_hash TEXT NOT NULL UNIQUE,
                role TEXT NOT NULL CHECK (role IN ('reporter', 'provider', 'analyst', 'admin')),
                org TEXT,
                label TEXT,
                created_at TEXT NOT NULL,
                revoked_at TEXT
            );
            CREATE TABLE mail_log (
                mailbox TEXT NOT NULL,
                message_key TEXT NOT NULL,
                uid BIGINT NOT NULL,
                sender TEXT,
                outcome TEXT NOT NULL,
                detail TEXT NOT NULL,
                handled_at TEXT NOT NULL,
                PRIMARY KEY (mailbox, message_key)
            );
            CREATE TABLE address_health (
                address TEXT PRIMARY KEY,
                bounces INTEGER NOT NULL,
                last_bounce_at TEXT,
                last_status TEXT
            );
            CREATE INDEX reports_received ON reports(received_at);
            """
        ),
    ]
}
