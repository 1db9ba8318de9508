/// An image decoded to 8-bit RGB, row-major, in memory only.
public struct DecodedImage: Sendable {
    /// Width in pixels.
    public var width: Int
    /// Height in pixels.
    public var height: Int
    /// `width * height * 3` bytes, R G B per pixel.
    public var rgb: [UInt8]
    /// The size of the image in the file, when it was decoded smaller (DCT scaling): PDQ
    /// then filters as it would at that size.
    public var sourceWidth: Int
    /// The height of the image in the file.
    public var sourceHeight: Int

    /// Creates an image; `sourceWidth`/`sourceHeight` default to its own size.
    public init(width: Int, height: Int, rgb: [UInt8], sourceWidth: Int? = nil, sourceHeight: Int? = nil) {
        precondition(rgb.count == width * height * 3)
        self.width = width
        self.height = height
        self.rgb = rgb
        self.sourceWidth = sourceWidth ?? width
        self.sourceHeight = sourceHeight ?? height
    }

    /// Whether it was decoded at less than its size in the file.
    public var isScaled: Bool { sourceWidth != width || sourceHeight != height }
}

/// The image formats recognised by their first bytes.
public enum ImageFormat: String, Sendable {
    /// JPEG, decoded with libjpeg-turbo.
    case jpeg
    /// PNG, decoded with libpng.
    case png
    /// GIF, its first frame decoded with giflib.
    case gif
    /// WebP, decoded with libwebp.
    case webp
    /// Recognised but not decoded.
    case bmp, tiff

    /// The format of `bytes`, from their signature; `nil` when they are not an image we know.
    public static func detect(_ bytes: UnsafeRawBufferPointer) -> ImageFormat? {
        func starts(_ signature: [UInt8], at offset: Int = 0) -> Bool {
            bytes.count >= offset + signature.count && zip(bytes[offset..<(offset + signature.count)], signature).allSatisfy { $0 == $1 }
        }
        if starts([0xFF, 0xD8, 0xFF]) { return .jpeg }
        if starts([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
        if starts(Array("GIF8".utf8)) { return .gif }
        if starts(Array("RIFF".utf8)) && starts(Array("WEBP".utf8), at: 8) { return .webp }
        if starts(Array("BM".utf8)) { return .bmp }
        if starts([0x49, 0x49, 0x2A, 0x00]) || starts([0x4D, 0x4D, 0x00, 0x2A]) { return .tiff }
        return nil
    }

    /// The media type.
    public var mediaType: String {
        switch self {
        case .jpeg: "image/jpeg"
        case .png: "image/png"
        case .gif: "image/gif"
        case .webp: "image/webp"
        case .bmp: "image/bmp"
        case .tiff: "image/tiff"
        }
    }
}

/// Why an image could not be decoded.
public struct ImageDecodeError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Stable code: `unsupported-format`, `too-large`, `corrupt`.
    public var code: String
    /// What is wrong.
    public var message: String
    /// The message.
    public var description: String { message }
}

/// Bounds on what is decoded, against decompression bombs: a small file can declare an
/// enormous image, and the header is checked before any pixel memory is allocated.
public struct ImageLimits: Sendable {
    /// Most pixels (width × height).
    public var maximumPixels: Int
    /// Longest side.
    public var maximumSide: Int

    /// Creates limits.
    public init(maximumPixels: Int = 50_000_000, maximumSide: Int = 30_000) {
        self.maximumPixels = maximumPixels
        self.maximumSide = maximumSide
    }

    /// The defaults: 50 megapixels, 30,000 pixels a side.
    public static let standard = ImageLimits()

    func check(width: Int, height: Int) throws(ImageDecodeError) {
        if width <= 0 || height <= 0 {
            throw ImageDecodeError(code: "corrupt", message: "image has no pixels (\(width)x\(height))")
        }
        if width > maximumSide || height > maximumSide || width * height > maximumPixels {
            throw ImageDecodeError(code: "too-large", message: "image is \(width)x\(height); the limit is \(maximumPixels) pixels and \(maximumSide) a side")
        }
    }
}
