import Foundation

/// Whether the tools a comparison test needs are installed: python modules (the reference
/// implementations) and commands (ffmpeg). Tests skip without them locally and fail in CI.
public enum TestTools {
    /// Whether python3 imports every module of `modules` (`"vpdq, numpy"`).
    public static func pythonImports(_ modules: String) -> Bool {
        succeeds(TestScripts.python, ["-c", "import \(modules)"])
    }

    /// Whether `command` is on the PATH.
    public static func command(_ command: String) -> Bool { succeeds("/bin/sh", ["-c", "command -v \(command)"]) }

    /// Whether tests that compare with a reference must run: CI sets `CI`, so a missing
    /// install fails the run there instead of skipping.
    public static var required: Bool { ProcessInfo.processInfo.environment["CI"] != nil }

    private static func succeeds(_ executable: String, _ arguments: [String]) -> Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }
}
