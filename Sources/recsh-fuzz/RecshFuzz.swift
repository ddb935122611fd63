import CFuzzSupport
import Foundation
import FuzzTargets

// recsh-fuzz TARGET [CORPUS_DIR ...] [-max_total_time=S] [-artifact_prefix=DIR/] [-seed=N] [-runs=N]
//
// Built with `-sanitize=fuzzer -DFUZZING` (`make fuzz`) the program is
// libFuzzer's: its `main` parses the flags, `LLVMFuzzerInitialize` takes
// TARGET off the command line and `LLVMFuzzerTestOneInput` runs it
// (coverage-guided, crashes saved as DIR/crash-<sha1>). libFuzzer links its
// own `main` whole, so this file has none in that build. Built plainly
// (every `swift build`), it is a seeded mutator over the corpus with the
// same options, so the targets always compile and CI can run them without
// a second build.

/// The usage line and the targets, for a missing or unknown TARGET.
func usage() -> Never {
    let names = FuzzTargets.all.map { "  \($0.name): \($0.summary)" }.joined(separator: "\n")
    FileHandle.standardError.write(Data("usage: recsh-fuzz TARGET [CORPUS_DIR ...] [-max_total_time=S] [-artifact_prefix=DIR/] [-seed=N] [-runs=N]\ntargets:\n\(names)\n".utf8))
    exit(2)
}

#if FUZZING
/// The target libFuzzer drives, chosen once before the first input.
nonisolated(unsafe) var selected: FuzzTargets.Target?

@_cdecl("LLVMFuzzerInitialize")
public func fuzzerInitialize(_ argc: UnsafeMutablePointer<Int32>,
                             _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> Int32 {
    guard argc.pointee >= 2, let arguments = argv.pointee, let first = arguments[1],
          let target = FuzzTargets.named(String(cString: first)) else { usage() }
    selected = target
    // libFuzzer reads its flags and corpus directories after this returns: drop TARGET (argv ends in a null).
    for i in 1..<Int(argc.pointee) { arguments[i] = arguments[i + 1] }
    argc.pointee -= 1
    atexit { FuzzTargets.removeScratch() }
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    selected?.run(size == 0 || data == nil ? Data() : Data(bytes: data!, count: size))
    return 0
}
#else
@main enum SeededFuzzer {
    static func main() {
        let arguments = CommandLine.arguments
        guard arguments.count >= 2, let target = FuzzTargets.named(arguments[1]) else { usage() }
        var options: [String: String] = [:]
        var corpora: [String] = []
        for argument in arguments.dropFirst(2) {
            if argument.hasPrefix("-"), let eq = argument.firstIndex(of: "=") {
                options[String(argument[argument.index(after: argument.startIndex)..<eq])] = String(argument[argument.index(after: eq)...])
            } else {
                corpora.append(argument)
            }
        }
        let seconds = Double(options["max_total_time"] ?? "10") ?? 10
        let maxRuns = Int(options["runs"] ?? "") ?? Int.max
        let prefix = options["artifact_prefix"] ?? "./"
        var driver = MutationDriver(seed: UInt64(options["seed"] ?? "0") ?? 0, corpus: MutationDriver.readCorpus(corpora))
        let crashPath = prefix + "crash-\(target.name)-seed\(options["seed"] ?? "0")"
        FileHandle.standardError.write(Data("recsh-fuzz \(target.name): seeded mutator, \(driver.corpus.count) seed inputs, \(seconds) s; a crash input is written to \(crashPath)\n".utf8))
        recsh_fuzz_install_crash_saver(crashPath)
        let start = Date()
        var runs = 0
        while runs < maxRuns && Date().timeIntervalSince(start) < seconds {
            let input = driver.next()
            input.withUnsafeBytes { raw in
                recsh_fuzz_set_current_input(raw.baseAddress?.assumingMemoryBound(to: UInt8.self), raw.count)
                target.run(input)
            }
            runs += 1
        }
        let elapsed = Date().timeIntervalSince(start)
        print("recsh-fuzz \(target.name): \(runs) runs in \(String(format: "%.1f", elapsed)) s (\(Int(Double(runs) / max(elapsed, 1e-9))) exec/s), no crash")
        FuzzTargets.removeScratch()
    }
}
#endif
