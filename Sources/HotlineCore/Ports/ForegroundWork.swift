import Foundation

/// Work a person waits for, such as a reporter's request that is answered only after its report
/// is durable. Background stages give it the store first: before they write they wait until it
/// is idle, for a bounded time so that under steady load they are delayed, never starved.
public protocol ForegroundWork: Sendable {
    /// Returns once no foreground work is waiting or being stored, or after `limit` seconds.
    func waitUntilIdle(atMost limit: TimeInterval)
}
