import Foundation

/// What the monitor reads: counts, reports per day, the URLs of delivered notices, and the
/// stored decisions to replay under other rules.
public protocol MonitorReads: Sendable {
    /// Counts for `/v1/stats/summary`: reports, and cases, decisions, notices and outbox
    /// messages by status.
    func summary() throws -> JSONObject
    /// Reports received per UTC day in `[since, until)`, oldest first (days without reports
    /// are left out).
    func reportsPerDay(since: Date, until: Date) throws -> [(day: String, count: Int)]
    /// Every URL of the notices to hosters and of the forwards to partners and the police delivered in `[since, until)`, a notice's URLs
    /// together, read on up to `threads` connections.
    func noticeURLRows(since: Date, until: Date, threads: Int) throws -> [NoticeURLRow]
    /// The URLs not seen removed of notices and forwards still followed (or refused),
    /// delivered before `until`: what is online now, read without the removed ones.
    func openNoticeURLRows(until: Date) throws -> [NoticeURLRow]
    /// Every intake decision since `since` decided again under `ruleSet`, on up to `threads` cores.
    func replay(ruleSet: RuleSet, since: Date, keep: Int, threads: Int) throws -> RuleReplay
}

extension MonitorReads {
    /// `noticeURLRows` on every core.
    public func noticeURLRows(since: Date, until: Date) throws -> [NoticeURLRow] {
        try noticeURLRows(since: since, until: until, threads: ProcessInfo.processInfo.activeProcessorCount)
    }

    /// What is online at `at`: from the open rows when `at` is now (`now` within a minute),
    /// else from every row as of then (a URL removed since was online then).
    public func onlineNow(at: Date, now: Date) throws -> OnlineNow {
        abs(now.timeIntervalSince(at)) < 60
            ? OnlineNow(rows: try openNoticeURLRows(until: at), now: at) : OnlineNow(rows: try noticeURLRows(since: .distantPast, until: at), now: at)
    }

    /// `replay` on every core, keeping the first 50 changed reports.
    public func replay(ruleSet: RuleSet, since: Date, keep: Int = 50) throws -> RuleReplay {
        try replay(ruleSet: ruleSet, since: since, keep: keep, threads: ProcessInfo.processInfo.activeProcessorCount)
    }
}
