import CGIF
import CPNG
import CTurboJPEG
import CWebP

/// Decodes JPEG, PNG, GIF (the first frame) and WebP to RGB in memory.
///
/// Alpha is dropped rather than composited, and grey is replicated to RGB, the way the
/// reference PDQ tooling (Pillow's `convert("RGB")`) sees images.
public enum ImageDecoder {
    /// Decodes `bytes`, checking the declared size against `limits` before decoding.
    ///
    /// With `minimumSide`, a JPEG or WebP is decoded at the smallest size its decoder can
    /// scale to whose shorter side is still at least that long (libjpeg-turbo scales in the
    /// DCT, by eighths): PDQ averages the image down to 64 × 64 anyway, so most of the pixels
    /// of a large photo need never be computed.
    public static func decode(_ bytes: [UInt8], limits: ImageLimits = .standard, minimumSide: Int? = nil) throws(ImageDecodeError) -> DecodedImage {
        let format = bytes.withUnsafeBytes { ImageFormat.detect($0) }
        switch format {
        case .jpeg: return try decodeJPEG(bytes, limits: limits, minimumSide: minimumSide)
        case .png: return try decodePNG(bytes, limits: limits)
        case .gif: return try decodeGIF(bytes, limits: limits)
        case .webp: return try decodeWebP(bytes, limits: limits, minimumSide: minimumSide)
        case .some(let other):
            throw ImageDecodeError(
                code: "unsupported-format", message: "\(other.rawValue.uppercased()) images are not decoded; PDQ is computed for JPEG, PNG, GIF and WebP")
        case .none:
            throw ImageDecodeError(code: "unsupported-format", message: "not a JPEG, PNG, GIF or WebP image")
        }
    }

    /// The size a `width` × `height` image is decoded at for `minimumSide`: the smallest of
    /// `scales` (numerator, denominator) that keeps the shorter side at least that long.
    static func scaled(width: Int, height: Int, minimumSide: Int?, scales: [(Int, Int)]) -> (width: Int, height: Int) {
        guard let minimumSide else { return (width, height) }
        var best = (width, height)
        for (numerator, denominator) in scales where numerator <= denominator {
            let w = (width * numerator + denominator - 1) / denominator
            let h = (height * numerator + denominator - 1) / denominator
            if min(w, h) >= minimumSide && w * h < best.0 * best.1 { best = (w, h) }
        }
        return best
    }

    static let jpegScales: [(Int, Int)] = {
        var count: Int32 = 0
        guard let factors = tjGetScalingFactors(&count) else { return [(1, 1)] }
        return (0..<Int(count)).map { (Int(factors[$0].num), Int(factors[$0].denom)) }
    }()

    static func decodeJPEG(_ bytes: [UInt8], limits: ImageLimits, minimumSide: Int? = nil) throws(ImageDecodeError) -> DecodedImage {
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
        let target = scaled(width: Int(width), height: Int(height), minimumSide: minimumSide, scales: jpegScales)
        var rgb = [UInt8](repeating: 0, count: target.width * target.height * 3)
        // LIMITSCANS: a progressive JPEG with thousands of scans (a CPU bomb) is refused.
        let flags = TJFLAG_LIMITSCANS | (minimumSide == nil ? 0 : TJFLAG_FASTUPSAMPLE)
        let status = bytes.withUnsafeBufferPointer { input in
            rgb.withUnsafeMutableBufferPointer { output in
                tjDecompress2(
                    handle, input.baseAddress, size, output.baseAddress, Int32(target.width), 0, Int32(target.height), Int32(TJPF_RGB.rawValue), flags)
            }
        }
        // A warning (e.g. a truncated scan) still yields an image, as other decoders show it.
        if status != 0 && tjGetErrorCode(handle) != Int32(TJERR_WARNING.rawValue) {
            throw ImageDecodeError(code: "corrupt", message: "JPEG: " + String(cString: tjGetErrorStr2(handle)))
        }
        return DecodedImage(width: target.width, height: target.height, rgb: rgb, sourceWidth: Int(width), sourceHeight: Int(height))
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

    static func decodeGIF(_ bytes: [UInt8], limits: ImageLimits) throws(ImageDecodeError) -> DecodedImage {
        try bytes.withUnsafeBufferPointer { (input) throws(ImageDecodeError) -> DecodedImage in
            var buffer = hotline_gif_buffer(bytes: input.baseAddress, length: input.count, offset: 0)
            var error: Int32 = 0
            guard let gif = hotline_gif_open(&buffer, &error) else {
                throw ImageDecodeError(code: "corrupt", message: "GIF: " + (GifErrorString(error).map { String(cString: $0) } ?? "unreadable"))
            }
            defer { DGifCloseFile(gif, &error) }
            let width = Int(gif.pointee.SWidth)
            let height = Int(gif.pointee.SHeight)
            try limits.check(width: width, height: height)
            guard width > 0, height > 0 else { throw ImageDecodeError(code: "corrupt", message: "GIF: no screen size") }
            func failure() -> ImageDecodeError {
                ImageDecodeError(code: "corrupt", message: "GIF: " + (GifErrorString(gif.pointee.Error).map { String(cString: $0) } ?? "unreadable"))
            }
            func palette(_ map: UnsafeMutablePointer<ColorMapObject>?) -> [(UInt8, UInt8, UInt8)] {
                guard let map, let colors = map.pointee.Colors else { return [] }
                return (0..<Int(map.pointee.ColorCount)).map { (colors[$0].Red, colors[$0].Green, colors[$0].Blue) }
            }
            let screen = palette(gif.pointee.SColorMap)
            let background = Int(gif.pointee.SBackGroundColor) < screen.count ? screen[Int(gif.pointee.SBackGroundColor)] : (0, 0, 0)
            var rgb = [UInt8](repeating: 0, count: width * height * 3)
            for pixel in 0..<(width * height) {
                rgb[pixel * 3] = background.0
                rgb[pixel * 3 + 1] = background.1
                rgb[pixel * 3 + 2] = background.2
            }
            // The first image only: an animation's other frames are not what PDQ hashes.
            while true {
                var type = GifRecordType(0)
                guard DGifGetRecordType(gif, &type) == GIF_OK else { throw failure() }
                switch type {
                case IMAGE_DESC_RECORD_TYPE:
                    guard DGifGetImageDesc(gif) == GIF_OK else { throw failure() }
                    let frame = gif.pointee.Image
                    let left = Int(frame.Left)
                    let top = Int(frame.Top)
                    let w = Int(frame.Width)
                    let h = Int(frame.Height)
                    guard w > 0, h > 0, w <= limits.maximumSide, h <= limits.maximumSide, w * h <= limits.maximumPixels else {
                        throw ImageDecodeError(code: "too-large", message: "GIF: a frame of \(w) × \(h) pixels is outside the limits")
                    }
                    let colors = frame.ColorMap != nil ? palette(frame.ColorMap) : screen
                    var line = [GifPixelType](repeating: 0, count: w)
                    // Interlaced images come in four passes of rows.
                    let rows: [Int] =
                        frame.Interlace
                        ? Array(stride(from: 0, to: h, by: 8)) + Array(stride(from: 4, to: h, by: 8)) + Array(stride(from: 2, to: h, by: 4))
                            + Array(stride(from: 1, to: h, by: 2))
                        : Array(0..<h)
                    for row in rows {
                        guard DGifGetLine(gif, &line, Int32(w)) == GIF_OK else { throw failure() }
                        let y = top + row
                        guard y < height else { continue }
                        for x in 0..<w where left + x < width {
                            let index = Int(line[x])
                            guard index < colors.count else { continue }
                            let offset = (y * width + left + x) * 3
                            (rgb[offset], rgb[offset + 1], rgb[offset + 2]) = colors[index]
                        }
                    }
                    return DecodedImage(width: width, height: height, rgb: rgb)
                case EXTENSION_RECORD_TYPE:
                    var code: Int32 = 0
                    var block: UnsafeMutablePointer<GifByteType>?
                    guard DGifGetExtension(gif, &code, &block) == GIF_OK else { throw failure() }
                    while block != nil {
                        guard DGifGetExtensionNext(gif, &block) == GIF_OK else { throw failure() }
                    }
                case TERMINATE_RECORD_TYPE:
                    throw ImageDecodeError(code: "corrupt", message: "GIF: no image")
                default:
                    continue
                }
            }
        }
    }

    static func decodeWebP(_ bytes: [UInt8], limits: ImageLimits, minimumSide: Int? = nil) throws(ImageDecodeError) -> DecodedImage {
        var config = WebPDecoderConfig()
        guard hotline_webp_init_config(&config) != 0 else { throw ImageDecodeError(code: "corrupt", message: "WebP: libwebp could not be initialised") }
        let found = bytes.withUnsafeBufferPointer { hotline_webp_get_features($0.baseAddress, $0.count, &config.input) }
        guard found != 0 else { throw ImageDecodeError(code: "corrupt", message: "WebP: not a readable WebP image") }
        let width = Int(config.input.width)
        let height = Int(config.input.height)
        try limits.check(width: width, height: height)
        // libwebp scales to any size while decoding; the same eighths as JPEG keep the two alike.
        let target = scaled(width: width, height: height, minimumSide: minimumSide, scales: (1...8).map { ($0, 8) })
        if target.width != width || target.height != height {
            config.options.use_scaling = 1
            config.options.scaled_width = Int32(target.width)
            config.options.scaled_height = Int32(target.height)
        }
        config.output.colorspace = MODE_RGB
        let status = bytes.withUnsafeBufferPointer { WebPDecode($0.baseAddress, $0.count, &config) }
        defer { WebPFreeDecBuffer(&config.output) }
        guard status == VP8_STATUS_OK, let pixels = config.output.u.RGBA.rgba else {
            throw ImageDecodeError(code: "corrupt", message: "WebP: the image does not decode (status \(status.rawValue))")
        }
        let outWidth = Int(config.output.width)
        let outHeight = Int(config.output.height)
        let stride = Int(config.output.u.RGBA.stride)
        var rgb = [UInt8](repeating: 0, count: outWidth * outHeight * 3)
        rgb.withUnsafeMutableBufferPointer { target in
            for row in 0..<outHeight {
                (target.baseAddress! + row * outWidth * 3).update(from: pixels + row * stride, count: outWidth * 3)
            }
        }
        return DecodedImage(width: outWidth, height: outHeight, rgb: rgb, sourceWidth: width, sourceHeight: height)
    }
}
