import Foundation
import HotlineCore
import Testing

@testable import HotlineHashing

@Suite struct DigestTests {
    @Test func knownVectors() {
        let digests = ContentDigests(of: Array("abc".utf8))
        #expect(digests.md5 == "900150983cd24fb0d6963f7d28e17f72")
        #expect(digests.sha1 == "a9993e364706816aba3e25717850c26c9cd0d89d")
        #expect(digests.sha256 == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test func nonImagesGetDigestsOnly() {
        let hashes = ContentHasher.hash(Array("plain text".utf8))
        #expect(hashes.pdq == nil && hashes.format == nil && hashes.imageError == nil)
        #expect(hashes.json.members.map(\.key) == ["md5", "sha1", "sha256"])
    }
}

@Suite struct PDQHashTests {
    @Test func hexRoundTripsWithBit255First() throws {
        var hash = PDQHash.zero
        hash.setBit(255)
        hash.setBit(0)
        #expect(hash.description == "8" + String(repeating: "0", count: 62) + "1")
        #expect(PDQHash(hex: hash.description) == hash)
        #expect(PDQHash(hex: hash.description.uppercased()) == hash)
        #expect(PDQHash(hex: "xyz") == nil)
        #expect(hash.distance(to: .zero) == 2)
    }
}

@Suite struct ImageDecoderTests {
    @Test func decodesPNGAndJPEGItEncoded() throws {
        let image = GeneratedImages.rectangles(width: 120, height: 90, seed: 3)
        let png = try #require(ImageEncoder.png(image))
        let decoded = try ImageDecoder.decode(png)
        #expect(decoded.width == 120 && decoded.height == 90)
        #expect(decoded.rgb == image.rgb)
        let jpeg = try #require(ImageEncoder.jpeg(image, quality: 95))
        let fromJPEG = try ImageDecoder.decode(jpeg)
        #expect(fromJPEG.width == 120 && fromJPEG.height == 90)
        // Lossy, but the same picture: PDQ says so.
        #expect(PDQ.hash(fromJPEG).hash.distance(to: PDQ.hash(image).hash) <= 16)
    }

    @Test func refusesImagesOverTheLimitBeforeDecoding() throws {
        let png = try #require(ImageEncoder.png(GeneratedImages.gradient(width: 200, height: 100)))
        #expect(throws: ImageDecodeError(code: "too-large", message: "image is 200x100; the limit is 10000 pixels and 30000 a side")) {
            try ImageDecoder.decode(png, limits: ImageLimits(maximumPixels: 10_000))
        }
        // A PNG header that declares 100,000 × 100,000 pixels: refused from the header alone.
        var bomb: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        let ihdr: [UInt8] = Array("IHDR".utf8) + [0x00, 0x01, 0x86, 0xA0, 0x00, 0x01, 0x86, 0xA0, 8, 2, 0, 0, 0]
        bomb += [0, 0, 0, 13] + ihdr + crc32(ihdr)
        bomb += [0, 0, 0, 0] + Array("IDAT".utf8) + crc32(Array("IDAT".utf8))
        #expect(throws: ImageDecodeError(code: "too-large", message: "image is 100000x100000; the limit is 50000000 pixels and 30000 a side")) {
            try ImageDecoder.decode(bomb)
        }
    }

    @Test func reportsCorruptAndUnsupportedImages() throws {
        let png = try #require(ImageEncoder.png(GeneratedImages.gradient(width: 50, height: 50)))
        #expect(throws: ImageDecodeError.self) { try ImageDecoder.decode(Array(png.prefix(60))) }
        #expect(throws: ImageDecodeError(code: "unsupported-format", message: "BMP images are not decoded; PDQ is computed for JPEG, PNG, GIF and WebP")) {
            try ImageDecoder.decode(Array("BM......".utf8))
        }
        #expect(throws: ImageDecodeError(code: "corrupt", message: "GIF: No screen descriptor detected")) {
            try ImageDecoder.decode(Array("GIF89a....".utf8))
        }
        let hashes = ContentHasher.hash(Array(png.prefix(60)))
        #expect(hashes.format == .png && hashes.pdq == nil && hashes.imageError?.code == "corrupt")
    }

    func crc32(_ bytes: [UInt8]) -> [UInt8] {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        crc ^= 0xFFFF_FFFF
        return [UInt8(crc >> 24), UInt8(crc >> 16 & 0xFF), UInt8(crc >> 8 & 0xFF), UInt8(crc & 0xFF)]
    }
}

@Suite struct PDQTests {
    @Test func tinyImagesGetTheZeroHash() {
        let result = PDQ.hash(GeneratedImages.noise(width: 4, height: 40, seed: 1))
        #expect(result == PDQResult(hash: .zero, quality: 0))
    }

    @Test func flatImagesHaveNoQuality() {
        let flat = DecodedImage(width: 100, height: 100, rgb: [UInt8](repeating: 128, count: 30_000))
        #expect(PDQ.hash(flat).quality == 0)
        #expect(PDQ.hash(GeneratedImages.noise(width: 300, height: 200, seed: 9)).quality == 100)
    }

    @Test func smallEditsStayCloseAndDifferentPicturesAreFar() {
        let a = GeneratedImages.rectangles(width: 400, height: 300, seed: 11)
        var edited = a
        for index in stride(from: 0, to: edited.rgb.count, by: 97) { edited.rgb[index] = edited.rgb[index] &+ 9 }
        let b = GeneratedImages.rectangles(width: 400, height: 300, seed: 12)
        #expect(PDQ.hash(a).hash.distance(to: PDQ.hash(edited).hash) <= 10)
        #expect(PDQ.hash(a).hash.distance(to: PDQ.hash(b).hash) > 60)
    }

    @Test func dihedralVariantsMatchRotatedAndMirroredImages() {
        let image = GeneratedImages.rectangles(width: 320, height: 320, seed: 5)
        let variants = PDQ.dihedralHashes(image)
        #expect(variants.original == PDQ.hash(image).hash)
        let rotated = PDQ.hash(GeneratedImages.rotatedClockwise(image)).hash
        let mirrored = PDQ.hash(GeneratedImages.mirrored(image)).hash
        let closestToRotated = variants.all.map { $0.distance(to: rotated) }.min()!
        let closestToMirrored = variants.all.map { $0.distance(to: mirrored) }.min()!
        #expect(closestToRotated <= 4)
        #expect(closestToMirrored <= 4)
        #expect(variants.original.distance(to: rotated) > 31)
        #expect(Set(variants.all).count == 8)
    }
}
