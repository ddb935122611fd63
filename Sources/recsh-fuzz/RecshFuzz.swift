import CFuzzSupport
import Foundation
import FuzzTargets

// recsh-fuzz TARGET [CORPUS_DIR ...] [-max_total_time=S] [-artifact_prefix=DIR/] [-seed=N] [-runs=N]
//
// Built with `-sanitize=fuzzer -DFUZZING` (`make fuzz`) it hands everything
// after TARGET to libFuzzer: coverage-guided, crashes saved as
// DIR/crash-<sha1>. Built plainly (every `swift build`), it is a seeded
// mutator over the corpus with the same options, so the targets always
// compile and CI can run them without a second build.

let arguments = CommandLine.arguments
guard arguments.count >= 2, let target = FuzzTargets.named(arguments[1]) else {
    let names = FuzzTargets.all.map { "  \($0.name): \($0.summary)" }.joined(separator: "\n")
    FileHandle.standardError.write(Data("usage: recsh-fuzz TARGET [CORPUS_DIR ...] [-max_total_time=S] [-artifact_prefix=DIR/] [-seed=N] [-runs=N]\ntargets:\n\(names)\n".utf8))
    exit(2)
}
nonisolated(unsafe) var selected = target

#if FUZZING
var argc = Int32(arguments.count - 1)
var cArguments: [UnsafeMutablePointer<CChar>?] = ([arguments[0]] + arguments.dropFirst(2)).map { strdup($0) } + [nil]
let status = cArguments.withUnsafeMutableBufferPointer { buffer -> Int32 in
    var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = buffer.baseAddress
    return LLVMFuzzerRunDriver(&argc, &argv) { data, size in
        selected.run(size == 0 ? Data() : Data(bytes: data!, count: size))
        return 0
    }
}
FuzzTargets.removeScratch()
exit(status)
#else
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
#endif
