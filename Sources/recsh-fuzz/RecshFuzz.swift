import CFuzzSupport
import Foundation
import FuzzTargets

// recsh-fuzz TARGET [CORPUS_DIR ...] [-max_total_time=S] [-artifact_prefix=DIR/] [-seed=N] [-runs=N]
//
// Built with `-sanitize=fuzzer -DFUZZING` (`make fuzz`) the program hands
// the rest of its command line to libFuzzer through `LLVMFuzzerRunDriver`
// (coverage-guided, crashes saved as DIR/crash-<sha1>). It keeps its own
// `main` because SwiftPM links every executable with `main` aliased to the
// module's renamed entry point, which overrides libFuzzer's `main`. Built
// plainly (every `swift build`), it is a seeded mutator over the corpus
// with the same options, so the targets always compile and CI can run them
// without a second build.

/// The usage line and the targets, for a missing or unknown TARGET.
func usage() -> Never {
    let names = FuzzTargets.all.map { "  \($0.name): \($0.summary)" }.joined(separator: "\n")
    FileHandle.standardError.write(Data("usage: recsh-fuzz TARGET [CORPUS_DIR ...] [-max_total_time=S] [-artifact_prefix=DIR/] [-seed=N] [-runs=N]\ntargets:\n\(names)\n".utf8))
    exit(2)
}

#if FUZZING
/// The target libFuzzer drives, chosen once before the first input.
nonisolated(unsafe) var selected: FuzzTargets.Target?

@main enum LibFuzzerDriver {
    static func main() {
        let arguments = CommandLine.arguments
        guard arguments.count >= 2, let target = FuzzTargets.named(arguments[1]) else { usage() }
        selected = target
        atexit { FuzzTargets.removeScratch() }
        // libFuzzer reads its flags and corpus directories from argv without TARGET; the strings live until exit.
        var argv: [UnsafeMutablePointer<CChar>?] = ([arguments[0]] + arguments.dropFirst(2)).map { strdup($0) } + [nil]
        var argc = Int32(argv.count - 1)
        let status = argv.withUnsafeMutableBufferPointer { buffer -> Int32 in
            var base = buffer.baseAddress
            return LLVMFuzzerRunDriver(&argc, &base) { data, size in
                selected?.run(size == 0 || data == nil ? Data() : Data(bytes: data!, count: size))
                return 0
            }
        }
        exit(status)
    }
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
