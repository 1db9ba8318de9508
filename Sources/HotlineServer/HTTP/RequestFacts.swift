import Foundation

/// Facts about one request that the access log reports after inner middleware set them.
public final class RequestFacts: @unchecked Sendable {
    private let lock = NSLock()
    private var _tokenID: String?

    /// Creates empty facts.
    public init() {}

    /// The id of the token that authenticated the request (never the token itself).
    public var tokenID: String? {
        get { lock.withLock { _tokenID } }
        set { lock.withLock { _tokenID = newValue } }
    }
}
