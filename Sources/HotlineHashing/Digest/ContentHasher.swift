import HotlineCore

/// Everything the gateway computes from a file's bytes, in memory.
public struct ContentHashes: Sendable {
    /// MD5, SHA-1, SHA-256.
    public var digests: ContentDigests
    /// The image format, when the bytes are an image we recognise.
    public var format: ImageFormat?
    /// Width and height, for decoded images.
    public var size: (width: Int, height: Int)?
    /// PDQ, for decoded images.
    public var pdq: PDQResult?
    /// Why there is no PDQ for a recognised image (unsupported, too large, corrupt).
    public var imageError: ImageDecodeError?

    /// `{"md5","sha1","sha256","media_type","width","height","pdq","pdq_quality"}`, or with
    /// `pdq_error` and `pdq_error_code` in place of the PDQ fields.
    public var json: JSONObject {
        var object: JSONObject = ["md5": .string(digests.md5), "sha1": .string(digests.sha1), "sha256": .string(digests.sha256)]
        if let format { object.append("media_type", .string(format.mediaType)) }
        if let size {
            object.append("width", .number(Double(size.width)))
            object.append("height", .number(Double(size.height)))
        }
        if let pdq {
            object.append("pdq", .string(pdq.hash.description))
            object.append("pdq_quality", .number(Double(pdq.quality)))
        }
        if let imageError {
            object.append("pdq_error", .string(imageError.message))
            object.append("pdq_error_code", .string(imageError.code))
        }
        return object
    }
}

/// Hashes content: digests always, PDQ for JPEG and PNG. Nothing decoded leaves memory.
public enum ContentHasher {
    /// Hashes `bytes`.
    public static func hash(_ bytes: [UInt8], limits: ImageLimits = .standard) -> ContentHashes {
        var result = ContentHashes(digests: ContentDigests(of: bytes))
        result.format = bytes.withUnsafeBytes { ImageFormat.detect($0) }
        guard result.format != nil else { return result }
        do {
            let image = try ImageDecoder.decode(bytes, limits: limits)
            result.size = (image.width, image.height)
            result.pdq = PDQ.hash(image)
        } catch {
            result.imageError = error
        }
        return result
    }
}
