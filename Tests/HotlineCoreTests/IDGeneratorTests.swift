import Foundation
import HotlineTesting
import Testing

@testable import HotlineCore

@Suite struct IDGeneratorTests {
    @Test func idsOfOneMillisecondCountUpSoTheySortInTheOrderMade() {
        let clock = ManualTimeSource(Date(timeIntervalSince1970: 1_798_000_000.123))
        let ids = UUIDv7Generator(time: clock)
        let made = (0..<5000).map { _ in ids.next() }
        #expect(made == made.sorted())
        #expect(Set(made).count == made.count)
        #expect(made.allSatisfy { $0.count == 36 && Array($0)[14] == "7" && "89ab".contains(Array($0)[19]) }, "version 7, RFC 4122 variant")
        // A clock set back keeps counting from the last id instead of going back.
        clock.advance(by: -10)
        let after = ids.next()
        #expect(after > made.last!)
        clock.advance(by: 20)
        let later = ids.next()
        // And a later millisecond starts from its own time again.
        let millis = String(format: "%012llx", UInt64((clock.now().timeIntervalSince1970 * 1000).rounded(.down)))
        #expect(later > after && later.replacingOccurrences(of: "-", with: "").hasPrefix(millis), "\(later) \(millis)")
    }
}
