import ArgumentParser
import Foundation
import HotlineCore
import HotlineHashing

/// `hotline hash FILE…`.
struct HashCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hash",
        abstract: "Print MD5, SHA-1, SHA-256 and, for JPEG and PNG images, PDQ with its quality, one JSON object per file.",
        discussion:
            "Files are read and hashed in memory; nothing decoded is written anywhere. A file that cannot be read gets an error object and the others are still hashed; exit 1 if any could not be read."
    )

    @Flag(name: .long, help: "Also print the eight dihedral PDQ hashes (rotations and flips).")
    var dihedral = false

    @Argument(help: "Files to hash.")
    var files: [String]

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
            Output.out(JSONValue.object(object).serialized + "\n")
        }
        if failed { throw ExitCode(1) }
    }
}
