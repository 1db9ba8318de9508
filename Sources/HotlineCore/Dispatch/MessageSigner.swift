/// Signs e-mailed notices, so that a hoster can tell a real notice from a forged one (a
/// "CSAM notice" is an obvious phishing lure). The renderer hands it the MIME entity to sign
/// (its header lines and body, CRLF line ends); it returns the `multipart/signed` that
/// replaces it. The S/MIME adapter is in HotlineSigning.
public protocol MessageSigner: Sendable {
    /// The `Content-Type` value and the body of the signed message built around `entity`.
    func sign(entity: [UInt8], boundary: String) throws(SigningError) -> (contentType: String, body: [UInt8])
}

/// A message that could not be signed; it is not sent unsigned.
public struct SigningError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong.
    public var description: String
    /// Creates the error.
    public init(_ description: String) { self.description = description }
}
