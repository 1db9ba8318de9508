import CPNG
import CTurboJPEG

/// Encodes RGB pixels to PNG or JPEG in memory: for tests and benchmarks that need image
/// files without keeping any on disk.
public enum ImageEncoder {
    /// A PNG of `image`.
    public static func png(_ image: DecodedImage) -> [UInt8]? {
        var png = png_image()
        png.version = hotline_png_image_version
        png.width = UInt32(image.width)
        png.height = UInt32(image.height)
        png.format = hotline_png_format_rgb
        var size = 0
        let measured = image.rgb.withUnsafeBytes { png_image_write_to_memory(&png, nil, &size, 0, $0.baseAddress, 0, nil) }
        guard measured != 0, size > 0 else { return nil }
        var output = [UInt8](repeating: 0, count: size)
        let written = image.rgb.withUnsafeBytes { pixels in
            output.withUnsafeMutableBytes { png_image_write_to_memory(&png, $0.baseAddress, &size, 0, pixels.baseAddress, 0, nil) }
        }
        guard written != 0 else { return nil }
        return Array(output.prefix(size))
    }

    /// A baseline JPEG of `image` at `quality` (1-100), 4:2:0.
    public static func jpeg(_ image: DecodedImage, quality: Int = 90) -> [UInt8]? {
        guard let handle = tjInitCompress() else { return nil }
        defer { tjDestroy(handle) }
        var buffer: UnsafeMutablePointer<UInt8>?
        var size: UInt = 0
        let status = image.rgb.withUnsafeBufferPointer {
            tjCompress2(
                handle, $0.baseAddress, Int32(image.width), 0, Int32(image.height), Int32(TJPF_RGB.rawValue), &buffer, &size, Int32(TJSAMP_420.rawValue),
                Int32(quality), 0)
        }
        defer { tjFree(buffer) }
        guard status == 0, let buffer else { return nil }
        return Array(UnsafeBufferPointer(start: buffer, count: Int(size)))
    }
}
