import Foundation
import Testing

/// The fuzz targets replay their seeds and every crash ever found (Fuzz/regressions) in a
/// normal build: a parser change that brings an old crash back fails here.
@Suite struct FuzzRegressionTests {
    @Test func everySeedAndRegressionParsesWithoutACrash() throws {
        let binary = CLI.executable.deletingLastPathComponent().appendingPathComponent("HotlineFuzz")
        let process = Process()
        process.executableURL = binary
        process.currentDirectoryURL = CLI.root
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let count = Int(output.split(separator: " ").dropFirst().first ?? "") ?? 0
        #expect(count >= 30, "\(output)")
    }
}
