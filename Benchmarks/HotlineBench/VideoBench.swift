import Foundation
import HotlineCore
import HotlineVideo

/// vPDQ of generated 720p clips of 60 s beside PyPI `vpdq` on the same files, in rounds that
/// alternate the two (this machine's cores are shared, so each side's best round is kept):
/// seconds of video hashed per second of wall time, and how far our frame hashes are from
/// vpdq's. Issue 23's goal: at least twice vpdq's rate.
enum VideoBench {
    static func run(clips: Int = 2, rounds: Int = 3) throws {
        print("")
        print(
            "vPDQ of generated 1280x720 clips of 60 s at 30 fps (x264), \(clips) clips, best of \(rounds) rounds (ours | PyPI vpdq, Meta's C++ with its default threads)"
        )
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hotline-vpdq-bench").path
        guard let made = HashingBench.runReference(["make", directory, String(clips)], script: "vpdq_bench.py"),
            case .array(let names)? = try? JSONValue.parse(made)
        else {
            print("  not run: ffmpeg, numpy and vpdq are needed (make test-deps)")
            return
        }
        let files = names.compactMap(\.stringValue)
        var ours = Double.infinity
        var theirs = Double.infinity
        var reference: [String: [JSONValue]] = [:]
        var hashed: [String: VideoHash] = [:]
        for _ in 0..<rounds {
            if let output = HashingBench.runReference(["hash", directory], script: "vpdq_bench.py"), let object = try? JSONValue.parse(output).objectValue,
                let seconds = object["seconds"]?.objectValue, let frames = object["frames"]?.objectValue
            {
                theirs = min(
                    theirs,
                    seconds.members.reduce(0) { total, member in
                        if case .number(let value) = member.value { return total + value }
                        return total
                    })
                for member in frames.members { reference[member.key] = member.value.arrayValue }
            }
            let started = Date()
            for name in files {
                let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: directory).appendingPathComponent(name)))
                hashed[name] = try VideoHasher.hash(bytes)
            }
            ours = min(ours, Date().timeIntervalSince(started))
        }
        let seconds = Double(files.count * 60)
        var distances: [Int] = []
        for (name, hash) in hashed {
            let byFrame = Dictionary(hash.frames.map { ($0.frame, $0.pdq) }, uniquingKeysWith: { first, _ in first })
            for feature in reference[name] ?? [] {
                guard let parts = feature.arrayValue, case .number(let frame) = parts[0], case .number(let quality) = parts[2], quality >= 80,
                    let mine = byFrame[Int(frame)], let hex = parts[1].stringValue, let theirs = PDQHash(hex: hex)
                else { continue }
                distances.append(mine.distance(to: theirs))
            }
        }
        distances.sort()
        print(String(format: "  ours:  %.1f s of video per second (%.2f s for %d s)", seconds / ours, ours, Int(seconds)))
        if theirs.isFinite {
            print(String(format: "  vpdq:  %.1f s of video per second (%.2f s)", seconds / theirs, theirs))
            print(String(format: "  ratio: %.2fx (goal >= 2x)", theirs / ours))
            RatioTable.add("vPDQ, 720p clips of 60 s", ours: seconds / ours, peer: "vpdq (PyPI)", theirs: seconds / theirs, unit: "video s/s", goal: ">= 2x")
            print(
                String(
                    format: "  frame hashes beside vpdq's at quality >= 80 (%d frames): mean %.2f, max %d bits (goal <= 10)", distances.count,
                    Double(distances.reduce(0, +)) / Double(max(1, distances.count)), distances.last ?? 0))
        } else {
            print("  vpdq: not run (python3 -m pip install vpdq)")
            RatioTable.add("vPDQ, 720p clips of 60 s", ours: seconds / ours, peer: "vpdq (PyPI)", theirs: nil, unit: "video s/s", goal: ">= 2x")
        }
    }
}
