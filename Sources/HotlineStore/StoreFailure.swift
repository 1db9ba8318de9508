import GRDB
import HotlineCore

extension StoreFailure {
    /// The failure a SQLite or PostgreSQL error stands for, or nil for any other error.
    public init?(_ error: any Error) {
        if let postgres = error as? PostgresStoreError {
            switch postgres.code {
            case "53100": self = .full  // disk_full
            case "40001", "40P01", "55P03", "57014": self = .busy  // serialization, deadlock, lock or statement timeout
            default: return nil
            }
            return
        }
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

extension SQLStore {
    /// Disk full and busy, from either database's error codes.
    public func failure(of error: any Error) -> StoreFailure? { StoreFailure(error) }
}
