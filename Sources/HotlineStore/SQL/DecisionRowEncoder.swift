import Foundation
import HotlineCore

/// Turns a transaction's decisions and dispatch items into row values on another core while
/// the transaction decides the next reports, and hands them over, in order, before commit.
///
/// A decision's facts and trace as JSON, and a dispatch item's body through `JSONEncoder`,
/// were a third of an ingest batch's time on the one thread that holds the transaction,
/// while the second core waited. Nothing in the transaction reads these rows back except a
/// report's latest decision by client id, which ``summary(reportID:)`` answers.
final class DecisionRowEncoder: @unchecked Sendable {
    /// Rows of either table, in the order they were added.
    enum Row: Sendable {
        case decision([SQLValue])
        case item([SQLValue])
    }

    private enum Pending: Sendable {
        case decision(Decision)
        case item(DispatchItem)
    }

    /// How many values go to the other core at once: large enough that handing them over
    /// costs little, small enough that the last, encoded while the transaction waits, is short.
    private static let chunkSize = 64
    private static let queue = DispatchQueue(label: "hotline.store.row-encoder", attributes: .concurrent)

    private var pending: [Pending] = []
    /// Each report's latest verdict, summarized only when asked: a repeat within the batch is
    /// rare, and a summary encodes the actions as JSON.
    private var verdicts: [String: Verdict] = [:]
    private let group = DispatchGroup()
    private let lock = NSLock()
    private var chunks: [Int: Result<[Row], any Error>] = [:]
    private var chunkCount = 0

    func add(_ decision: Decision) {
        verdicts[decision.reportID] = decision.verdict
        append(.decision(decision))
    }

    func add(_ item: DispatchItem) { append(.item(item)) }

    /// Each report's latest verdict so far, for the next batch read ahead before these rows are written.
    var decided: [String: Verdict] { verdicts }

    /// The latest decision added for a report, which the database does not hold yet.
    func summary(reportID: String) -> DecisionSummary? { verdicts[reportID].map(DecisionSummary.init) }

    /// Every row added, in order; throws the first encoding error.
    func finish() throws -> [Row] {
        let last = pending
        pending = []
        let tail = Self.encode(last)
        group.wait()
        lock.lock()
        let encoded = (0..<chunkCount).map { chunks[$0]! }
        chunks = [:]
        chunkCount = 0
        lock.unlock()
        verdicts = [:]
        var rows: [Row] = []
        for chunk in encoded { rows += try chunk.get() }
        return rows + (try tail.get())
    }

    private func append(_ value: Pending) {
        pending.append(value)
        guard pending.count == Self.chunkSize else { return }
        let chunk = pending
        let index = chunkCount
        chunkCount += 1
        pending = []
        Self.queue.async(group: group) {
            let result = Self.encode(chunk)
            self.lock.lock()
            self.chunks[index] = result
            self.lock.unlock()
        }
    }

    private static func encode(_ values: [Pending]) -> Result<[Row], any Error> {
        Result {
            try values.map { value in
                switch value {
                case .decision(let decision): .decision(DecisionRow(decision).values)
                case .item(let item): .item(try DispatchItemRow(item: item).values)
                }
            }
        }
    }
}
