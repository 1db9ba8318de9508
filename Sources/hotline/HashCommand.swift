import ArgumentParser
import Foundation
import HotlineCore
import HotlineHashing
import HotlineVideo

/// `hotline hash FILE…`.
struct HashCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hash",
        abstract:
            "Print MD5, SHA-1, SHA-256 and, for images, PDQ with its quality, for videos vPDQ (one PDQ a second), one JSON object per file.",
        discussion:
            "Files are read and hashed in memory; nothing decoded is written anywhere. A video's `vpdq` is the frames as python-threatexchange writes them (`hex,quality,timestamp`), which `hashes import --format vpdq` reads. A file that cannot be read gets an error object and the others are still hashed; exit 1 if any could not be read."
    )

    @Flag(name: .long, help: "Also print the eight dihedral PDQ hashes (rotations and flips).")
    var dihedral = false

    @Option(help: "Seconds between the video frames hashed (0: every frame).")
    var secondsPerHash: Double = 1

    @Option(help: "Decoding threads for a video (0: one per core, and one more).")
    var threads: Int = 0

    @Argument(help: "Files to hash.")
    var files: [String]

    func validate() throws {
        guard secondsPerHash >= 0, secondsPerHash.isFinite else { throw ValidationError("--seconds-per-hash must be 0 or more") }
        guard (0...64).contains(threads) else { throw ValidationError("--threads must be 0–64") }
    }

    func run() throws {
        var failed = false
        for file in files {
            var object: JSONObject = ["file": .string(file)]
            guard let data = FileManager.default.contents(atPath: file) else {
                object.append("error", .string(FileManager.default.fileExists(atPath: file) ? "cannot read file" : "no such file"))
                object.append("code", .string("io"))
                Output.out(JSONValue.object(object).serialized + "\n")
                failed = true
                continue
            }
            let bytes = [UInt8](data)
            let hashes = ContentHasher.hash(bytes)
            object.members.append(contentsOf: hashes.json.members)
            if dihedral, hashes.pdq != nil, let image = try? ImageDecoder.decode(bytes) {
                object.append("pdq_dihedral", .array(PDQ.dihedralHashes(image).all.map { .string($0.description) }))
            }
            if MediaSniffer.mediaType(bytes)?.hasPrefix("video/") == true {
                do {
                    let video = try VideoHasher.hash(bytes, secondsPerHash: secondsPerHash, threads: threads)
                    object.append("video_frames", .number(Double(video.frames.count)))
                    if case .array(let frames)? = try? JSONValue.parse(video.signalString) { object.append("vpdq", .array(frames)) }
                } catch {
                    object.append("video_error", .string(error.description))
                    object.append("code", .string(error.code))
                    failed = true
                }
            }
            Output.out(JSONValue.object(object).serialized + "\n")
        }
        if failed { throw ExitCode(1) }
    }
}
