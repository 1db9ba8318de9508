import Foundation

extension IngestPipeline {
    /// A batch decided on another thread while the batch before it wrote and committed
    /// (``IngestPipeline/ingest(_:decidedAhead:next:)``).
    ///
    /// The writing thread of `hotline ingest` spent about half of each batch deciding and
    /// reading ahead, and the other half writing and committing, while the second core had
    /// room. Deciding the next batch beside the commit overlaps the two halves. Nothing is
    /// stored or answered earlier: the decisions are written in the next batch's own
    /// transaction, and only when nothing else wrote between.
    public final class DecidedAhead: @unchecked Sendable {
        /// Where batches are decided ahead: one at a time, in order.
        static var queue: DispatchQueue { decidingQueue }

        /// The batch it decided.
        let inputs: [IngestInput]
        /// The detached transaction its decisions are buffered in.
        let transaction: Store.Transaction
        /// Left when the deciding thread is done.
        let done = DispatchGroup()
        /// Set by the deciding thread before it leaves `done`.
        var result: Result<DecidedPart, any Error>?
        /// Whether the next batch's transaction took its decisions over (false: it decided
        /// the batch again, because something else wrote in between or deciding failed).
        public internal(set) var adopted = false

        init(inputs: [IngestInput], transaction: Store.Transaction) {
            self.inputs = inputs
            self.transaction = transaction
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
