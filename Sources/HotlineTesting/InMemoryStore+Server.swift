import Foundation
import HotlineCore

extension InMemoryStore {
    func locked<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }
}

// MARK: Tokens

extension InMemoryStore: TokenStore {
    /// Stores a token by the SHA-256 of its secret (audited).
    public func insertToken(_ token: APIToken, secretHash: String) throws {
        locked {
            state.tokens.append((token, secretHash))
            state.audit.append(
                AuditEntry(
                    at: token.createdAt, actor: "cli", event: "token.created", subject: token.id,
                    detail: ["role": .string(token.role.rawValue), "org": token.org.map(JSONValue.string) ?? .null]))
        }
    }

    /// The token whose secret hashes to `secretHash`, revoked or not.
    public func token(secretHash: String) throws -> APIToken? {
        locked { state.tokens.first { $0.secretHash == secretHash }?.token }
    }

    /// The token with this id.
    public func token(id: String) throws -> APIToken? { locked { state.tokens.first { $0.token.id == id }?.token } }

    /// Stores a dashboard session.
    public func insertSession(_ session: DashboardSession, idHash: String) throws { locked { state.sessions[idHash] = session } }

    /// The session stored under `idHash`.
    public func session(idHash: String) throws -> DashboardSession? { locked { state.sessions[idHash] } }

    /// Ends a session.
    public func revokeSession(idHash: String, at date: Date) throws {
        locked { if state.sessions[idHash]?.revokedAt == nil { state.sessions[idHash]?.revokedAt = date } }
    }

    /// Records a session's use.
    public func touchSession(idHash: String, at date: Date) throws { locked { state.sessions[idHash]?.lastSeenAt = date } }

    /// Every token, newest first.
    public func tokens() throws -> [APIToken] {
        locked { state.tokens.map(\.token).sorted { ($0.createdAt, $0.id) > ($1.createdAt, $1.id) } }
    }

    /// Revokes a token (audited); `false` when there is no such live token.
    public func revokeToken(id: String, at date: Date, actor: String) throws -> Bool {
        locked {
            guard let index = state.tokens.firstIndex(where: { $0.token.id == id && $0.token.revokedAt == nil }) else { return false }
            state.tokens[index].token.revokedAt = date
            state.audit.append(AuditEntry(at: date, actor: actor, event: "token.revoked", subject: id))
            return true
        }
    }
}

// MARK: Cases and the queue

extension InMemoryStore: CaseStore {
    /// A case by id.
    public func caseRecord(id: String) throws -> CaseRecord? { locked { state.cases[id] } }

    /// The case of a report.
    public func caseID(reportID: String) throws -> String? { locked { state.reports[reportID]?.caseID } }

    /// The reports of a case, oldest first.
    public func reportIDs(caseID: String) throws -> [String] {
        locked {
            state.reports.values.filter { $0.caseID == caseID }.sorted { ($0.report.receivedAt, $0.report.id) < ($1.report.receivedAt, $1.report.id) }.map(
                \.report.id)
        }
    }

    /// The notices that carry a case's URLs, oldest first.
    public func notices(caseID: String) throws -> [Notice] {
        locked {
            state.noticeOrder.compactMap { state.notices[$0] }.filter { notice in notice.items.contains { $0.subject.caseID == caseID } }
        }
    }

    /// The latest decision of a case.
    public func latestDecision(caseID: String) throws -> LatestDecision? {
        locked { state.decisions.last { $0.caseID == caseID }.map { LatestDecision(id: $0.id, reportID: $0.reportID, facts: $0.facts) } }
    }

    /// The latest decision of one report.
    public func latestDecision(reportID: String) throws -> LatestDecision? {
        locked { state.decisions.last { $0.reportID == reportID }.map { LatestDecision(id: $0.id, reportID: $0.reportID, facts: $0.facts) } }
    }

    /// Every decision of a report with its facts and trace, oldest first.
    public func decisionRecords(reportID: String) throws -> [DecisionRecord] {
        locked {
            state.decisions.filter { $0.reportID == reportID }.map {
                DecisionRecord(facts: .object($0.facts.json), trace: .array($0.verdict.trace.map(\.json)), rulesDigest: $0.verdict.rulesDigest)
            }
        }
    }

    /// Escalated cases and notices, oldest first.
    public func escalationQueue(limit: Int) throws -> [QueueEntry] {
        locked {
            var entries: [QueueEntry] = []
            for record in state.cases.values where record.status == .open {
                guard let latest = state.decisions.last(where: { $0.caseID == record.id }), latest.verdict.outcome == .escalate else { continue }
                entries.append(
                    .escalatedCase(
                        id: record.id, url: record.url, actions: latest.verdict.actions.json, facts: .object(latest.facts.json), decidedAt: latest.decidedAt))
            }
            for id in state.noticeOrder {
                guard let notice = state.notices[id], notice.escalatedTo != nil, notice.status != .removed, notice.status != .closed else { continue }
                entries.append(.escalatedNotice(notice))
            }
            for dispute in state.disputes where dispute.status == .open { entries.append(.openDispute(dispute)) }
            return Array(entries.sorted { $0.since < $1.since }.prefix(max(0, limit)))
        }
    }

    /// How many items the analysts' queue holds, without building it.
    public func queueDepth() throws -> Int { try escalationQueue(limit: Int.max).count }
}

// MARK: Audit log

extension InMemoryStore: AuditLog {
    /// Appends one entry in its own transaction.
    public func appendAudit(_ entry: AuditEntry) throws { locked { state.audit.append(entry) } }

    /// The fake keeps no chain: every entry is in order by construction.
    public func verifyAuditLog() throws -> AuditVerification {
        locked { AuditVerification(entries: state.audit.count, head: state.audit.isEmpty ? nil : (Int64(state.audit.count), "in-memory"), problems: []) }
    }

    /// The chain value of one entry.
    public func auditChain(seq: Int64) throws -> String? { locked { seq >= 1 && seq <= state.audit.count ? "in-memory" : nil } }
}

// MARK: Mail and address health

extension InMemoryStore: MailLog, AddressHealthStore {
    /// Whether a message was handled already.
    public func mailHandled(mailbox: String, messageKey: String) throws -> Bool {
        locked { state.mailLog.contains { $0.mailbox == mailbox && $0.messageKey == messageKey } }
    }

    /// Counts an attempt at a message.
    public func beginMailAttempt(mailbox: String, messageKey: String) throws -> Int {
        locked {
            state.mailAttempts[mailbox + "\u{0}" + messageKey, default: 0] += 1
            return state.mailAttempts[mailbox + "\u{0}" + messageKey]!
        }
    }

    /// Forgets the attempts at a message.
    public func endMailAttempt(mailbox: String, messageKey: String) throws {
        locked { state.mailAttempts[mailbox + "\u{0}" + messageKey] = nil }
    }

    /// Records what was done with a message.
    public func logMail(_ entry: MailLogEntry) throws {
        locked {
            guard !state.mailLog.contains(where: { $0.mailbox == entry.mailbox && $0.messageKey == entry.messageKey }) else { return }
            state.mailLog.append(entry)
        }
    }

    /// The newest entries first.
    public func mailLog(limit: Int) throws -> [MailLogEntry] {
        locked { Array(state.mailLog.sorted { $0.handledAt > $1.handledAt }.prefix(max(0, limit))) }
    }

    /// Counts one bounce for `address`.
    public func recordBounce(address: String, status: String, at date: Date) throws {
        locked { state.bounces[address.lowercased(), default: 0] += 1 }
    }

    /// Bounces per address (lowercase).
    public func bounceCounts() throws -> [String: Int] { locked { state.bounces } }
}

// MARK: Monitor and retention

extension InMemoryStore: MonitorReads, ContactRetention {
    /// Counts for `/v1/stats/summary`: reports, and cases, decisions, notices and outbox
    /// messages by status.
    public func summary() throws -> JSONObject {
        locked {
            func grouped(_ values: [String]) -> JSONValue {
                .object(JSONObject(Dictionary(grouping: values, by: { $0 }).map { ($0.key, JSONValue.number(Double($0.value.count))) }.sorted { $0.0 < $1.0 }))
            }
            return [
                "reports": .number(Double(state.reports.count)),
                "cases": grouped(state.cases.values.map(\.status.rawValue)),
                "decisions": grouped(state.decisions.map(\.verdict.outcome.rawValue)),
                "notices": grouped(state.notices.values.map(\.status.rawValue)),
                "outbox": grouped(state.messages.map(\.status.rawValue)),
            ]
        }
    }

    /// Reports received per UTC day in `[since, until)`, oldest first.
    public func reportsPerDay(since: Date, until: Date) throws -> [(day: String, count: Int)] {
        locked {
            let days = state.reports.values.map(\.report.receivedAt).filter { $0 >= since && $0 < until }.map { String(RFC3339.format($0).prefix(10)) }
            return Dictionary(grouping: days, by: { $0 }).map { ($0.key, $0.value.count) }.sorted { $0.0 < $1.0 }
        }
    }

    /// Every URL of the notices to hosters and the forwards to partners and the police
    /// delivered in `[since, until)`, a notice's URLs together.
    public func noticeURLRows(since: Date, until: Date, threads: Int) throws -> [NoticeURLRow] {
        locked {
            var rows: [NoticeURLRow] = []
            for (key, id) in state.noticeOrder.enumerated() {
                guard let notice = state.notices[id], let sent = notice.sentAt, sent >= since, sent < until,
                    (notice.kind == .notify && notice.recipient.target == .hosting)
                        || (notice.kind == .forward && (notice.recipient.target == .partner || notice.recipient.target == .police))
                else { continue }
                let hosting = notice.items.first?.hosting
                for item in notice.items {
                    rows.append(
                        NoticeURLRow(
                            noticeKey: Int64(key + 1), reference: notice.reference, org: hosting?.org ?? "unknown", asn: hosting?.asn,
                            country: hosting?.country,
                            sentAt: sent, deadline: notice.deadline, reminders: notice.reminders, acknowledged: notice.acknowledgedAt != nil,
                            status: notice.status,
                            escalated: notice.escalatedTo != nil, removedAt: item.state == .removed ? item.removedAt : nil, kind: notice.kind,
                            recipient: notice.recipient.name, contactID: notice.recipient.contactID))
                }
            }
            return rows
        }
    }

    /// Every intake decision since `since` decided again under `ruleSet`, on up to `threads` cores.
    public func replay(ruleSet: RuleSet, since: Date, keep: Int, threads: Int) throws -> RuleReplay {
        locked {
            var replay = RuleReplay(ruleSet: ruleSet, keep: keep)
            for decision in state.decisions where decision.trigger == "intake" && decision.decidedAt >= since {
                replay.replay(
                    reportID: decision.reportID, rule: decision.verdict.rule, outcome: decision.verdict.outcome.rawValue,
                    actions: decision.verdict.actions.json.serialized, facts: decision.facts.serializedJSON)
            }
            return replay
        }
    }

    /// Erases the details stored before `cutoff`; returns how many. Audited by count, never
    /// the details.
    public func purgeReporterContacts(before cutoff: Date, actor: String, at date: Date) throws -> Int {
        locked {
            let erased = state.reporterContacts.filter { $0.value.storedAt < cutoff }.map(\.key)
            for id in erased { state.reporterContacts[id] = nil }
            state.audit.append(
                AuditEntry(
                    at: date, actor: actor, event: "purge.reporter_contacts",
                    detail: ["erased": .number(Double(erased.count)), "before": .string(RFC3339.format(cutoff))]))
            return erased.count
        }
    }

    /// How many are stored.
    public func reporterContactCount() throws -> Int { locked { state.reporterContacts.count } }
}

extension InMemoryStore: StoreFailureClassifying {
    /// The fake's failures are ``StoreFailure`` themselves (thrown through `failNextWrite`).
    public func failure(of error: any Error) -> StoreFailure? { error as? StoreFailure }
}

// MARK: Evidence

extension InMemoryStore: EvidenceStore {
    /// Pending tasks, oldest first, claimed until `leaseUntil`.
    public func claimEvidenceTasks(at date: Date, limit: Int, leaseUntil: Date) throws -> [EvidenceTask] {
        locked {
            var claimed: [EvidenceTask] = []
            for id in state.evidenceOrder where claimed.count < limit {
                guard var entry = state.evidence[id], !entry.done, entry.leaseUntil.map({ $0 <= date }) ?? true else { continue }
                entry.task.attempts += 1
                entry.leaseUntil = leaseUntil
                state.evidence[id] = entry
                claimed.append(entry.task)
            }
            return claimed
        }
    }

    /// Gives back claims not worked on.
    public func releaseEvidenceTasks(reportIDs: [String]) throws {
        locked {
            for id in reportIDs where state.evidence[id]?.done == false { state.evidence[id]?.leaseUntil = nil }
        }
    }

    /// How many reports wait for evidence.
    public func evidenceBacklog() throws -> Int { locked { state.evidence.values.filter { !$0.done }.count } }
}
