import Foundation
import HotlineCore
import HotlineHashing
import HotlineTesting

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
        var full: [String: Double] = ["decoded_512": Double(rounds * squares.count) / decodedTime]
        var fast: [String: Double] = [:]
        for (megapixels, files) in jpegs {
            let paths = files.indices.map { "\(directory)/photo-\(megapixels)mp-\($0).jpg" }
            // Per file as the reference does it: read, decode, hash.
            let fullTime = try seconds { for path in paths { _ = PDQ.hash(try ImageDecoder.decode(Array(FileManager.default.contents(atPath: path)!))) } }
            full["jpeg_\(megapixels)mp"] = Double(files.count) / fullTime
            let fastTime = try seconds {
                for path in paths {
                    _ = PDQ.hash(try ImageDecoder.decode(Array(FileManager.default.contents(atPath: path)!), minimumSide: MediaHasher.pdqDecodeSide))
                }
            }
            fast["jpeg_\(megapixels)mp"] = Double(files.count) / fastTime
        }
        let reference = referenceRates(directory)
        print("")
        print(
            "PDQ hashing, images/s on one core (ours full-size decode | ours fast path, DCT-scaled to a shorter side >= \(MediaHasher.pdqDecodeSide) | reference pdqhash = Meta's C++ via Python with Pillow decoding; JPEG rows: read, decode, hash)"
        )
        for key in ["decoded_512", "jpeg_1mp", "jpeg_2mp", "jpeg_4mp"] {
            let label = key == "decoded_512" ? "decoded 512x512" : "JPEG \(key.dropFirst(5).dropLast(2)) MP"
            let theirs = reference?[key].map { String(format: "%8.1f", $0) } ?? "     n/a"
            let quick = fast[key].map { String(format: "%8.1f", $0) } ?? "       -"
            let ratio = reference?[key].flatMap { theirs in (fast[key] ?? full[key]).map { String(format: "  (%.1fx)", $0 / theirs) } } ?? ""
            print("  \(label.padding(toLength: 18, withPad: " ", startingAt: 0)) \(String(format: "%8.1f", full[key] ?? 0)) | \(quick) | \(theirs)\(ratio)")
            if key != "decoded_512" {
                RatioTable.add(
                    "PDQ hashing, \(label)", ours: fast[key] ?? full[key] ?? 0, peer: "pdqhash (PyPI)", theirs: reference?[key], unit: "images/s", goal: "")
            }
        }
        if reference == nil {
            print("  (reference not run: python3 with pdqhash, Pillow and numpy not found; `make test-deps` installs them)")
            return
        }
        try benchmarkAccuracy(directory)
    }

    /// The fast path against the reference on the same files: the photos and altered copies
    /// of them (resized, recompressed, cropped, brightened). Distance to the reference hash of
    /// the same file at quality >= 80 (goal: <= 10 bits), and whether every copy the reference
    /// matches to its original at threshold 31 still matches when the gateway hashes the copy
    /// (the list holds the reference's hash of the original). For several decode sizes, so
    /// the choice of ``MediaHasher/pdqDecodeSide`` is measured, not guessed.
    static func benchmarkAccuracy(_ directory: String) throws {
        guard runReference(["variants", directory]) != nil, let output = runReference(["hashes", directory]),
            let object = try? JSONValue.parse(output).objectValue
        else {
            print("  (accuracy not measured: the reference script failed)")
            return
        }
        var reference: [String: (hash: PDQHash, quality: Int)] = [:]
        for member in object.members {
            guard case .array(let pair) = member.value, pair.count == 2, case .string(let hex) = pair[0], case .number(let quality) = pair[1],
                let hash = PDQHash(hex: hex)
            else { continue }
            reference[member.key] = (hash, Int(quality))
        }
        let names = reference.keys.sorted()
        let bytes = Dictionary(uniqueKeysWithValues: names.map { ($0, Array(FileManager.default.contents(atPath: "\(directory)/\($0)")!)) })
        print("  accuracy against the reference on \(names.count) JPEGs (30 photos, 4 altered copies of each):")
        for side in [nil, 64, 128, 192, 256, 384] as [Int?] {
            var distances: [Int] = []
            var referenceMatches = 0
            var kept = 0
            var elapsed = 0.0
            for name in names {
                var ours: PDQResult?
                elapsed += try seconds { ours = PDQ.hash(try ImageDecoder.decode(bytes[name]!, minimumSide: side)) }
                let theirs = reference[name]!
                if theirs.quality >= 80 { distances.append(ours!.hash.distance(to: theirs.hash)) }
                // A copy: the original is the photo it was made from.
                guard name.hasPrefix("variant-"),
                    let original = reference[String(name.dropFirst(8).split(separator: "-").prefix(3).joined(separator: "-")) + ".jpg"]
                else { continue }
                if theirs.hash.distance(to: original.hash) <= 31 {
                    referenceMatches += 1
                    if ours!.hash.distance(to: original.hash) <= 31 { kept += 1 }
                }
            }
            distances.sort()
            let mean = Double(distances.reduce(0, +)) / Double(max(1, distances.count))
            let label = side.map { "shorter side >= \($0)" } ?? "full size"
            print(
                String(
                    format:
                        "    %@: distance to the reference at quality >= 80 (%d files): mean %.1f, 95th %d, max %d bits (goal <= 10); reference matches at 31 kept: %d of %d; %.0f images/s",
                    label.padding(toLength: 20, withPad: " ", startingAt: 0), distances.count, mean,
                    distances.isEmpty ? 0 : distances[distances.count * 95 / 100],
                    distances.last ?? 0, kept, referenceMatches, Double(names.count) / elapsed))
        }
    }

    /// Runs a script of `Benchmarks/reference` with `arguments`; its standard output, or nil
    /// when it failed.
    static func runReference(_ arguments: [String], script name: String = "pdq_reference_bench.py") -> [UInt8]? {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(
            "reference/\(name)"
        ).path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return nil }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return process.terminationStatus == 0 ? Array(data) : nil
    }

    static func referenceRates(_ directory: String) -> [String: Double]? {
        guard let data = runReference([directory]), let object = try? JSONValue.parse(data).objectValue else { return nil }
        var rates: [String: Double] = [:]
        for member in object.members { if case .number(let value) = member.value { rates[member.key] = value } }
        return rates
    }

    /// PDQ lookups at the sizes of `HOTLINE_BENCH_PDQ_SIZES` (default 1M and 10M; `make
    /// bench-pdq-100m` adds 100M), side by side with FAISS on the same hashes and images.
    static func benchmarkPDQLookups() {
        print("")
        print("PDQ lookup at threshold 31, exact, one thread (random stored hashes; queries: half near-copies of stored hashes at distance 1-20, half random)")
        let sizes = (ProcessInfo.processInfo.environment["HOTLINE_BENCH_PDQ_SIZES"] ?? "1000000,10000000").split(separator: ",").compactMap { Int($0) }
        for count in sizes { benchmarkPDQLookups(count: count) }
    }

    static func benchmarkPDQLookups(count: Int) {
        var generator = SplitMix64(seed: 99)
        var hashes = [PDQHash]()
        hashes.reserveCapacity(count)
        for _ in 0..<count { hashes.append(PDQHash(parts: (generator.next(), generator.next(), generator.next(), generator.next()))) }
        let before = residentBytes()
        var built = PDQIndex([])
        let buildTime = seconds { built = PDQIndex(hashes) }
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
        // An image is searched with its 8 dihedral variants, which are 8 *distinct* hashes
        // (the same query 8 times would measure a warm cache): for 200 images, variant 0 of
        // every other one is a stored hash with 1-31 bits flipped (a planted match), the
        // other variants are unrelated hashes. Every planted match must be found.
        var images: [[PDQHash]] = []
        var planted: [(image: Int, stored: Int)] = []
        for image in 0..<200 {
            var variants = (0..<8).map { _ in PDQHash(parts: (generator.next(), generator.next(), generator.next(), generator.next())) }
            if image % 2 == 0 {
                let stored = Int(generator.next() % UInt64(count))
                var near = hashes[stored]
                var flipped = Set<UInt64>()
                let bits = 1 + Int(generator.next() % 31)
                while flipped.count < bits { flipped.insert(generator.next() % 256) }
                for bit in flipped {
                    switch bit / 64 {
                    case 0: near.parts.0 ^= 1 << (bit % 64)
                    case 1: near.parts.1 ^= 1 << (bit % 64)
                    case 2: near.parts.2 ^= 1 << (bit % 64)
                    default: near.parts.3 ^= 1 << (bit % 64)
                    }
                }
                variants[0] = near
                planted.append((image, stored))
            }
            images.append(variants)
        }
        var hits: [Set<Int>] = Array(repeating: [], count: images.count)
        let dihedralTime = seconds {
            for (number, variants) in images.enumerated() {
                for variant in variants { hits[number].formUnion(built.search(variant, threshold: 31).map(\.position)) }
            }
        }
        let missed = planted.filter { !hits[$0.image].contains($0.stored) }.count
        let rate = 200 / dihedralTime
        let label = count >= 1_000_000 ? "\(count / 1_000_000)M" : "\(count)"
        print(
            "  \(label) hashes: \(Int(Double(queries.count) / time)) queries/s; with 8 distinct variants an image \(String(format: "%.1f", rate)) images/s (\(planted.count - missed) of \(planted.count) planted matches found); index \(built.memoryBytes / 1_048_576) MiB in \(built.chunkCount) chunks (RSS +\(resident / 1_048_576) MiB); built in \(String(format: "%.1f", buildTime)) s; \(found) matches"
        )
        let indexMiB = built.memoryBytes / 1_048_576
        built = PDQIndex([])

        // FAISS on the same stored hashes and images, once ours is freed.
        let directory = NSTemporaryDirectory() + "hotline-bench-pdq-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var peer: JSONValue?
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try write(hashes, to: directory + "/stored.bin")
            hashes = []
            try write(images.flatMap { $0 }, to: directory + "/queries.bin")
            // Flat costs a full scan per variant: fewer images at 100M; the multi-hash index's
            // tables are not built past 10M (their memory would not fit beside the rest).
            let peerImages = count > 10_000_000 ? 20 : 200
            let arguments = [directory, "31", "\(peerImages)"] + (count <= 10_000_000 ? ["multihash"] : [])
            peer = runReference(arguments, script: "faiss_pdq_bench.py").flatMap { try? JSONValue.parse($0) }
        } catch {
            print("  FAISS: not run (\(error))")
        }
        guard let peer, let object = peer.objectValue, object["n"]?.numberValue == Double(count) else {
            print("  FAISS: not run (python3 -m pip install faiss-cpu; `make bench-deps`)")
            RatioTable.add("PDQ lookup, \(label), exact", ours: rate, peer: "FAISS", theirs: nil, unit: "images/s", goal: "")
            return
        }
        var bestExact: (name: String, rate: Double)?
        for name in ["flat", "multihash", "multihash-nflip0"] {
            guard let entry = object[name]?.objectValue, let rate = entry["images_per_s"]?.numberValue,
                case .array(let found)? = entry["hits"], let built = entry["build_s"]?.numberValue
            else { continue }
            let sets = found.map { Set(($0.arrayValue ?? []).compactMap { $0.numberValue.map(Int.init) }) }
            let checked = planted.filter { $0.image < sets.count }
            let kept = checked.filter { sets[$0.image].contains($0.stored) }.count
            let exact = kept == checked.count
            print(
                "  FAISS \(name): \(String(format: "%.1f", rate)) images/s over \(sets.count) images (\(kept) of \(checked.count) planted found\(exact ? "" : ": not exact")); built in \(String(format: "%.1f", built)) s"
            )
            if exact && name != "multihash-nflip0", rate > bestExact?.rate ?? 0 { bestExact = ("FAISS " + name, rate) }
        }
        let goal =
            count >= 100_000_000
            ? ">= 15 images/s, index < 12 GiB (\(indexMiB) MiB)" : count >= 10_000_000 ? ">= 150 images/s and 4x, index < 1 GiB (\(indexMiB) MiB)" : ""
        RatioTable.add(
            "PDQ lookup, \(label), t=31, 8 variants, exact", ours: rate, peer: bestExact?.name ?? "FAISS (none exact)", theirs: bestExact?.rate,
            unit: "images/s",
            goal: goal)
    }

    /// The hashes' 32 bytes each, in pieces: one write(2) stops short of 2 GiB.
    static func write(_ hashes: [PDQHash], to path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
            throw CocoaError(.fileWriteUnknown)
        }
        defer { try? handle.close() }
        try hashes.withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let end = min(bytes.count, offset + 64 << 20)
                try handle.write(contentsOf: Data(bytes[offset..<end]))
                offset = end
            }
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
