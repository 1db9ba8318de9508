import Foundation

/// Delivery history per recipient address, from bounces.
public protocol AddressHealthStore: Sendable {
    /// Counts one bounce for `address`.
    func recordBounce(address: String, status: String, at date: Date) throws
    /// Bounces per address (lowercase).
    func bounceCounts() throws -> [String: Int]
}
