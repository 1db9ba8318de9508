import Crypto
import HotlineCore

extension VideoHash {
    /// ``VideoListEntry/id``: the SHA-256 of ``signalString``, lowercase hex.
    public var id: String { SHA256.hash(data: Array(signalString.utf8)).map { hexDigits[Int($0 >> 4)] + hexDigits[Int($0 & 15)] }.joined() }
}

private let hexDigits = (0..<16).map { String($0, radix: 16) }
