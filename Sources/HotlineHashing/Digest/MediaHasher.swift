import HotlineCore

/// Hashes one fetched file in memory for the evidence stage: MD5, SHA-1 and SHA-256 always;
/// PDQ with its quality for JPEG, PNG, GIF and WebP, on the fast path (JPEG and WebP decoded
/// at reduced size in the decoder). The bytes are not kept.
public enum MediaHasher {
    /// The shorter side an image is decoded down to for PDQ, at least: PDQ averages every
    /// image to 64 × 64, and at this size its hash stays within a few bits of the full-size
    /// decode (measured in `HotlineBench pdq-hashing` against the reference on the same files).
    public static let pdqDecodeSide = 384

    /// What `bytes`, fetched from `url`, are: digests, media type, and PDQ for images. With a
    /// `cache`, a file whose SHA-256 was hashed before is not decoded again: the digests are
    /// computed anyway (they are the key, and cheap beside decoding).
    public static func observe(
        _ bytes: [UInt8], url: String, declaredType: String?, limits: ImageLimits = .standard, cache: PDQCache? = nil
    ) -> ObservedMedia {
        let digests = ContentDigests(of: bytes)
        let format = bytes.withUnsafeBytes { ImageFormat.detect($0) }
        var media = ObservedMedia(
            url: url, mediaType: format?.mediaType ?? MediaSniffer.mediaType(bytes) ?? declaredType, bytes: bytes.count, md5: digests.md5, sha1: digests.sha1,
            sha256: digests.sha256)
        guard format != nil else { return media }
        if let known = cache?.entry(sha256: digests.sha256) {
            media.pdq = known.pdq
            media.quality = known.quality
            return media
        }
        if let image = try? ImageDecoder.decode(bytes, limits: limits, minimumSide: pdqDecodeSide) {
            let result = PDQ.hash(image)
            media.pdq = result.hash
            media.quality = result.quality
        }
        cache?.store(PDQCache.Entry(pdq: media.pdq, quality: media.quality), sha256: digests.sha256)
        return media
    }
}

/// The media types of what is not an image, from the first bytes: video containers and
/// pages, so that a mislabelled body is read as what it is.
public enum MediaSniffer {
    /// The media type of `bytes`, when their first bytes tell it.
    public static func mediaType(_ bytes: [UInt8]) -> String? {
        func starts(_ signature: [UInt8], at offset: Int = 0) -> Bool {
            bytes.count >= offset + signature.count && Array(bytes[offset..<(offset + signature.count)]) == signature
        }
        if let format = bytes.withUnsafeBytes({ ImageFormat.detect($0) }) { return format.mediaType }
        if starts(Array("ftyp".utf8), at: 4) { return "video/mp4" }
        if starts([0x1A, 0x45, 0xDF, 0xA3]) { return "video/webm" }
        if starts(Array("RIFF".utf8)) && starts(Array("AVI ".utf8), at: 8) { return "video/x-msvideo" }
        if starts([0x00, 0x00, 0x01, 0xBA]) || starts([0x00, 0x00, 0x01, 0xB3]) { return "video/mpeg" }
        if starts(Array("FLV".utf8)) { return "video/x-flv" }
        if isHTML(bytes) { return "text/html" }
        return nil
    }

    /// Whether `bytes` look like an HTML page (after whitespace and a byte-order mark).
    public static func isHTML(_ bytes: [UInt8]) -> Bool {
        var start = 0
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { start = 3 }
        while start < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[start]) { start += 1 }
        let head = String(decoding: bytes[start..<min(bytes.count, start + 512)], as: UTF8.self).lowercased()
        return head.hasPrefix("<!doctype html") || head.hasPrefix("<html") || head.hasPrefix("<head") || head.hasPrefix("<body")
            || (head.hasPrefix("<") && (head.contains("<img") || head.contains("<a ") || head.contains("<div") || head.contains("<meta")))
    }
}
