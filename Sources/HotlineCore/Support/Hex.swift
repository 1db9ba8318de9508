/// Lower-case hexadecimal text of bytes (digests, MACs).
///
/// Not `String(format: "%02x")` per byte: that goes through Foundation's formatter once per
/// byte, and hashing every request's bearer token that way was a tenth of the HTTP intake's
/// time in a profile.
public enum Hex {
    private static let digits = Array("0123456789abcdef".utf8)

    /// `bytes` as two lower-case hex digits each.
    public static func string(_ bytes: some Sequence<UInt8>) -> String {
        var text: [UInt8] = []
        text.reserveCapacity(bytes.underestimatedCount * 2)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
