import Crypto
import Foundation

/// The exact hashes hotlines exchange: MD5 and SHA-1 (still the exchange formats) and SHA-256.
public struct ContentDigests: Hashable, Sendable {
    /// MD5, lowercase hex.
    public var md5: String
    /// SHA-1, lowercase hex.
    public var sha1: String
    /// SHA-256, lowercase hex.
    public var sha256: String

    /// Digests of `bytes`.
    public init<Bytes: DataProtocol>(of bytes: Bytes) {
        md5 = ContentDigests.hex(Insecure.MD5.hash(data: bytes))
        sha1 = ContentDigests.hex(Insecure.SHA1.hash(data: bytes))
        sha256 = ContentDigests.hex(SHA256.hash(data: bytes))
    }

    static func hex<D: Sequence>(_ digest: D) -> String where D.Element == UInt8 {
        let digits = Array("0123456789abcdef".utf8)
        var bytes: [UInt8] = []
        for byte in digest {
            bytes.append(digits[Int(byte >> 4)])
            bytes.append(digits[Int(byte & 0xF)])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
