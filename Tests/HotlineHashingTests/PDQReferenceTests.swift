import Foundation
import HotlineCore
import HotlineTesting
import Testing

@testable import HotlineHashing

/// Compares this PDQ with Meta's reference (the `pdqhash` package, which wraps the C++) on
/// generated images of varied content and size. `make test` installs `pdqhash`; without it
/// the comparison is skipped locally and fails in CI.
@Suite struct PDQReferenceTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Reference/pdq_reference.py")

    static var referenceAvailable: Bool { TestTools.pythonImports("pdqhash, PIL, numpy") }

    static var required: Bool { TestTools.required }

    @Test(.enabled(if: referenceAvailable || required, "python3 with pdqhash, Pillow and numpy is not installed (make test installs it)"))
    func matchesTheReferenceImplementation() throws {
        try #require(Self.referenceAvailable, "CI must have the PDQ reference: python3 -m pip install pdqhash pillow numpy")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pdq-reference-" + UUID().uuidString)
        defer { try? FileManager.default.removeItem(at: directory) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Self.script.path, directory.path]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)

        var distances: [Int: Int] = [:]
        var dihedralDistances: [Int: Int] = [:]
        var compared = 0
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
            let record = try JSONValue.parse(String(line)).objectValue!
            let file = record["file"]!.stringValue!
            let referenceHash = try #require(PDQHash(hex: record["pdq"]!.stringValue!))
            guard case .number(let referenceQuality) = record["quality"]! else { continue }
            let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: file)))
            let image = try ImageDecoder.decode(bytes)
            let ours = PDQ.hash(image)
            let distance = ours.hash.distance(to: referenceHash)
            distances[distance, default: 0] += 1
            compared += 1
            // Meta's bar for a new implementation: within 10 bits on images of quality 80 or more.
            if referenceQuality >= 80 { #expect(distance <= 10, "\(file): distance \(distance)") }
            #expect(distance <= 31, "\(file): distance \(distance)")
            #expect(abs(ours.quality - Int(referenceQuality)) <= 1, "\(file): quality \(ours.quality) vs \(Int(referenceQuality))")
            let dihedral = PDQ.dihedralHashes(image).all
            for (mine, theirs) in zip(dihedral, record["dihedral"]!.arrayValue!) {
                let d = mine.distance(to: PDQHash(hex: theirs.stringValue!)!)
                dihedralDistances[d, default: 0] += 1
                if referenceQuality >= 80 { #expect(d <= 10, "\(file): dihedral distance \(d)") }
            }
        }
        #expect(compared >= 70)
        print("PDQ vs reference on \(compared) generated images, distance: count = \(distances.sorted { $0.key < $1.key })")
        print("PDQ dihedral vs reference, distance: count = \(dihedralDistances.sorted { $0.key < $1.key })")
    }
}
