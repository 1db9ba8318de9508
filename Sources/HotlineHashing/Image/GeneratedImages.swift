/// Images made from numbers (noise, gradients, rectangles), for tests and benchmarks: the
/// project never needs, and never holds, real pictures.
public enum GeneratedImages {
    /// Uniform noise from a seed.
    public static func noise(width: Int, height: Int, seed: UInt64) -> DecodedImage {
        var state = seed &+ 0x9E37_79B9_7F4A_7C15
        var rgb = [UInt8](repeating: 0, count: width * height * 3)
        for index in rgb.indices {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            rgb[index] = UInt8(truncatingIfNeeded: state >> 56)
        }
        return DecodedImage(width: width, height: height, rgb: rgb)
    }

    /// A diagonal colour gradient.
    public static func gradient(width: Int, height: Int) -> DecodedImage {
        var rgb = [UInt8](repeating: 0, count: width * height * 3)
        for y in 0..<height {
            for x in 0..<width {
                let index = (y * width + x) * 3
                rgb[index] = UInt8(x * 255 / max(1, width - 1))
                rgb[index + 1] = UInt8(y * 255 / max(1, height - 1))
                rgb[index + 2] = UInt8((x + y) * 255 / max(1, width + height - 2))
            }
        }
        return DecodedImage(width: width, height: height, rgb: rgb)
    }

    /// Coloured rectangles on a background, placed by a seed.
    public static func rectangles(width: Int, height: Int, seed: UInt64, count: Int = 12) -> DecodedImage {
        var state = seed
        func next() -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(truncatingIfNeeded: state >> 33)
        }
        var rgb = [UInt8](repeating: UInt8(next() & 255), count: width * height * 3)
        for _ in 0..<count {
            let x0 = next() % width
            let x1 = next() % width
            let y0 = next() % height
            let y1 = next() % height
            let colour = [UInt8(next() & 255), UInt8(next() & 255), UInt8(next() & 255)]
            for y in min(y0, y1)...max(y0, y1) {
                for x in min(x0, x1)...max(x0, x1) {
                    let index = (y * width + x) * 3
                    rgb[index] = colour[0]
                    rgb[index + 1] = colour[1]
                    rgb[index + 2] = colour[2]
                }
            }
        }
        return DecodedImage(width: width, height: height, rgb: rgb)
    }

    /// The image turned a quarter clockwise.
    public static func rotatedClockwise(_ image: DecodedImage) -> DecodedImage {
        var rgb = [UInt8](repeating: 0, count: image.rgb.count)
        let newWidth = image.height
        for y in 0..<image.height {
            for x in 0..<image.width {
                let source = (y * image.width + x) * 3
                let target = (x * newWidth + (newWidth - 1 - y)) * 3
                rgb[target] = image.rgb[source]
                rgb[target + 1] = image.rgb[source + 1]
                rgb[target + 2] = image.rgb[source + 2]
            }
        }
        return DecodedImage(width: newWidth, height: image.width, rgb: rgb)
    }

    /// The image mirrored left to right.
    public static func mirrored(_ image: DecodedImage) -> DecodedImage {
        var rgb = [UInt8](repeating: 0, count: image.rgb.count)
        for y in 0..<image.height {
            for x in 0..<image.width {
                let source = (y * image.width + x) * 3
                let target = (y * image.width + (image.width - 1 - x)) * 3
                rgb[target] = image.rgb[source]
                rgb[target + 1] = image.rgb[source + 1]
                rgb[target + 2] = image.rgb[source + 2]
            }
        }
        return DecodedImage(width: image.width, height: image.height, rgb: rgb)
    }
}
