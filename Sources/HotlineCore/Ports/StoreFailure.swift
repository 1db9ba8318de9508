/// Store failures that callers answer differently from bugs: the request can be sent again
/// once the operator acted, and nothing of it was written.
public enum StoreFailure: Error, Sendable, Equatable {
    /// The disk (or the database's size limit) is full; the transaction was rolled back.
    case full
    /// The database stayed locked beyond the busy timeout.
    case busy
}

/// Tells which of a store's errors are ``StoreFailure``s.
public protocol StoreFailureClassifying: Sendable {
    /// The failure `error` stands for, or `nil` for any other error.
    func failure(of error: any Error) -> StoreFailure?
}
