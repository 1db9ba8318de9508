import Foundation

/// Makes ids for reports, cases and decisions; a port so tests get predictable ids.
public protocol IDGenerator: Sendable {
    /// A new id, unique across instances of the gateway.
    func next() -> String
}

/// UUID version 7 (RFC 9562): time-ordered, so ids made close together sort together and
/// index well, and unique across gateway instances without coordination.
public struct UUIDv7Generator: IDGenerator {
    private let time: any TimeSource

    /// Creates a generator reading `time`.
    public init(time: any TimeSource = SystemTimeSource()) { self.time = time }

    /// A new UUIDv7 in lowercase text.
    public func next() -> String {
        let millis = UInt64(max(0, time.now().timeIntervalSince1970 * 1000))
        var random = SystemRandomNumberGenerator()
        let randA = UInt16.random(in: 0...0x0FFF, using: &random)
        let randB = UInt64.random(in: 0...UInt64.max, using: &random) & 0x3FFF_FFFF_FFFF_FFFF
        let high = (millis << 16) | 0x7000 | UInt64(randA)
        let low = 0x8000_0000_0000_0000 | randB
        let hex = hex16(high) + hex16(low)
        let chars = Array(hex)
        return String(chars[0..<8]) + "-" + String(chars[8..<12]) + "-" + String(chars[12..<16]) + "-" + String(chars[16..<20]) + "-" + String(chars[20..<32])
    }

    private func hex16(_ value: UInt64) -> String {
        let text = String(value, radix: 16)
        return String(repeating: "0", count: 16 - text.count) + text
    }
}
