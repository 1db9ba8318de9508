import CPNG
import CTurboJPEG

/// Decodes JPEG and PNG to RGB in memory.
///
/// Alpha is dropped rather than composited, and grey is replicated to RGB, the way the
/// reference PDQ tooling (Pillow's `convert("RGB")`) sees images.
public enum ImageDecoder {
    /// Decodes `bytes`, checking the declared size against `limits` before decoding.
    public static func decode(_ bytes: [UInt8], limits: ImageLimits = .standard) throws(ImageDecodeError) -> DecodedImage {
        let format = bytes.withUnsafeBytes { ImageFormat.detect($0) }
        switch format {
        case .jpeg: return try decodeJPEG(bytes, limits: limits)
        case .png: return try decodePNG(bytes, limits: limits)
        case .some(let other):
            throw ImageDecodeError(
                code: "unsupported-format", message: "\(other.rawValue.uppercased()) images are not decoded; PDQ is computed for JPEG and PNG")
        case .none:
            throw ImageDecodeError(code: "unsupported-format", message: "not a JPEG or PNG image")
        }
    }

    static func decodeJPEG(_ bytes: [UInt8], limits: ImageLimits) throws(ImageDecodeError) -> DecodedImage {
        guard let handle = tjInitDecompress() else {
            throw ImageDecodeError(code: "corrupt", message: "libjpeg-turbo could not be initialised")
        }
        defer { tjDestroy(handle) }
        var width: Int32 = 0
        var height: Int32 = 0
        var subsampling: Int32 = 0
        var colorspace: Int32 = 0
        let size = UInt(bytes.count)
        let header = bytes.withUnsafeBufferPointer { tjDecompressHeader3(handle, $0.baseAddress, size, &width, &height, &subsampling, &colorspace) }
        if header != 0 {
            throw ImageDecodeError(code: "corrupt", message: "JPEG: " + String(cString: tjGetErrorStr2(handle)))
        }
        try limits.check(width: Int(width), height: Int(height))
        if colorspace == Int32(TJCS_CMYK.rawValue) || colorspace == Int32(TJCS_YCCK.rawValue) {
            throw ImageDecodeError(code: "unsupported-format", message: "CMYK JPEG images are not decoded")
        }
        var rgb = [UInt8](repeating: 0, count: Int(width) * Int(height) * 3)
        let status = bytes.withUnsafeBufferPointer { input in
            rgb.withUnsafeMutableBufferPointer { output in
                tjDecompress2(handle, input.baseAddress, size, output.baseAddress, width, 0, height, Int32(TJPF_RGB.rawValue), 0)
            }
        }
        // A warning (e.g. a truncated scan) still yields an image, as other decoders show it.
        if status != 0 && tjGetErrorCode(handle) != Int32(TJERR_WARNING.rawValue) {
            throw ImageDecodeError(code: "corrupt", message: "JPEG: " + String(cString: tjGetErrorStr2(handle)))
        }
        return DecodedImage(width: Int(width), height: Int(height), rgb: rgb)
    }

    static func decodePNG(_ bytes: [UInt8], limits: ImageLimits) throws(ImageDecodeError) -> DecodedImage {
        var image = png_image()
        image.version = hotline_png_image_version
        func message(_ image: inout png_image) -> String {
            withUnsafeBytes(of: &image.message) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
        }
        let began = bytes.withUnsafeBufferPointer { png_image_begin_read_from_memory(&image, $0.baseAddress, $0.count) }
        guard began != 0 else {
            throw ImageDecodeError(code: "corrupt", message: "PNG: " + message(&image))
        }
        do {
            try limits.check(width: Int(image.width), height: Int(image.height))
        } catch {
            png_image_free(&image)
            throw error
        }
        image.format = hotline_png_format_rgba
        let width = Int(image.width)
        let height = Int(image.height)
        var rgba = [UInt8](repeating: 0, count: width * height * 4)
        let finished = rgba.withUnsafeMutableBytes { png_image_finish_read(&image, nil, $0.baseAddress, 0, nil) }
        guard finished != 0 else {
            let text = message(&image)
            png_image_free(&image)
            throw ImageDecodeError(code: "corrupt", message: "PNG: " + text)
        }
        var rgb = [UInt8](repeating: 0, count: width * height * 3)
        rgba.withUnsafeBufferPointer { source in
            rgb.withUnsafeMutableBufferPointer { target in
                for pixel in 0..<(width * height) {
                    target[pixel * 3] = source[pixel * 4]
                    target[pixel * 3 + 1] = source[pixel * 4 + 1]
                    target[pixel * 3 + 2] = source[pixel * 4 + 2]
                }
            }
        }
        return DecodedImage(width: width, height: height, rgb: rgb)
    }
}
