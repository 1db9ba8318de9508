import Foundation
import HotlineCore

/// A PDQ hash with its quality (0-100; under 50 the hash is unreliable).
public struct PDQResult: Hashable, Sendable {
    /// The hash.
    public var hash: PDQHash
    /// The quality metric.
    public var quality: Int
}

/// The eight hashes of an image's rotations and flips, from one DCT.
public struct PDQDihedralHashes: Hashable, Sendable {
    /// As is.
    public var original: PDQHash
    /// Rotated 90°, 180°, 270°.
    public var rotate90: PDQHash, rotate180: PDQHash, rotate270: PDQHash
    /// Mirrored about the horizontal and vertical axes.
    public var flipX: PDQHash, flipY: PDQHash
    /// Mirrored about the main and the other diagonal.
    public var flipPlus1: PDQHash, flipMinus1: PDQHash
    /// The quality metric (the same for all eight).
    public var quality: Int

    /// All eight, original first.
    public var all: [PDQHash] { [original, rotate90, rotate180, rotate270, flipX, flipY, flipPlus1, flipMinus1] }
}

/// Meta's PDQ perceptual hash (facebook/ThreatExchange `pdq/`), written from the published
/// algorithm: luminance; two passes of a Jarosz box filter (rows, then columns) with window
/// ceil(dimension / 128); decimation to 64×64 at pixel centres; the image-domain quality
/// metric; a 16×16 DCT without the DC row and column; bits above the Torben median.
/// Float arithmetic follows the reference's order so results match it closely.
public enum PDQ {
    /// Images smaller than this on either side get the zero hash and quality 0, as in the reference.
    public static let minimumDimension = 5

    /// Hash of a decoded RGB image. An image decoded smaller than its file's size (DCT
    /// scaling) is filtered as the reference filters the full-size image: see ``resampled``.
    public static func hash(_ image: DecodedImage) -> PDQResult {
        var luma = luminance(image)
        if image.isScaled, image.sourceWidth >= minimumDimension, image.sourceHeight >= minimumDimension {
            let small = resampled(luma, rows: image.height, cols: image.width, sourceRows: image.sourceHeight, sourceCols: image.sourceWidth)
            return PDQResult(hash: bits(dct64To16(small)), quality: imageDomainQuality(small))
        }
        guard let (dct, quality) = dct16(&luma, rows: image.height, cols: image.width) else { return PDQResult(hash: .zero, quality: 0) }
        return PDQResult(hash: bits(dct), quality: quality)
    }

    /// The 64×64 samples the reference takes of the full-size image, computed from a smaller
    /// decode of it. The reference blurs each axis twice with a box of
    /// ``jaroszWindowSize(_:_:)`` pixels (renormalised at the edges) and then keeps one pixel
    /// per sample, so each sample is a fixed weighted sum of full-size pixels. Those weights
    /// are computed exactly at full size, then summed over the full-size pixels each decoded
    /// pixel stands for (a DCT-scaled pixel is close to their average). Unlike blurring the
    /// small image with a rounded window, this keeps the reference's blur whatever the scale,
    /// which is what keeps the hash within a few bits of it.
    static func resampled(_ luma: [Float], rows: Int, cols: Int, sourceRows: Int, sourceCols: Int) -> [Float] {
        let rowWeights = AxisWeightCache.shared.weights(size: rows, source: sourceRows)
        let colWeights = AxisWeightCache.shared.weights(size: cols, source: sourceCols)
        // Along the rows first: for every decoded row, its 64 column samples.
        var across = [Float](repeating: 0, count: rows * 64)
        luma.withUnsafeBufferPointer { input in
            across.withUnsafeMutableBufferPointer { output in
                for row in 0..<rows {
                    let line = input.baseAddress! + row * cols
                    for (j, weights) in colWeights.enumerated() {
                        var sum: Float = 0
                        for (offset, weight) in weights.values.enumerated() { sum += weight * line[weights.start + offset] }
                        output[row * 64 + j] = sum
                    }
                }
            }
        }
        var small = [Float](repeating: 0, count: 64 * 64)
        for (i, weights) in rowWeights.enumerated() {
            for (offset, weight) in weights.values.enumerated() {
                let row = (weights.start + offset) * 64
                for j in 0..<64 { small[i * 64 + j] += weight * across[row + j] }
            }
        }
        return small
    }

    /// For each of the 64 samples along one axis, the weights of the decoded pixels (from
    /// `start`): the reference's double box filter at the source size, as weights of source
    /// pixels, spread over the decoded pixels by how much of each source pixel they cover.
    static func axisWeights(size: Int, source: Int) -> [(start: Int, values: [Float])] {
        let window = jaroszWindowSize(source, 64)
        let half = (window + 2) / 2
        // The reference's box at output o averages the input pixels in this range.
        func box(_ o: Int) -> ClosedRange<Int> { max(0, o - (window - half))...min(source - 1, o + half - 1) }
        let ratio = Double(source) / Double(size)
        return (0..<64).map { sample in
            let centre = Int((Double(sample) + 0.5) * Double(source) / 64)
            // Weights of source pixels: the box of the box.
            let outer = box(centre)
            let low = max(0, outer.lowerBound - window)
            let high = min(source - 1, outer.upperBound + window)
            var weights = [Double](repeating: 0, count: high - low + 1)
            for o in outer {
                let inner = box(o)
                let share = 1 / (Double(outer.count) * Double(inner.count))
                for x in inner { weights[x - low] += share }
            }
            // Spread over decoded pixels: source pixel x is [x, x+1), decoded pixel j is
            // [j * ratio, (j + 1) * ratio).
            let start = min(size - 1, Int(Double(low) / ratio))
            var spread = [Double](repeating: 0, count: size - start)
            var stop = start
            for (offset, weight) in weights.enumerated() where weight > 0 {
                let x = low + offset
                let first = min(size - 1, Int(Double(x) / ratio))
                let last = min(size - 1, Int((Double(x + 1) - 1e-9) / ratio))
                for j in first...max(first, last) {
                    // The last decoded pixel takes whatever of the source lies past it.
                    let top = j == size - 1 ? Double(x + 1) : min(Double(x + 1), Double(j + 1) * ratio)
                    let overlap = top - max(Double(x), Double(j) * ratio)
                    if overlap > 0 {
                        spread[j - start] += weight * overlap
                        stop = max(stop, j)
                    }
                }
            }
            return (start, spread[0...(stop - start)].map { Float($0) })
        }
    }

    /// The eight dihedral hashes of a decoded RGB image, from one DCT.
    public static func dihedralHashes(_ image: DecodedImage) -> PDQDihedralHashes {
        var luma = luminance(image)
        // Unlike `hash`, the reference's dihedral function blurs 64×64 input too; so does this.
        guard let (dct, quality) = dct16(&luma, rows: image.height, cols: image.width, blurExact64: true) else {
            return PDQDihedralHashes(
                original: .zero, rotate90: .zero, rotate180: .zero, rotate270: .zero, flipX: .zero, flipY: .zero, flipPlus1: .zero, flipMinus1: .zero,
                quality: 0)
        }
        // (transpose, sign) per variant; sign(i, j) multiplies coefficient (i, j) before the
        // optional transpose. Derived from how each transform acts on the DCT basis.
        func variant(transpose: Bool, _ sign: (Int, Int) -> Float) -> PDQHash {
            var out = [Float](repeating: 0, count: 256)
            for i in 0..<16 {
                for j in 0..<16 {
                    let value = sign(i, j) * dct[i * 16 + j]
                    if transpose { out[j * 16 + i] = value } else { out[i * 16 + j] = value }
                }
            }
            return bits(out)
        }
        return PDQDihedralHashes(
            original: bits(dct),
            rotate90: variant(transpose: true) { _, j in j & 1 == 1 ? 1 : -1 },
            rotate180: variant(transpose: false) { i, j in (i + j) & 1 == 1 ? -1 : 1 },
            rotate270: variant(transpose: true) { i, _ in i & 1 == 1 ? 1 : -1 },
            flipX: variant(transpose: false) { i, _ in i & 1 == 1 ? 1 : -1 },
            flipY: variant(transpose: false) { _, j in j & 1 == 1 ? 1 : -1 },
            flipPlus1: variant(transpose: true) { _, _ in 1 },
            flipMinus1: variant(transpose: true) { i, j in (i + j) & 1 == 1 ? -1 : 1 },
            quality: quality)
    }

    /// Luminance as the reference tooling computes it: in double, then stored as float.
    static func luminance(_ image: DecodedImage) -> [Float] {
        let count = image.width * image.height
        var luma = [Float](repeating: 0, count: count)
        image.rgb.withUnsafeBufferPointer { rgb in
            luma.withUnsafeMutableBufferPointer { out in
                for index in 0..<count {
                    let r = Double(rgb[index * 3])
                    let g = Double(rgb[index * 3 + 1])
                    let b = Double(rgb[index * 3 + 2])
                    out[index] = Float(r * 0.299 + g * 0.587 + b * 0.114)
                }
            }
        }
        return luma
    }

    /// Blur, decimate, quality and DCT: the 16×16 coefficients with the quality, or `nil`
    /// for images too small. `luma` is used as working memory.
    /// 64×64 input is taken as already downsampled unless `blurExact64` is set.
    static func dct16(_ luma: inout [Float], rows: Int, cols: Int, blurExact64: Bool = false) -> (dct: [Float], quality: Int)? {
        guard rows >= minimumDimension, cols >= minimumDimension else { return nil }
        var small = [Float](repeating: 0, count: 64 * 64)
        if rows == 64 && cols == 64 && !blurExact64 {
            small = luma
        } else {
            var scratch = [Float](repeating: 0, count: rows * cols)
            let windowAlongRows = jaroszWindowSize(cols, 64)
            let windowAlongCols = jaroszWindowSize(rows, 64)
            luma.withUnsafeMutableBufferPointer { a in
                scratch.withUnsafeMutableBufferPointer { b in
                    for _ in 0..<2 {
                        boxAlongRows(a.baseAddress!, b.baseAddress!, rows: rows, cols: cols, window: windowAlongRows)
                        boxAlongCols(b.baseAddress!, a.baseAddress!, rows: rows, cols: cols, window: windowAlongCols)
                    }
                }
            }
            for i in 0..<64 {
                let inI = Int((Double(i) + 0.5) * Double(rows) / 64)
                for j in 0..<64 {
                    let inJ = Int((Double(j) + 0.5) * Double(cols) / 64)
                    small[i * 64 + j] = luma[inI * cols + inJ]
                }
            }
        }
        return (dct64To16(small), imageDomainQuality(small))
    }

    static func jaroszWindowSize(_ oldDimension: Int, _ newDimension: Int) -> Int {
        (oldDimension + 2 * newDimension - 1) / (2 * newDimension)
    }

    /// One 1-D box filter pass with the reference's four phases (growing window, full
    /// window, shrinking window), so edges are averaged over the pixels that exist.
    static func boxAlongRows(_ input: UnsafeMutablePointer<Float>, _ output: UnsafeMutablePointer<Float>, rows: Int, cols: Int, window: Int) {
        let half = (window + 2) / 2
        let phase1 = max(0, half - 1)
        let phase2 = max(0, window - half + 1)
        let phase3 = max(0, cols - window)
        let phase4 = max(0, half - 1)
        for row in 0..<rows {
            let invec = input + row * cols
            let outvec = output + row * cols
            var li = 0
            var ri = 0
            var oi = 0
            var current = 0
            var sum: Float = 0
            for _ in 0..<phase1 {
                sum += invec[ri]
                current += 1
                ri += 1
            }
            for _ in 0..<phase2 {
                sum += invec[ri]
                current += 1
                outvec[oi] = sum / Float(current)
                ri += 1
                oi += 1
            }
            for _ in 0..<phase3 {
                sum += invec[ri]
                sum -= invec[li]
                outvec[oi] = sum / Float(current)
                li += 1
                ri += 1
                oi += 1
            }
            for _ in 0..<phase4 {
                sum -= invec[li]
                current -= 1
                outvec[oi] = sum / Float(current)
                li += 1
                oi += 1
            }
        }
    }

    /// The same filter down the columns, swept a row at a time with one running sum per
    /// column: the arithmetic per column is the reference's, the memory access is sequential.
    static func boxAlongCols(_ input: UnsafeMutablePointer<Float>, _ output: UnsafeMutablePointer<Float>, rows: Int, cols: Int, window: Int) {
        let half = (window + 2) / 2
        let phase1 = max(0, half - 1)
        let phase2 = max(0, window - half + 1)
        let phase3 = max(0, rows - window)
        let phase4 = max(0, half - 1)
        let sums = UnsafeMutablePointer<Float>.allocate(capacity: cols)
        defer { sums.deallocate() }
        sums.initialize(repeating: 0, count: cols)
        var li = 0
        var ri = 0
        var oi = 0
        var current = 0
        for _ in 0..<phase1 {
            let r = input + ri * cols
            for j in 0..<cols { sums[j] += r[j] }
            current += 1
            ri += 1
        }
        for _ in 0..<phase2 {
            let r = input + ri * cols
            let o = output + oi * cols
            current += 1
            let n = Float(current)
            for j in 0..<cols {
                sums[j] += r[j]
                o[j] = sums[j] / n
            }
            ri += 1
            oi += 1
        }
        for _ in 0..<phase3 {
            let r = input + ri * cols
            let l = input + li * cols
            let o = output + oi * cols
            let n = Float(current)
            for j in 0..<cols {
                sums[j] += r[j]
                sums[j] -= l[j]
                o[j] = sums[j] / n
            }
            li += 1
            ri += 1
            oi += 1
        }
        for _ in 0..<phase4 {
            let l = input + li * cols
            let o = output + oi * cols
            current -= 1
            let n = Float(current)
            for j in 0..<cols {
                sums[j] -= l[j]
                o[j] = sums[j] / n
            }
            li += 1
            oi += 1
        }
    }

    /// Sum of quantized gradients between neighbours of the 64×64 image, scaled to 0-100.
    static func imageDomainQuality(_ buffer: [Float]) -> Int {
        var gradientSum = 0
        for i in 0..<63 {
            for j in 0..<64 {
                let d = Int((buffer[i * 64 + j] - buffer[(i + 1) * 64 + j]) * 100 / 255)
                gradientSum += abs(d)
            }
        }
        for i in 0..<64 {
            for j in 0..<63 {
                let d = Int((buffer[i * 64 + j] - buffer[i * 64 + j + 1]) * 100 / 255)
                gradientSum += abs(d)
            }
        }
        return min(100, gradientSum / 90)
    }

    /// Rows 1-16 of the 64-point DCT-II basis, scaled; float values as the reference computes them.
    static let dctMatrix: [Float] = {
        let scale = Float(sqrt(2.0 / 64.0))
        var matrix = [Float](repeating: 0, count: 16 * 64)
        for i in 0..<16 {
            for j in 0..<64 {
                matrix[i * 64 + j] = Float(Double(scale) * cos((Double.pi / 2.0 / 64.0) * Double(i + 1) * Double(2 * j + 1)))
            }
        }
        return matrix
    }()

    /// B = D A Dᵀ, accumulating in the reference's order.
    static func dct64To16(_ a: [Float]) -> [Float] {
        let d = dctMatrix
        var t = [Float](repeating: 0, count: 16 * 64)
        for i in 0..<16 {
            for j in 0..<64 {
                var sum: Float = 0
                for k in 0..<64 { sum += d[i * 64 + k] * a[k * 64 + j] }
                t[i * 64 + j] = sum
            }
        }
        var b = [Float](repeating: 0, count: 256)
        for i in 0..<16 {
            for j in 0..<16 {
                var sum: Float = 0
                for k in 0..<64 { sum += t[i * 64 + k] * d[j * 64 + k] }
                b[i * 16 + j] = sum
            }
        }
        return b
    }

    /// Bit (i, j) is set when coefficient (i, j) is above the median.
    static func bits(_ dct: [Float]) -> PDQHash {
        let median = torbenMedian(dct)
        var hash = PDQHash.zero
        for index in 0..<256 where dct[index] > median { hash.setBit(index) }
        return hash
    }

    /// Torben Mogensen's median selection, as the reference uses it (it matters for ties).
    static func torbenMedian(_ m: [Float]) -> Float {
        let n = m.count
        var minimum = m[0]
        var maximum = m[0]
        for value in m.dropFirst() {
            if value < minimum { minimum = value }
            if value > maximum { maximum = value }
        }
        var less = 0
        var greater = 0
        var equal = 0
        var guess: Float = 0
        var maxLessThanGuess: Float = 0
        var minGreaterThanGuess: Float = 0
        while true {
            guess = (minimum + maximum) / 2
            less = 0
            greater = 0
            equal = 0
            maxLessThanGuess = minimum
            minGreaterThanGuess = maximum
            for value in m {
                if value < guess {
                    less += 1
                    if value > maxLessThanGuess { maxLessThanGuess = value }
                } else if value > guess {
                    greater += 1
                    if value < minGreaterThanGuess { minGreaterThanGuess = value }
                } else {
                    equal += 1
                }
            }
            if less <= (n + 1) / 2 && greater <= (n + 1) / 2 { break }
            if less > greater { maximum = maxLessThanGuess } else { minimum = minGreaterThanGuess }
        }
        if less >= (n + 1) / 2 { return maxLessThanGuess }
        if less + equal >= (n + 1) / 2 { return guess }
        return minGreaterThanGuess
    }
}

/// The sample weights of ``PDQ/axisWeights(size:source:)`` for the sizes seen: they depend on
/// the two sizes only, and pages of one site tend to serve images of a few sizes.
final class AxisWeightCache: @unchecked Sendable {
    static let shared = AxisWeightCache()
    private let lock = NSLock()
    private var cached: [Int: [(start: Int, values: [Float])]] = [:]

    func weights(size: Int, source: Int) -> [(start: Int, values: [Float])] {
        let key = size << 32 | source
        lock.lock()
        if let known = cached[key] {
            lock.unlock()
            return known
        }
        lock.unlock()
        let computed = PDQ.axisWeights(size: size, source: source)
        lock.lock()
        // A bounded table: hostile sizes cannot grow it without end.
        if cached.count >= 4096 { cached.removeAll(keepingCapacity: true) }
        cached[key] = computed
        lock.unlock()
        return computed
    }
}
