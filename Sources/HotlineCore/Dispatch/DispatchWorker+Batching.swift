import Foundation

extension DispatchWorker {
    /// Groups waiting items by recipient; a group whose oldest item's window has passed
    /// becomes one notice. Just before that, hosting is looked up again: a URL whose abuse
    /// desk changed leaves the batch and is decided again with the new facts.
    public func batchDueItems(_ pass: inout DispatchPass) throws {
        let now = time.now()
        var waiting = try store.waitingItems(limit: settings.batchLimit * 20)
        pass.waiting = 0
        pass.nextBatchAt = nil
        // Items a standing hold covers wait where they are; the pass after the hold ends
        // batches them, once, as any other due item (the notice consumes them).
        let open = try holds?.openHolds().filter { $0.isActive(at: now) } ?? []
        if !open.isEmpty {
            let before = waiting.count
            waiting.removeAll { Self.hold(covering: $0, in: open, at: now) != nil }
            pass.onHold = before - waiting.count
        } else {
            pass.onHold = 0
        }
        for batch in DispatchBatch.batches(of: waiting) {
            guard batch.dueAt <= now else {
                pass.waiting += batch.items.count
                pass.nextBatchAt = min(pass.nextBatchAt ?? batch.dueAt, batch.dueAt)
                continue
            }
            do {
                var kept: [DispatchItem] = []
                for item in batch.items {
                    if try moved(item, now: now) { pass.itemsMoved += 1 } else { kept.append(item) }
                }
                if kept.isEmpty { continue }
                try createNotice(from: kept, now: now)
                pass.noticesCreated += 1
            } catch is StoreConflict {
                // Another instance batched (or moved) these items first; its notice stands.
                pass.conflicts += 1
            }
        }
    }

    /// The standing hold that keeps `item` back, if any.
    static func hold(covering item: DispatchItem, in holds: [StandingHold], at now: Date) -> StandingHold? {
        HoldEnricher.covering(
            holds, host: item.subject.host, ip: item.hosting.ip, contactID: item.recipient?.contactID, caseID: item.subject.caseID, at: now)
    }

    /// Marks the holds whose time has come as ended, each once whatever the number of
    /// instances (the store's conditional update decides), with an audit entry.
    public func endDueHolds(_ pass: inout DispatchPass) throws {
        guard let holds else { return }
        let now = time.now()
        for hold in try holds.openHolds() where hold.until <= now {
            let entry = AuditEntry(
                at: now, actor: "dispatch", event: "hold.ended", subject: hold.id,
                detail: [
                    "scope": .string(hold.scope.rawValue), "value": .string(hold.value), "by": .string("expiry"), "until": .string(RFC3339.format(hold.until)),
                ])
            if try holds.endHold(id: hold.id, at: now, by: "expiry", audit: entry) { pass.holdsEnded += 1 }
        }
    }

    private func moved(_ item: DispatchItem, now: Date) throws -> Bool {
        guard item.kind == .notify, item.target == .hosting || item.target == .upstream, let hostingLookup,
            let facts = try store.decisionFacts(decisionID: item.subject.decisionID),
            let refreshed = hostingLookup.refreshHosting(host: item.subject.host, facts: facts)
        else { return false }
        let current = HostingSnapshot(refreshed)
        guard let newDesk = current.abuseEmail, newDesk != item.hosting.abuseEmail else { return false }
        let verdict = engine.decide(refreshed)
        let decision = Decision(
            id: ids.next(), reportID: item.subject.reportID, caseID: item.subject.caseID, trigger: "hosting.changed", verdict: verdict, facts: refreshed,
            decidedAt: now)
        let newItems = planner.items(for: verdict.actions, subject: item.subject.decided(by: decision.id), facts: refreshed, now: now)
        try store.redecide(itemID: item.id, decision: decision, newItems: newItems)
        return true
    }

    private func createNotice(from items: [DispatchItem], now: Date) throws {
        // In the order the reports came in (report ids are UUIDv7, counting up within a
        // millisecond), not the order their evidence happened to finish (fetches run in
        // parallel): the same reports make the same notice.
        let items = items.sorted { ($0.subject.reportID, $0.id) < ($1.subject.reportID, $1.id) }
        let first = items[0]
        let id = ids.next()
        let noticeItems = items.map { NoticeItem($0, xarfReportID: UUIDv4.random()) }
        let recipient = first.recipient ?? Recipient(target: first.target, name: "(no address for \(first.target))", addresses: [])
        var notice = Notice(
            id: id, reference: Notice.reference(for: id), kind: first.kind, recipient: recipient, template: first.template,
            status: .pending, createdAt: now, deadlineSpan: items.compactMap(\.deadline).min(), parentNoticeID: first.parentNoticeID,
            reason: first.reason, items: noticeItems)
        // The deadline the message states is the one followed up: set now, before the
        // message is rendered (first notices said "before ," when it was set at delivery).
        if notice.isFollowedUp, let span = notice.deadlineSpan {
            notice.deadline = settings.quietDays.shifted(now.addingTimeInterval(TimeInterval(span.seconds)))
        }
        var failure: String?
        var messages: [OutboxMessage] = []
        if first.recipient == nil {
            failure = "nobody to send to: no address for \(first.target)"
        } else {
            do {
                messages.append(
                    try renderer.message(
                        for: notice, purpose: first.kind == .forward ? "forward" : "notice", template: first.template, reminder: 0, messageID: ids.next(),
                        firstMessageID: nil, at: now))
            } catch {
                failure = error.message
            }
        }
        let created = NoticeEvent(
            id: ids.next(), noticeID: id, event: "created", at: now, detail: "\(items.count) URL(s) for \(recipient.name) by \(recipient.channel.rawValue)")
        guard let failure else {
            try store.insertNotice(notice, messages: messages, consumedItems: items.map(\.id), event: created)
            return
        }
        notice.status = .failed
        notice.lastError = failure
        try store.insertNotice(notice, messages: [], consumedItems: items.map(\.id), event: created)
        try raise(.deliveryFailed, for: notice, detail: failure, updatedMessage: nil, now: now)
    }
}

/// Random UUIDs (version 4), the form X-ARF's `report_id` asks for.
public enum UUIDv4 {
    /// A new one, lowercase.
    public static func random() -> String { UUID().uuidString.lowercased() }
}
