import Foundation
import HotlineCore

/// An external matcher in memory: answers with a closure over each file's bytes, and
/// remembers what it was asked (the size of each file, never the bytes).
public final class FakeExternalMatcher: ExternalMatcher, @unchecked Sendable {
    /// The name its matches are listed under.
    public let name: String
    private let lock = NSLock()
    private let answer: @Sendable ([UInt8]) -> ExternalMatchAnswer
    private var asked: [Int] = []

    /// Creates one answering with `answer` for each file's bytes.
    public init(name: String = "fake-matcher", answer: @escaping @Sendable ([UInt8]) -> ExternalMatchAnswer) {
        self.name = name
        self.answer = answer
    }

    /// Answers with the closure.
    public func match(_ query: ExternalMatchQuery) -> ExternalMatchAnswer {
        guard case .bytes(let bytes, _) = query else { return .unavailable("files only") }
        lock.withLock { asked.append(bytes.count) }
        return answer(bytes)
    }

    /// The sizes of the files it was asked about, in order.
    public var askedSizes: [Int] { lock.withLock { asked } }
}
