import Foundation

/// API bearer tokens, kept by the SHA-256 of their secrets.
public protocol TokenStore: Sendable {
    /// Stores a token by the SHA-256 of its secret (audited).
    func insertToken(_ token: APIToken, secretHash: String) throws
    /// The token whose secret hashes to `secretHash`, revoked or not.
    func token(secretHash: String) throws -> APIToken?
    /// Every token, newest first.
    func tokens() throws -> [APIToken]
    /// Revokes a token (audited); `false` when there is no such live token.
    func revokeToken(id: String, at date: Date, actor: String) throws -> Bool
}
