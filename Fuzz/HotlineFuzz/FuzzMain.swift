import Foundation

#if FUZZING
    // Built by `make fuzz` (AddressSanitizer, libFuzzer coverage). SwiftPM gives an executable its own main, so
    // this main hands the command line to libFuzzer's driver; HOTLINE_FUZZ_TARGET picks the parser.
    @_silgen_name("LLVMFuzzerRunDriver")
    func LLVMFuzzerRunDriver(
        _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
        _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
    ) -> CInt

    @main
    struct HotlineFuzzDriver {
        static func main() {
            var argc = CommandLine.argc
            var argv = CommandLine.unsafeArgv
            let status = LLVMFuzzerRunDriver(&argc, &argv) { data, size in
                let target = ProcessInfo.processInfo.environment["HOTLINE_FUZZ_TARGET"] ?? "report-json"
                FuzzTargets.run(target, data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [])
                return 0
            }
            exit(status)
        }
    }
#else
    /// A normal build replays the corpus and the regressions: `HotlineFuzz TARGET FILE…`, or with
    /// no arguments every file under Fuzz/corpus/TARGET and Fuzz/regressions/TARGET.
    @main
    struct HotlineFuzzReplay {
        static func main() {
            let arguments = Array(CommandLine.arguments.dropFirst())
            var runs = 0
            if let target = arguments.first {
                for file in arguments.dropFirst() {
                    FuzzTargets.run(target, [UInt8](FileManager.default.contents(atPath: file) ?? Data()))
                    runs += 1
                }
            } else {
                for target in FuzzTargets.names {
                    for folder in ["Fuzz/corpus/\(target)", "Fuzz/regressions/\(target)"] {
                        for name in ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted() {
                            FuzzTargets.run(target, [UInt8](FileManager.default.contents(atPath: "\(folder)/\(name)") ?? Data()))
                            runs += 1
                        }
                    }
                }
            }
            print("replayed \(runs) inputs without a crash")
        }
    }
#endif
