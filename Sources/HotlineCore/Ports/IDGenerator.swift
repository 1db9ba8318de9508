import Foundation

/// Makes ids for reports, cases and decisions; a port so tests get predictable ids.
public protocol IDGenerator: Sendable {
    /// A new id, unique across instances of the gateway.
    func next() -> String
}

/// UUID version 7 (RFC 9562): time-ordered, so ids made close together sort together and
/// index well, and unique across gateway instances without coordination.
///
/// The 74 random bits come from a xorshift generator seeded once from the system's random
/// source: asking the kernel for every id cost a system call per report. Within one
/// millisecond the ids of one generator count up from the first (RFC 9562, 6.2 method 2),
/// so they sort in the order they were made: reports read from one file keep their order.
public final class UUIDv7Generator: IDGenerator, @unchecked Sendable {
    private let time: any TimeSource
    private let lock = NSLock()
    private var state: (UInt64, UInt64)
    private var last: (high: UInt64, low: UInt64) = (0, 0)

    /// Creates a generator reading `time`.
    public init(time: any TimeSource = SystemTimeSource()) {
        self.time = time
        var system = SystemRandomNumberGenerator()
        state = (system.next() | 1, system.next() | 1)
    }

    /// Called with the lock held.
    private func random() -> UInt64 {
        // xorshift128+
        var s1 = state.0
        let s0 = state.1
        state.0 = s0
        s1 ^= s1 << 23
        state.1 = s1 ^ s0 ^ (s1 >> 17) ^ (s0 >> 26)
        return state.1 &+ s0
    }

    /// A new UUIDv7 in lowercase text.
    public func next() -> String {
        let millis = UInt64(max(0, time.now().timeIntervalSince1970 * 1000))
        let (high, low): (UInt64, UInt64) = lock.withLock {
            var high: UInt64
            var low: UInt64
            if millis > last.high >> 16 {
                high = (millis << 16) | 0x7000 | (random() & 0x0FFF)
                // The counter starts low in its range, so counting up rarely overflows.
                low = 0x8000_0000_0000_0000 | (random() & 0x1FFF_FFFF_FFFF_FFFF)
            } else {
                // The same millisecond (or a clock set back): one more than the last id.
                (high, low) = last
                if low & 0x3FFF_FFFF_FFFF_FFFF == 0x3FFF_FFFF_FFFF_FFFF {
                    low = 0x8000_0000_0000_0000
                    high += 1
                } else {
                    low += 1
                }
            }
            last = (high, low)
            return (high, low)
        }
        return String(unsafeUninitializedCapacity: 36) { buffer in
            var position = 0
            for (index, value) in [high, low].enumerated() {
                for nibble in 0..<16 {
                    let digit = Int((value >> UInt64(60 - nibble * 4)) & 0xF)
                    let hexIndex = index * 16 + nibble
                    if hexIndex == 8 || hexIndex == 12 || hexIndex == 16 || hexIndex == 20 {
                        buffer[position] = UInt8(ascii: "-")
                        position += 1
                    }
                    buffer[position] = HexDigits.table[digit]
                    position += 1
                }
            }
            return position
        }
    }
}

private enum HexDigits {
    static let table: [UInt8] = Array("0123456789abcdef".utf8)
}
