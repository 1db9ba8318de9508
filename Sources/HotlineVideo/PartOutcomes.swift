import Foundation
import HotlineCore

/// What each part's thread returned, collected under a lock.
final class PartOutcomes: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [Result<([VideoFrameHash], Int), VideoHashError>?]

    init(count: Int) { stored = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ result: Result<([VideoFrameHash], Int), VideoHashError>) {
        lock.withLock { stored[index] = result }
    }

    var results: [Result<([VideoFrameHash], Int), VideoHashError>] {
        lock.withLock { stored.map { $0 ?? .failure(.decodeFailed("a part was not decoded")) } }
    }
}
