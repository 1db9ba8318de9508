import Foundation

extension DispatchWorker {
    /// Delivers due messages. A failure is retried with backoff; a permanent refusal or the
    /// last attempt fails the message and raises `delivery.failed` for the rules.
    public func deliverDueMessages(_ pass: inout DispatchPass) throws {
        try forEachClaimed(store.claimDueMessages, id: \.id) { try deliver($0, &pass) }
    }

    /// Claims due work a few at a time, so a lease outlives the attempts made under it even
    /// when each runs into a timeout, and hands each piece to `body` once per pass, even when
    /// it is due again right away; at most `batchLimit` pieces.
    func forEachClaimed<T>(_ claim: (Date, Int, Date) throws -> [T], id: (T) -> String, _ body: (T) throws -> Void) throws {
        var handled: Set<String> = []
        while handled.count < settings.batchLimit {
            let claimed = try claim(time.now(), min(settings.claimSize, settings.batchLimit - handled.count), time.now().addingTimeInterval(settings.lease))
            let fresh = claimed.filter { handled.insert(id($0)).inserted }
            if fresh.isEmpty { return }
            for piece in fresh { try body(piece) }
        }
    }

    private func deliver(_ message: OutboxMessage, _ pass: inout DispatchPass) throws {
        var message = message
        guard var notice = try store.notice(message.noticeID) else { return }
        let now = time.now()
        message.attempts += 1
        notice.deliveryAttempts = message.attempts
        let outcome: Result<String, DeliveryError>
        do throws(DeliveryError) {
            outcome = .success(try transport.deliver(message))
        } catch {
            outcome = .failure(error)
        }
        switch outcome {
        case .success(let receipt):
            afterDelivery?(message)
            message.status = .delivered
            message.deliveredAt = now
            message.receipt = receipt
            message.lastError = nil
            notice.lastError = nil
            if notice.status == .pending {
                notice.status = .sent
                notice.sentAt = now
                if notice.isFollowedUp, notice.deadline == nil, let span = notice.deadlineSpan {
                    notice.deadline = now.addingTimeInterval(TimeInterval(span.seconds))
                }
                if notice.isObserved {
                    let firstCheck = settings.followUp.scheduledCheck(0, sentAt: now)
                    for index in notice.items.indices { notice.items[index].nextCheckAt = firstCheck }
                }
            }
            notice.nextDueAt = nextDue(notice)
            let event = NoticeEvent(
                id: ids.next(), noticeID: notice.id, event: "delivered", at: now,
                detail: "\(message.purpose) to \(message.destinations.joined(separator: ", ")): \(receipt)")
            try store.saveNotice(notice, updatedMessage: message, newMessages: [], newItems: [], event: event, closingCases: [], at: now)
            pass.delivered += 1
        case .failure(let error):
            message.lastError = error.message
            notice.lastError = error.message
            if error.isPermanent || message.attempts >= settings.retry.attempts {
                message.status = .failed
                if notice.status == .pending { notice.status = .failed }
                notice.nextDueAt = nextDue(notice)
                let why = error.isPermanent ? "refused" : "gave up after \(message.attempts) attempts"
                try raise(.deliveryFailed, for: notice, detail: "\(message.purpose) \(why): \(error.message)", updatedMessage: message, now: now)
                pass.failed += 1
                pass.note(.init(reference: notice.reference, attempt: message.attempts, error: error.message, nextAttemptAt: nil))
            } else {
                message.nextAttemptAt = now.addingTimeInterval(settings.retry.delay(afterFailures: message.attempts, key: message.id))
                let event = NoticeEvent(
                    id: ids.next(), noticeID: notice.id, event: "delivery.retry", at: now,
                    detail: "attempt \(message.attempts) failed: \(error.message); next at \(RFC3339.format(message.nextAttemptAt))")
                try store.saveNotice(notice, updatedMessage: message, newMessages: [], newItems: [], event: event, closingCases: [], at: now)
                pass.retried += 1
                pass.note(.init(reference: notice.reference, attempt: message.attempts, error: error.message, nextAttemptAt: message.nextAttemptAt))
            }
        }
    }
}
