import Foundation

extension DispatchWorker {
    /// Re-checks due URLs, confirms removals, and raises `notice.removed` and
    /// `notice.overdue` for the rules.
    public func followUpDueNotices(_ pass: inout DispatchPass) throws {
        // Claimed like messages: re-checks can take a fetch timeout each.
        try forEachClaimed(store.claimDueNotices, id: \.id) { try followUp($0, &pass) }
    }

    private func followUp(_ notice: Notice, _ pass: inout DispatchPass) throws {
        var notice = notice
        let now = time.now()
        var changes: [String] = []
        if let checker, let sentAt = notice.sentAt {
            let givingUp = now >= sentAt.addingTimeInterval(TimeInterval(settings.followUp.giveUpAfter.seconds))
            for index in notice.items.indices {
                guard notice.items[index].state == .online, let due = notice.items[index].nextCheckAt, due <= now else { continue }
                let result = checker.check(notice.items[index].subject.url)
                pass.checks += 1
                if let change = record(result, on: &notice.items[index], sentAt: sentAt, now: now) { changes.append(change) }
                if givingUp && notice.items[index].state == .online { notice.items[index].nextCheckAt = nil }
            }
        }
        // Checks that keep proving nothing (a redirect elsewhere, changed content, answers
        // that differ by User-Agent) are for a person to judge, once.
        if notice.escalatedTo == nil,
            let stuck = notice.items.first(where: { $0.state == .online && $0.consecutiveInconclusive >= settings.followUp.inconclusiveLimit })
        {
            notice.escalatedTo = "analysts"
            notice.escalationReason = "\(stuck.consecutiveInconclusive) checks in a row proved nothing for \(stuck.subject.url): \(stuck.lastCheck ?? "")"
            changes.append("to analysts: \(notice.escalationReason!)")
        }
        let checked =
            changes.isEmpty ? nil : NoticeEvent(id: ids.next(), noticeID: notice.id, event: "checked", at: now, detail: changes.joined(separator: "; "))
        if notice.items.allSatisfy({ $0.state == .removed }) {
            notice.status = .removed
            notice.removedAt = notice.items.compactMap(\.removedAt).max() ?? now
            notice.nextDueAt = nil
            if let checked { try saveEvent(checked, notice: notice, now: now) }
            try raise(
                .noticeRemoved, for: notice, detail: "every URL gone on \(settings.followUp.confirmations) checks in a row", updatedMessage: nil, now: now)
            pass.removed += 1
        } else if let deadline = notice.deadline, deadline <= now, notice.overdueRaisedFor != deadline,
            !notice.awaitingRemovalConfirmation, !settings.quietDays.isQuiet(now)
        {
            // A URL found gone once is confirmed first (minutes later): a hoster that removed
            // it just before the deadline is not sent a reminder.
            notice.overdueRaisedFor = deadline
            if let checked { try saveEvent(checked, notice: notice, now: now) }
            try raise(
                .noticeOverdue, for: notice,
                detail: "\(notice.onlineItems.count) of \(notice.items.count) URL(s) still online at the deadline \(RFC3339.format(deadline))",
                updatedMessage: nil, now: now)
            pass.overdue += 1
        } else if let stale = nextStale(notice), stale <= now, !notice.awaitingRemovalConfirmation, !settings.quietDays.isQuiet(now),
            let sentAt = notice.sentAt
        {
            notice.overdueRaisedFor = stale
            if let checked { try saveEvent(checked, notice: notice, now: now) }
            let days = Int((stale.timeIntervalSince(sentAt) / 86_400).rounded())
            try raise(
                .forwardStale, for: notice,
                detail: "\(notice.onlineItems.count) of \(notice.items.count) URL(s) still online \(days) day(s) after the forward to \(notice.recipient.name)",
                updatedMessage: nil, now: now)
            pass.stale += 1
        } else {
            notice.nextDueAt = nextDue(notice)
            try store.saveNotice(notice, updatedMessage: nil, newMessages: [], newItems: [], event: checked, closingCases: [], at: now)
        }
    }

    private func saveEvent(_ event: NoticeEvent, notice: Notice, now: Date) throws {
        try store.saveNotice(notice, updatedMessage: nil, newMessages: [], newItems: [], event: event, closingCases: [], at: now)
    }

    /// A check that neither confirms nor refutes removal: try again as planned, and count it.
    private func inconclusive(_ why: String, on item: inout NoticeItem, scheduled: Date, now: Date) -> String? {
        item.lastCheck = "inconclusive: \(why)"
        item.consecutiveInconclusive += 1
        item.nextCheckAt = item.consecutiveGone > 0 ? now.addingTimeInterval(TimeInterval(settings.followUp.confirmAfter.seconds)) : scheduled
        return nil
    }

    /// Applies one check to an item; returns a note when its state changed.
    func record(_ result: URLCheck, on item: inout NoticeItem, sentAt: Date, now: Date) -> String? {
        item.checks += 1
        item.lastCheckAt = now
        let policy = settings.followUp
        let scheduled = policy.nextCheck(after: now, sentAt: sentAt)
        var gone: String?
        switch result {
        case .gone(let why):
            gone = why
        case .online(let digests, let detail):
            // Different content under the same URL is not proof of removal: a hoster can
            // change a byte and keep the material up. It proves nothing either way.
            if let digests, !item.subject.hashes.isEmpty, Set(item.subject.hashes.values.map { $0.lowercased() }).isDisjoint(with: digests) {
                return inconclusive("content changed (\(detail))", on: &item, scheduled: scheduled, now: now)
            }
            item.lastCheck = "online: \(detail)"
            let wasGone = item.consecutiveGone > 0
            item.consecutiveGone = 0
            item.consecutiveInconclusive = 0
            item.removedAt = nil
            item.nextCheckAt = scheduled
            return wasGone ? "\(item.subject.url) back online" : nil
        case .inconclusive(let why):
            return inconclusive(why, on: &item, scheduled: scheduled, now: now)
        }
        item.consecutiveInconclusive = 0
        item.lastCheck = "gone: \(gone!)"
        item.consecutiveGone += 1
        if item.consecutiveGone == 1 { item.removedAt = now }
        if item.consecutiveGone >= policy.confirmations {
            item.state = .removed
            item.nextCheckAt = nil
            return "\(item.subject.url) removed (\(gone!))"
        }
        item.nextCheckAt = now.addingTimeInterval(TimeInterval(policy.confirmAfter.seconds))
        return "\(item.subject.url) gone once (\(gone!)); confirming"
    }

    /// A notice that was delivered and then bounced (or otherwise reported undeliverable after
    /// the fact): the notice fails and `delivery.failed` goes to the rules.
    public func deliveryFailed(noticeID: String, error: String) throws {
        guard var notice = try store.notice(noticeID) else { return }
        let now = time.now()
        notice.lastError = error
        if notice.status.isActive || notice.status == .pending { notice.status = .failed }
        notice.nextDueAt = nil
        try raise(.deliveryFailed, for: notice, detail: error, updatedMessage: nil, now: now)
    }

    /// Decides a lifecycle event with the rules and stores the notice's new state with
    /// everything the actions asked for, in one transaction.
    func raise(_ event: RuleEvent, for notice: Notice, detail: String, updatedMessage: OutboxMessage?, now: Date) throws {
        var notice = notice
        var facts = try notice.items.first.flatMap { try store.decisionFacts(decisionID: $0.subject.decisionID) } ?? Facts()
        facts[.noticeStatus] = .string(notice.status.rawValue)
        facts[.noticeKind] = .string(notice.kind.rawValue)
        facts[.noticeRecipient] = .string(notice.recipient.target.description)
        facts[.noticeAge] = .duration(TimeSpan(seconds: Int(now.timeIntervalSince(notice.sentAt ?? notice.createdAt))))
        facts[.noticeOverdue] = .bool(notice.deadline.map { $0 <= now } ?? false && notice.status.isActive)
        facts[.noticeReminders] = .number(Double(notice.reminders))
        facts[.noticeURLs] = .number(Double(notice.items.count))
        facts[.noticeURLsOnline] = .number(Double(notice.onlineItems.count))
        if event == .deliveryFailed {
            facts[.deliveryError] = .string(notice.lastError ?? detail)
            facts[.deliveryAttempts] = .number(Double(notice.deliveryAttempts))
        }
        let verdict = engine.decide(facts, on: event)
        var newMessages: [OutboxMessage] = []
        var newItems: [DispatchItem] = []
        var closing: [String] = []
        var notes: [String] = [detail]
        var followUpPlanner = planner
        followUpPlanner.notifyWindow = TimeSpan(seconds: 0)
        for action in verdict.actions {
            switch action {
            case .forward(let to, let template, _, _) where to == notice.recipient.target && notice.kind == .forward && notice.status.isActive:
                // The same partner again: a reminder on this forward, threaded to the first message.
                notice.reminders += 1
                let first = try store.messages(noticeID: notice.id).first?.messageID
                do {
                    newMessages.append(
                        try renderer.message(
                            for: notice, purpose: "reminder", template: template ?? "forward-reminder", reminder: notice.reminders, messageID: ids.next(),
                            firstMessageID: first, at: now))
                } catch {
                    notes.append("reminder not written: \(error.message)")
                }
            case .notify(let to, let template, let deadline, _) where to == notice.recipient.target && notice.kind == .notify && notice.status.isActive:
                // The same desk again: a reminder on this notice, threaded to the first message.
                notice.reminders += 1
                notice.deadline = settings.quietDays.shifted(now.addingTimeInterval(TimeInterval(deadline.seconds)))
                let first = try store.messages(noticeID: notice.id).first?.messageID
                do {
                    newMessages.append(
                        try renderer.message(
                            for: notice, purpose: "reminder", template: template, reminder: notice.reminders, messageID: ids.next(), firstMessageID: first,
                            at: now))
                } catch {
                    notes.append("reminder not written: \(error.message)")
                }
            case .notify, .forward:
                for item in notice.onlineItems.isEmpty ? notice.items : notice.onlineItems {
                    let itemFacts = try store.decisionFacts(decisionID: item.subject.decisionID) ?? facts
                    newItems += followUpPlanner.items(for: [action], subject: item.subject, facts: itemFacts, parentNoticeID: notice.id, now: now)
                }
            case .escalate(let queue, let reason, _):
                notice.escalatedTo = queue
                notice.escalationReason = reason
                notes.append("escalated to \(queue): \(reason)")
            case .close(let reason):
                if notice.status != .removed { notice.status = .closed }
                closing = Array(Set(notice.items.map(\.subject.caseID))).sorted()
                notes.append("closed: \(reason)")
            case .tag:
                break
            }
        }
        notice.nextDueAt = nextDue(notice)
        let record = NoticeEvent(
            id: ids.next(), noticeID: notice.id, event: event.rawValue, at: now, rule: verdict.rule, actions: verdict.actions.json, facts: facts,
            rulesDigest: verdict.rulesDigest, detail: notes.joined(separator: "; "))
        try store.saveNotice(
            notice, updatedMessage: updatedMessage, newMessages: newMessages, newItems: newItems, event: record, closingCases: closing, at: now)
    }
}
