import Foundation

/// Reporters' contact details, kept apart from reports so they can be erased on their own
/// schedule (personal data).
public protocol ContactRetention: Sendable {
    /// Erases the details stored before `cutoff`; returns how many. Audited by count, never
    /// the details.
    func purgeReporterContacts(before cutoff: Date, actor: String, at date: Date) throws -> Int
    /// How many are stored.
    func reporterContactCount() throws -> Int
}
