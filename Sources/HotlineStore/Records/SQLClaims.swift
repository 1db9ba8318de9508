/// The claim queries, the same text for SQLite and PostgreSQL (`?` parameters). A message is
/// due when pending, its attempt time has come, and neither it nor its notice is leased: one
/// worker at a time handles a notice, whether it delivers or follows it up.
enum SQLClaims {
    /// Parameters: now, now, now, limit. (PostgreSQL adds `FOR UPDATE SKIP LOCKED`.)
    static let dueMessages = """
        SELECT outbox.* FROM outbox JOIN notices ON notices.id = outbox.notice_id
        WHERE outbox.status = 'pending' AND outbox.next_attempt_at <= ?
          AND (outbox.lease_until IS NULL OR outbox.lease_until <= ?)
          AND (notices.lease_until IS NULL OR notices.lease_until <= ?)
        ORDER BY outbox.next_attempt_at, outbox.id LIMIT ?
        """
    /// Parameters: now, now, limit.
    static let dueNotices = """
        SELECT id, body FROM notices
        WHERE next_due_at IS NOT NULL AND next_due_at <= ? AND (lease_until IS NULL OR lease_until <= ?)
        ORDER BY next_due_at, id LIMIT ?
        """
    /// Parameters: lease end, message id.
    static let leaseMessage = "UPDATE outbox SET lease_until = ? WHERE id = ?"
    /// Parameters: lease end, notice id.
    static let leaseNotice = "UPDATE notices SET lease_until = ? WHERE id = ?"
    /// Parameters: now, limit. Oldest first.
    static let pendingEvidence = """
        SELECT report_id, case_id, trusted, facts, attempts, created_at FROM evidence_tasks
        WHERE status = 'pending' AND (lease_until IS NULL OR lease_until <= ?)
        ORDER BY created_at, report_id LIMIT ?
        """
    /// Parameters: lease end, report id.
    static let leaseEvidence = "UPDATE evidence_tasks SET lease_until = ?, attempts = attempts + 1 WHERE report_id = ?"
}
