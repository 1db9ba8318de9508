import Foundation
import HotlineCore
import HotlineHashing

/// PDQ hashing side by side with the reference, PDQ lookups at 1M and 10M, exact lookups at 10M.
enum HashingBench {
    static func run(only part: String? = nil) throws {
        if part == nil || part == "pdq-hashing" { try benchmarkHashing() }
        if part == nil || part == "pdq-lookup" { benchmarkPDQLookups() }
        if part == nil || part == "exact" { benchmarkExactLookups() }
    }

    static func seconds(_ body: () throws -> Void) rethrows -> Double {
        let start = DispatchTime.now()
        try body()
        return Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
    }

    /// A photo-like generated picture: rectangles with noise on top.
    static func picture(width: Int, height: Int, seed: UInt64) -> DecodedImage {
        var image = GeneratedImages.rectangles(width: width, height: height, seed: seed, count: 40)
        let noise = GeneratedImages.noise(width: width, height: height, seed: seed)
        for index in image.rgb.indices { image.rgb[index] = image.rgb[index] &+ (noise.rgb[index] >> 4) }
        return image
    }

    static func benchmarkHashing() throws {
        let directory = NSTemporaryDirectory() + "hotline-bench-images-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // Generated images only; written so the reference can read the very same files.
        let squares = (0..<40).map { picture(width: 512, height: 512, seed: UInt64($0)) }
        for (index, image) in squares.enumerated() {
            try Data(ImageEncoder.png(image)!).write(to: URL(fileURLWithPath: "\(directory)/square-\(index).png"))
        }
        var jpegs: [Int: [[UInt8]]] = [:]
        for (megapixels, size) in [(1, (1152, 864)), (2, (1632, 1224)), (4, (2304, 1728))] {
            for index in 0..<10 {
                let bytes = ImageEncoder.jpeg(picture(width: size.0, height: size.1, seed: UInt64(100 + index)), quality: 90)!
                jpegs[megapixels, default: []].append(bytes)
                try Data(bytes).write(to: URL(fileURLWithPath: "\(directory)/photo-\(megapixels)mp-\(index).jpg"))
            }
        }
        let rounds = 3
        let decodedTime = seconds { for _ in 0..<rounds { for image in squares { _ = PDQ.hash(image) } } }
        var ours: [String: Double] = ["decoded_512": Double(rounds * squares.count) / decodedTime]
        for (megapixels, files) in jpegs {
            let time = try seconds { for bytes in files { _ = PDQ.hash(try ImageDecoder.decode(bytes)) } }
            ours["jpeg_\(megapixels)mp"] = Double(files.count) / time
        }
        let reference = referenceRates(directory)
        print("")
        print("PDQ hashing, images/s on one core (ours | reference pdqhash = Meta's C++ via Python; JPEG rows include decoding)")
        for key in ["decoded_512", "jpeg_1mp", "jpeg_2mp", "jpeg_4mp"] {
            let label = key == "decoded_512" ? "decoded 512x512" : "JPEG \(key.dropFirst(5).dropLast(2)) MP"
            let theirs = reference?[key].map { String(format: "%8.1f", $0) } ?? "     n/a"
            print("  \(label.padding(toLength: 18, withPad: " ", startingAt: 0)) \(String(format: "%8.1f", ours[key] ?? 0)) | \(theirs)")
        }
        if reference == nil { print("  (reference not run: python3 with pdqhash, Pillow and numpy not found; `make test-deps` installs them)") }
    }

    static func referenceRates(_ directory: String) -> [String: Double]? {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(
            "reference/pdq_reference_bench.py"
        ).path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script, directory]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return nil }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0, let object = try? JSONValue.parse(Array(data)).objectValue else { return nil }
        var rates: [String: Double] = [:]
        for member in object.members { if case .number(let value) = member.value { rates[member.key] = value } }
        return rates
    }

    static func benchmarkPDQLookups() {
        print("")
        print("PDQ lookup at threshold 31 (random stored hashes; queries: half near-copies of stored hashes at distance 1-20, half random)")
        var generator = SplitMix64(seed: 99)
        for count in [1_000_000, 10_000_000] {
            var hashes = [PDQHash]()
            hashes.reserveCapacity(count)
            for _ in 0..<count { hashes.append(PDQHash(parts: (generator.next(), generator.next(), generator.next(), generator.next()))) }
            let before = residentBytes()
            var index: PDQIndex?
            let buildTime = seconds { index = PDQIndex(hashes) }
            let built = index!
            let resident = residentBytes() - before
            var queries: [PDQHash] = []
            for number in 0..<2000 {
                if number % 2 == 0 {
                    var near = hashes[Int(generator.next() % UInt64(count))]
                    for _ in 0..<(1 + Int(generator.next() % 20)) { near.parts.1 ^= 1 << (generator.next() % 64) }
                    queries.append(near)
                } else {
                    queries.append(PDQHash(parts: (generator.next(), generator.next(), generator.next(), generator.next())))
                }
            }
            var found = 0
            let time = seconds { for query in queries { found += built.search(query, threshold: 31).count } }
            let dihedralTime = seconds { for query in queries.prefix(200) { for _ in 0..<8 { found += built.search(query, threshold: 31).count } } }
            print(
                "  \(count / 1_000_000)M hashes: \(Int(Double(queries.count) / time)) queries/s; with 8 dihedral variants \(Int(200 / dihedralTime)) images/s; index \(built.memoryBytes / 1_048_576) MiB (RSS +\(resident / 1_048_576) MiB); built in \(String(format: "%.1f", buildTime)) s; \(found) matches"
            )
            hashes = []
            index = nil
        }
    }

    static func benchmarkExactLookups() {
        var generator = SplitMix64(seed: 7)
        let count = 10_000_000
        var builder = HashIndexBuilder(expected: [.md5: count])
        var stored: [[UInt8]] = []
        let before = residentBytes()
        let buildTime = seconds {
            for number in 0..<count {
                var bytes = [UInt8](repeating: 0, count: 16)
                withUnsafeBytes(of: (generator.next(), generator.next())) { bytes = Array($0) }
                if number % 1000 == 0 { stored.append(bytes) }
                builder.addExact(.md5, bytes, list: "bench", classification: .baseline)
            }
        }
        let index = builder.build()
        let resident = residentBytes() - before
        let hex = (0..<200_000).map { number -> String in
            if number % 2 == 0 { return stored[number % stored.count].map { String(format: "%02x", $0) }.joined() }
            return (0..<16).map { _ in String(format: "%02x", generator.next() & 0xFF) }.joined()
        }
        var hits = 0
        let rounds = 10
        let time = seconds { for _ in 0..<rounds { for value in hex where index.firstMatch(.md5, value) != nil { hits += 1 } } }
        print("")
        print(
            "exact MD5 lookups against 10M entries (hex in, normalized, half present): \(Int(Double(rounds * hex.count) / time)) lookups/s (goal: >= 5,000,000); table \(index.memoryBytes / 1_048_576) MiB (RSS +\(resident / 1_048_576) MiB); loaded in \(String(format: "%.1f", buildTime)) s; \(hits) hits"
        )
    }

    static func residentBytes() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = text.split(separator: " ")
        return fields.count > 1 ? (Int(fields[1]) ?? 0) * 4096 : 0
    }
}
