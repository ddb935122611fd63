import ArgumentParser
import Foundation
import RecServe
import RecShell
import Tensors

// A crash must never wait for input. The Swift runtime reads
// SWIFT_BACKTRACE before main runs, so setting it here would be too late;
// when it is unset and a terminal is attached (the only case where the
// backtracer would prompt), re-execute once with it set. The Makefile and
// README also export it.
//
// OpenBLAS likewise picks its kernels while it loads; on virtual CPUs with a
// generic model name it falls back to slow SSE3 code, so ask for the kernel
// the CPU's flags support (BLAS.preferredCoreType; a set value is respected).
var reexec = false
if getenv("SWIFT_BACKTRACE") == nil && isatty(0) == 1 {
    setenv("SWIFT_BACKTRACE", "interactive=no", 1)
    reexec = true
}
if getenv("RECSH_NO_REEXEC") == nil,
   let core = BLAS.preferredCoreType(environment: ProcessInfo.processInfo.environment, cpuFlags: BLAS.cpuFlags()) {
    setenv("OPENBLAS_CORETYPE", core, 1)
    reexec = true
}
if reexec {
    setenv("RECSH_NO_REEXEC", "1", 1)
    execv("/proc/self/exe", CommandLine.unsafeArgv)
    // exec failed: carry on without the settings rather than not starting.
}

extension OutputFormat: ExpressibleByArgument {}

/// Process flags only; everything else happens in the shell.
struct Recsh: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recsh",
        abstract: "An interactive shell for graph-neural-network movie recommendation on MovieLens.",
        discussion: """
            With no files and no -c, reads commands interactively (line editing, history, Tab completion) \
            or, when stdin is not a terminal, line by line from stdin. Exit status: 0 when every command \
            succeeded, 1 when any failed, 2 on a bad invocation.
            """,
        version: RecshVersion.string)

    @Argument(help: "Script files (.recsh) to run, then exit.")
    var files: [String] = []

    @Option(name: .customShort("c"), help: ArgumentHelp("Commands to run, then exit ('CMD; CMD').", valueName: "commands"))
    var commands: String?

    @Option(help: "Output format: table, json, csv or markdown.")
    var format: OutputFormat = .table

    @Option(help: ArgumentHelp("Directory with MovieLens files, used by 'load' before the cache.", valueName: "dir"))
    var data: String?

    @Option(help: ArgumentHelp("Directory of saved sessions.", valueName: "dir"))
    var sessions: String?

    @Option(help: ArgumentHelp("Restore a saved session before anything else.", valueName: "name"))
    var restore: String?

    @Flag(help: "Stop at the first failing command.")
    var bail = false

    @Flag(help: "No banner, no progress bars, no 'next:' hints.")
    var quiet = false

    @Flag(help: "Print each command before its output (the default for scripts on a terminal).")
    var echo = false

    @Flag(name: .customLong("no-rc"), help: "Do not run ~/.recshrc (or $RECSH_RC) at start.")
    var noRC = false

    func validate() throws {
        if commands != nil && !files.isEmpty {
            throw ValidationError("give either script files or -c, not both")
        }
    }

    /// Runs the shell and returns the exit status.
    func start() -> Int32 {
        var settings = Settings()
        settings.format = format
        // --data wins over RECSH_DATA; an empty variable counts as unset.
        settings.dataDirectory = data ?? ProcessInfo.processInfo.environment["RECSH_DATA"].flatMap { $0.isEmpty ? nil : $0 }
        if let sessions { settings.sessionsDirectory = sessions }
        let environment = ShellEnvironment.current(quiet: quiet)
        if quiet {
            settings.progress = false
            settings.hints = false
        }
        // A script on a terminal reads as a lesson: each command, then its output.
        settings.echo = echo || (!files.isEmpty && environment.stdoutIsTerminal)
        Interrupt.install()
        // RecServe sits above RecShell, so the shell's standard command set cannot name `serve` itself.
        var registry = CommandRegistry.standard
        registry.add(ServeCommand.spec)
        let shell = Shell(session: Session(settings: settings), registry: registry, environment: environment, bail: bail)
        defer { shell.closeOutputFile() }
        if !noRC, let rc = environment.startupFile, FileManager.default.fileExists(atPath: rc) {
            shell.runStartupFile(path: rc)
        }
        if let restore {
            // Nothing else runs on a session that failed to restore: a later 'save' would overwrite the bundle.
            let ok = shell.run(line: "restore \"\(restore.replacingOccurrences(of: "\"", with: "\\\""))\"")
            if !ok { return 1 }
        }
        if let commands {
            shell.run(commands: commands)
        } else if !files.isEmpty {
            for file in files { shell.runScript(path: file) }
        } else if environment.stdinIsTerminal, let editor = EditLineReader(historyPath: environment.historyPath) {
            shell.interactive(reader: editor)
            return 0
        } else {
            shell.runLines(from: PlainLineReader())
        }
        return shell.failures > 0 ? 1 : 0
    }
}

do {
    let recsh = try Recsh.parse()
    exit(recsh.start())
} catch {
    // --help and --version arrive here as "errors" with a success code.
    if Recsh.exitCode(for: error) == .success {
        print(Recsh.fullMessage(for: error))
        exit(0)
    }
    FileHandle.standardError.write(Data((Recsh.fullMessage(for: error) + "\n").utf8))
    exit(2)
}
