import Foundation
import HotlineCore
import HotlineHashing
import HotlineTesting
import Testing

@testable import HotlineVideo

/// Compares this vPDQ with Meta's (PyPI `vpdq`) and its matching with python-threatexchange's
/// on videos made from generated frames: originals, a VP9 re-encode, a trimmed clip, a
/// scaled one, a low-quality one and an unrelated one. `make test` installs both and
/// Debian's ffmpeg; without them the comparison is skipped locally and fails in CI.
@Suite(.serialized) struct VPDQReferenceTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Reference/vpdq_reference.py")

    static var referenceAvailable: Bool {
        ffmpegAvailable && TestTools.pythonImports("vpdq, numpy, threatexchange.extensions.vpdq.vpdq")
    }

    static var ffmpegAvailable: Bool { TestTools.command("ffmpeg") }

    static var required: Bool { TestTools.required }

    @Test(.enabled(if: referenceAvailable || required, "ffmpeg, vpdq and threatexchange are not installed (make test installs them)"))
    func framesAndDecisionsMatchTheReference() throws {
        try #require(Self.referenceAvailable, "CI must have ffmpeg and python3 -m pip install vpdq threatexchange numpy")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vpdq-reference-" + UUID().uuidString)
        defer { try? FileManager.default.removeItem(at: directory) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Self.script.path, directory.path]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0)
        let reference = try JSONValue.parse(data).objectValue!

        var ours: [String: [VideoFrameHash]] = [:]
        var distances: [Int: Int] = [:]
        for (name, value) in reference["files"]!.objectValue!.members {
            let bytes = [UInt8](try Data(contentsOf: directory.appendingPathComponent(name)))
            let hashed = try VideoHasher.hash(bytes).frames
            ours[name] = hashed
            let byFrame = Dictionary(hashed.map { ($0.frame, $0) }, uniquingKeysWith: { first, _ in first })
            let theirs = value.arrayValue!
            // Ours leaves out a frame that repeats the one before; theirs keeps it.
            #expect(hashed.count <= theirs.count && hashed.count >= theirs.count * 3 / 4, "\(name): \(hashed.count) frames, vpdq \(theirs.count)")
            for feature in theirs {
                let parts = feature.arrayValue!
                guard case .number(let frame) = parts[0], case .number(let quality) = parts[2], case .number(let timestamp) = parts[3] else {
                    Issue.record("malformed reference feature")
                    continue
                }
                guard let mine = byFrame[Int(frame)] else { continue }
                let distance = mine.pdq.distance(to: PDQHash(hex: parts[1].stringValue!)!)
                distances[distance, default: 0] += 1
                if quality >= 80 { #expect(distance <= 10, "\(name) frame \(Int(frame)): distance \(distance)") }
                #expect(abs(mine.timestamp - timestamp) < 0.001, "\(name) frame \(Int(frame)): timestamp \(mine.timestamp) vs \(timestamp)")
                #expect(abs(mine.quality - Int(quality)) <= 5, "\(name) frame \(Int(frame)): quality \(mine.quality) vs \(Int(quality))")
            }
        }
        #expect(distances.values.reduce(0, +) >= 80)
        var decisions = 0
        for pair in reference["pairs"]!.arrayValue! {
            let record = pair.objectValue!
            let query = record["query"]!.stringValue!
            let target = record["target"]!.stringValue!
            guard case .bool(let expected) = record["match"]!, case .number(let queryPercent) = record["query_percent"]!,
                case .number(let targetPercent) = record["target_percent"]!
            else { continue }
            let shares = VPDQ.compare(ours[query]!, ours[target]!)
            #expect(shares.matches() == expected, "\(query) in \(target): ours \(shares), python-threatexchange \(queryPercent) / \(targetPercent)")
            #expect(abs(shares.query - queryPercent) <= 15 && abs(shares.target - targetPercent) <= 15, "\(query) in \(target): \(shares)")
            decisions += 1
        }
        #expect(decisions == 42)
        print("vPDQ vs vpdq, frame distance: count = \(distances.sorted { $0.key < $1.key }); \(decisions) match decisions equal")
    }
}
