import Foundation
import HotlineCore

/// Reports from concurrent requests, stored and decided together: while one transaction
/// commits (one fsync), the next requests gather, and go in the next one. Every request is
/// answered only after its report is durable.
///
/// SQLite work runs on one dedicated thread, so it never blocks Swift's cooperative pool
/// (two threads on this machine) while waiting for the disk.
public final class IntakeQueue: @unchecked Sendable {
    struct Pending {
        var submissions: [ReportSubmission]
        var channel: String
        var actor: String
        var submitter: Submitter?
        var trusted: Bool
        var continuation: CheckedContinuation<[IngestResult.Outcome], any Error>
    }

    private let runtime: GatewayRuntime
    private let lock = NSLock()
    private var pending: [Pending] = []
    private var running = false
    private let queue = DispatchQueue(label: "hotline.intake")
    /// Most reports per transaction.
    public let batchSize: Int
    /// Called with each stored batch's outcomes (metrics).
    let onBatch: @Sendable ([IngestResult.Outcome], String) -> Void

    /// Creates the queue.
    public init(runtime: GatewayRuntime, batchSize: Int = 1000, onBatch: @escaping @Sendable ([IngestResult.Outcome], String) -> Void = { _, _ in }) {
        self.runtime = runtime
        self.batchSize = batchSize
        self.onBatch = onBatch
    }

    /// Stores and decides `submissions`; returns their outcomes in order, after the
    /// transaction holding them committed.
    public func submit(
        _ submissions: [ReportSubmission], channel: String, actor: String, submitter: Submitter? = nil, trusted: Bool = false
    ) async throws -> [IngestResult.Outcome] {
        try await withCheckedThrowingContinuation { continuation in
            lock.lock()
            pending.append(
                Pending(submissions: submissions, channel: channel, actor: actor, submitter: submitter, trusted: trusted, continuation: continuation))
            let start = !running
            running = true
            lock.unlock()
            if start { queue.async { self.drain() } }
        }
    }

    private func drain() {
        while true {
            lock.lock()
            if pending.isEmpty {
                running = false
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
