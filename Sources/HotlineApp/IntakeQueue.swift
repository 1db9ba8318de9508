import Foundation
import HotlineCore

/// Reports from concurrent requests, stored and decided together: while one transaction
/// commits (one fsync), the next requests gather, and go in the next one. Every request is
/// answered only after its report is durable.
///
/// SQLite work runs on one dedicated thread, so it never blocks Swift's cooperative pool
/// (two threads on this machine) while waiting for the disk.
public final class IntakeQueue: ForegroundWork, @unchecked Sendable {
    struct Pending {
        var submissions: [ReportSubmission]
        var channel: String
        var actor: String
        var submitter: Submitter?
        var trusted: Bool
        var continuation: CheckedContinuation<[IngestResult.Outcome], any Error>
    }

    private let runtime: GatewayRuntime
    // A condition, so that background writers waiting for idle are woken when it drains.
    private let lock = NSCondition()
    private var pending: [Pending] = []
    private var running = false
    private let queue = DispatchQueue(label: "hotline.intake")
    /// Most reports per transaction.
    public let batchSize: Int
    /// Most reports waiting at once; more are refused (``IntakeQueueFull``) rather than
    /// queued without bound while the store is slow.
    public let maximumPending: Int
    private var pendingReports = 0

    /// Reports waiting for a transaction now (not the batch being stored).
    public var waiting: Int {
        lock.lock()
        defer { lock.unlock() }
        return pendingReports
    }

    /// Returns once no request is waiting or being stored, or after `limit` seconds: the fetch
    /// service's writes wait here (``ForegroundWork``).
    public func waitUntilIdle(atMost limit: TimeInterval) {
        let deadline = Date(timeIntervalSinceNow: limit)
        lock.lock()
        defer { lock.unlock() }
        while running && lock.wait(until: deadline) {}
    }

    /// Called with each stored batch's outcomes (metrics).
    let onBatch: @Sendable ([IngestResult.Outcome], String) -> Void

    /// Creates the queue.
    public init(
        runtime: GatewayRuntime, batchSize: Int = 1000, maximumPending: Int = 20_000,
        onBatch: @escaping @Sendable ([IngestResult.Outcome], String) -> Void = { _, _ in }
    ) {
        self.runtime = runtime
        self.batchSize = batchSize
        self.maximumPending = maximumPending
        self.onBatch = onBatch
    }

    /// Stores and decides `submissions`; returns their outcomes in order, after the
    /// transaction holding them committed.
    public func submit(
        _ submissions: [ReportSubmission], channel: String, actor: String, submitter: Submitter? = nil, trusted: Bool = false
    ) async throws -> [IngestResult.Outcome] {
        if let waiting = reserve(submissions.count) { throw IntakeQueueFull(waiting: waiting) }
        return try await withCheckedThrowingContinuation { continuation in
            lock.lock()
            pending.append(
                Pending(submissions: submissions, channel: channel, actor: actor, submitter: submitter, trusted: trusted, continuation: continuation))
            let start = !running
            running = true
            lock.unlock()
            if start { queue.async { self.drain() } }
        }
    }

    /// Counts `count` more reports waiting, or returns how many wait when that is too many.
    private func reserve(_ count: Int) -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard pendingReports + count <= maximumPending || pendingReports == 0 else { return pendingReports }
        pendingReports += count
        return nil
    }

    private func drain() {
        while true {
            lock.lock()
            if pending.isEmpty {
                running = false
                lock.broadcast()
                lock.unlock()
                return
            }
            // Requests of one channel and submitter share a transaction, up to the batch size.
            var batch: [Pending] = []
            var count = 0
            let first = pending[0]
            var rest: [Pending] = []
            for item in pending {
                let same = item.channel == first.channel && item.actor == first.actor && item.submitter == first.submitter && item.trusted == first.trusted
                if same && (count + item.submissions.count <= batchSize || batch.isEmpty) {
                    batch.append(item)
                    count += item.submissions.count
                } else {
                    rest.append(item)
                }
            }
            pending = rest
            pendingReports -= count
            lock.unlock()
            store(batch, channel: first.channel, actor: first.actor, submitter: first.submitter, trusted: first.trusted)
        }
    }

    private func store(_ batch: [Pending], channel: String, actor: String, submitter: Submitter?, trusted: Bool) {
        let pipeline = runtime.pipeline(channel: channel, actor: actor, submitter: submitter, trusted: trusted)
        var inputs: [IngestInput] = []
        for item in batch {
            for submission in item.submissions { inputs.append(IngestInput(line: inputs.count + 1, submission)) }
        }
        do {
            let results = try pipeline.ingest(inputs)
            let outcomes = results.map(\.outcome)
            onBatch(outcomes, channel)
            var offset = 0
            for item in batch {
                item.continuation.resume(returning: Array(outcomes[offset..<offset + item.submissions.count]))
                offset += item.submissions.count
            }
        } catch {
            for item in batch { item.continuation.resume(throwing: error) }
        }
    }
}

/// Intake has as many reports waiting as it takes: nothing of the request was stored, and it
/// can be sent again shortly.
public struct IntakeQueueFull: Error, Hashable, Sendable {
    /// Reports waiting when it was refused.
    public var waiting: Int
}
