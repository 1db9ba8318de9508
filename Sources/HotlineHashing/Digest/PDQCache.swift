import Foundation
import HotlineCore

/// PDQ results by the SHA-256 of the file they came from, in memory, so that the same file
/// reported again (the usual case for known material: one file at many URLs and in many
/// reports) is not decoded again. Only hashes are kept: a SHA-256 and its PDQ and quality,
/// never a byte of the file.
///
/// Bounded by two generations: when the current one is full it becomes the previous one
/// and the oldest is dropped, so a hit keeps an entry alive and memory stays at most twice
/// `capacity` entries (about 200 bytes each).
public final class PDQCache: @unchecked Sendable {
    /// What is known about a file.
    public struct Entry: Hashable, Sendable {
        /// Its PDQ hash, when it decoded as an image.
        public var pdq: PDQHash?
        /// PDQ's quality.
        public var quality: Int?
    }

    /// Entries per generation.
    public let capacity: Int
    private let lock = NSLock()
    private var current: [String: Entry] = [:]
    private var previous: [String: Entry] = [:]
    private var hitCount = 0
    private var missCount = 0

    /// A cache of up to `capacity` entries per generation.
    public init(capacity: Int = 50_000) {
        self.capacity = max(1, capacity)
    }

    /// The entry for the file with this SHA-256, if it was hashed before.
    public func entry(sha256: String) -> Entry? {
        lock.withLock {
            if let entry = current[sha256] {
                hitCount += 1
                return entry
            }
            if let entry = previous[sha256] {
                hitCount += 1
                insertLocked(sha256, entry)
                return entry
            }
            missCount += 1
            return nil
        }
    }

    /// Remembers what the file with this SHA-256 gave.
    public func store(_ entry: Entry, sha256: String) {
        lock.withLock { insertLocked(sha256, entry) }
    }

    /// Hits and misses so far, for benchmarks and metrics.
    public var counts: (hits: Int, misses: Int) { lock.withLock { (hitCount, missCount) } }

    private func insertLocked(_ key: String, _ entry: Entry) {
        if current.count >= capacity {
            previous = current
            current = [:]
            current.reserveCapacity(capacity)
        }
        current[key] = entry
    }
}
