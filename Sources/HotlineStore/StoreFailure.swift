import GRDB

/// Store failures that callers answer differently from bugs: the request can be sent again
/// once the operator acted, and nothing of it was written.
public enum StoreFailure: Sendable, Equatable {
    /// The disk (or the database's size limit) is full; the transaction was rolled back.
    case full
    /// The database stayed locked beyond the busy timeout.
    case busy

    /// The failure `error` stands for, or nil for any other error.
    public init?(_ error: any Error) {
        guard let database = error as? DatabaseError else { return nil }
        switch database.resultCode {
        case .SQLITE_FULL: self = .full
        case .SQLITE_BUSY, .SQLITE_LOCKED: self = .busy
        default:
            // SQLite reports a write that ran out of space in the journal as an I/O error with this extended code.
            if database.extendedResultCode == .SQLITE_IOERR_WRITE || database.extendedResultCode == .SQLITE_IOERR_FSYNC { self = .full } else { return nil }
        }
    }
}
