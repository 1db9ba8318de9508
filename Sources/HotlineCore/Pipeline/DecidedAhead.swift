import Foundation

extension IngestPipeline {
    /// A batch decided on another thread while the batch before it wrote and committed
    /// (``IngestPipeline/ingest(_:next:)-([IngestInput],_)``).
    ///
    /// The writing thread of `hotline ingest` spent about a third of each batch reading ahead
    /// and deciding, and the rest writing and committing, while the second core had room.
    /// Deciding the next batch beside the commit overlaps the two. Nothing is
    /// stored or answered earlier: the decisions are written in the next batch's own
    /// transaction, and only when nothing else wrote between.
    public final class DecidedAhead: @unchecked Sendable {
        /// Where batches are decided ahead: one at a time, in order.
        static var queue: DispatchQueue { decidingQueue }

        /// The detached transaction its decisions are buffered in.
        let transaction: Store.Transaction
        /// Left when the deciding thread is done.
        let done = DispatchGroup()
        /// The batch it decided: set by the deciding thread before it leaves `done`.
        var inputs: [IngestInput] = []
        /// What came of it, likewise.
        var result: Result<DecidedPart, any Error>?
        /// Whether the next batch's transaction took its decisions over (false: it decided
        /// the batch again, because something else wrote in between or deciding failed).
        public internal(set) var adopted = false

        init(transaction: Store.Transaction) { self.transaction = transaction }

        /// The batch it decided, once the deciding thread is done.
        func decidedInputs() -> [IngestInput] {
            done.wait()
            return inputs
        }

        /// Its decisions, once the deciding thread is done, unless it failed. A failure
        /// (such as a lookup it had not read ahead) is not reported: the batch is decided
        /// again in its own transaction, and fails there if it must.
        func decided() -> (part: DecidedPart, transaction: Store.Transaction)? {
            done.wait()
            guard case .success(let part)? = result else { return nil }
            return (part, transaction)
        }
    }
}

/// One queue for every pipeline: a generic type cannot hold a static stored property.
private let decidingQueue = DispatchQueue(label: "hotline.ingest.decide-ahead")
