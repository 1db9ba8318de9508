import Crypto
import HotlineCore

extension VideoHash {
    /// ``VideoListEntry/id``: the SHA-256 of ``signalString``, lowercase hex.
    public var id: String { ContentDigests.hex(SHA256.hash(data: Array(signalString.utf8))) }
}
