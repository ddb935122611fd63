import Foundation
import GraphRec
import Tensors

/// The interpreter: reads lines, parses them against the registry, runs
/// each command on a copy of the session and commits the copy only on
/// success, renders each result once in the chosen format.
///
/// One `Shell` serves every mode: interactive (`interactive(reader:)`),
/// scripts (`runScript(path:)`), `-c` and pipes (`run(line:)`). It counts
/// failures so `main` can pick the exit code, and honours `--bail`.
public final class Shell {
    public var session: Session
    public let registry: CommandRegistry
    public let environment: ShellEnvironment
    /// Stop at the first failing command.
    public let bail: Bool
    /// Receives stdout and stderr text; the real streams by default.
    public var writeOut: (String) -> Void = { FileHandle.standardOutput.write(Data($0.utf8)) }
    public var writeErr: (String) -> Void = { FileHandle.standardError.write(Data($0.utf8)) }

    public private(set) var commandsRun = 0
    public private(set) var failures = 0
    /// `quit` ran, or --bail stopped the run.
    public private(set) var stopped = false
    private let progress = ProgressBar()
    private var scriptDepth = 0

    public init(session: Session = Session(), registry: CommandRegistry = .standard,
                environment: ShellEnvironment = .plain, bail: Bool = false) {
        self.session = session
        self.registry = registry
        self.environment = environment
        self.bail = bail
    }

    /// Where a line came from, for error messages ("tour.recsh:3: ...").
    public struct Origin: Sendable {
        public var file: String
        public var line: Int
        public init(file: String, line: Int) {
            self.file = file
            self.line = line
        }
    }

    var style: TextStyle {
        let color = environment.colorEnabled(setting: session.settings.color)
        return TextStyle(box: environment.stdoutIsTerminal, color: color)
    }

    var context: Context {
        let showProgress = environment.stderrIsTerminal && !environment.quiet && session.settings.progress
        let bar = progress
        let report: @Sendable (ProgressUpdate) -> Void
        if showProgress {
            report = { update in bar.report(update) }
        } else {
            report = { _ in }
        }
        let control = RunControl(shouldStop: { Interrupt.isSet }, report: report,
                                 budget: ResourceBudget(memoryLimit: session.settings.memoryLimit))
        return Context(registry: registry, run: control, environment: environment)
    }

    // MARK: running lines

    /// Runs every command on a line. Returns false if any failed.
    @discardableResult
    public func run(line: String, origin: Origin? = nil) -> Bool {
        guard !stopped else { return false }
        let commands: [RawCommand]
        do {
            commands = try Tokenizer.commands(in: line)
        } catch {
            let name = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).first.map(String.init) ?? ""
            emit(.failure(name, located(String(describing: error), origin)), line: line)
            return false
        }
        var allOK = true
        for raw in commands {
            guard !stopped else { return false }
            if !execute(raw, origin: origin) { allOK = false }
        }
        return allOK
    }

    /// Parses, runs and renders one command.
    private func execute(_ raw: RawCommand, origin: Origin?) -> Bool {
        let spec: CommandSpec, parsed: ParsedCommand
        do {
            (spec, parsed) = try CommandParser.parse(raw, registry: registry)
        } catch {
            emit(.failure(raw.words.first?.text ?? "", located(String(describing: error), origin)), line: raw.text)
            return false
        }
        switch spec.action {
        case .quit:
            stopped = true
            commandsRun += 1
            if session.settings.format == .json { emit(CommandResult(command: spec.name), line: raw.text) }
            return true
        case .runScript:
            let path = parsed.arguments[0]
            guard let text = readScript(path) else { return false }
            let before = failures
            let ok = runScript(text: text, path: path)
            var result = CommandResult(command: "run", blocks: [], payload: [
                ("file", .string(path)), ("failed", .int(failures - before)),
            ])
            if !ok {
                // The failures were counted and shown as they happened; this only sums up.
                result.ok = false
                result.error = "\(path): \(failures - before) command(s) failed"
                writeOutput(Renderer.render(result, format: session.settings.format, style: style))
            } else if session.settings.format == .json {
                writeOutput(Renderer.render(result, format: .json, style: style))
            }
            return ok
        case .handler(let handler):
            Interrupt.clear()
            BLAS.configure(threads: session.settings.threads)   // `set threads=N`: BLAS and recsh's kernels
            var copy = session
            let started = Date()
            var result: CommandResult
            do {
                result = try handler(&copy, parsed, context)
                result.command = spec.name
                session = copy
            } catch {
                result = .failure(spec.name, located(String(describing: error), origin))
            }
            progress.finish()
            if Interrupt.isSet {
                writeErr(style.dim("(interrupted)") + "\n")
                Interrupt.clear()
            }
            if session.settings.timer { result.wallSeconds = Date().timeIntervalSince(started) }
            emit(result, line: raw.text)
            return result.ok
        }
    }

    /// Renders a result, records it in the transcript, counts failures, applies --bail.
    private func emit(_ result: CommandResult, line: String) {
        commandsRun += 1
        writeOutput(Renderer.render(result, format: session.settings.format, style: style))
        if result.ok {
            let text = TableRenderer.render(result, style: .plain)
            session.transcript.append(TranscriptEntry(line: line, output: text, seconds: result.wallSeconds ?? 0))
        } else {
            failures += 1
            if bail { stopped = true }
        }
    }

    private func writeOutput(_ output: Renderer.Output) {
        if !output.stdout.isEmpty { writeOut(output.stdout) }
        if !output.stderr.isEmpty { writeErr(output.stderr) }
    }

    private func located(_ message: String, _ origin: Origin?) -> String {
        guard let origin else { return message }
        return "\(origin.file):\(origin.line): \(message)"
    }

    // MARK: scripts and batch input

    /// Runs a script file line by line. Returns false if it could not be
    /// read or any command failed; with --bail it stops at the first failure.
    @discardableResult
    public func runScript(path: String) -> Bool {
        guard let text = readScript(path) else { return false }
        return runScript(text: text, path: path)
    }

    /// The script's text, or nil after reporting why it cannot be run.
    private func readScript(_ path: String) -> String? {
        guard scriptDepth < 16 else {
            emit(.failure("run", "\(path): scripts nested more than 16 deep (does it run itself?)"), line: "run \(path)")
            return nil
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            let reason = FileManager.default.fileExists(atPath: path) ? "cannot be read" : "no such file"
            emit(.failure("run", "\(path): \(reason)"), line: "run \(path)")
            return nil
        }
        return String(decoding: data, as: UTF8.self)
    }

    private func runScript(text: String, path: String) -> Bool {
        scriptDepth += 1
        defer { scriptDepth -= 1 }
        var ok = true
        // Fenced blocks (``` ... ```) are a notebook's recorded output: skipped (see Transcript).
        var fence: Int? = nil
        for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            guard !stopped else { break }
            if let open = fence {
                if Transcript.isClosingFence(line, length: open) { fence = nil }
                continue
            }
            if let open = Transcript.openingFence(line) {
                fence = open
                continue
            }
            if !run(line: String(line), origin: Origin(file: path, line: i + 1)) { ok = false }
        }
        return ok
    }

    /// Reads lines until the end of input (pipes).
    public func runLines(from reader: LineReader, name: String = "stdin") {
        var number = 0
        while !stopped, case .line(let line) = reader.readLine(prompt: "") {
            number += 1
            run(line: line, origin: Origin(file: name, line: number))
        }
    }

    // MARK: interactive

    /// The interactive loop: prompt, read, run, until `quit` or Ctrl-D.
    public func interactive(reader: LineReader) {
        if let editor = reader as? EditLineReader {
            editor.completer = { [unowned self] text in self.completer.complete(text) }
        }
        if !environment.quiet {
            writeErr("recsh \(RecshVersion.string): graph neural network recommendation on MovieLens. "
                + "Type 'help', Tab completes, Ctrl-D leaves.\n")
        }
        loop: while !stopped {
            switch reader.readLine(prompt: prompt) {
            case .line(let line):
                if line.trimmingSpaces().isEmpty { continue }
                reader.remember(line.trimmingSpaces())
                run(line: line)
            case .interrupted:
                continue
            case .endOfInput:
                writeOut("\n")
                break loop
            }
        }
        reader.close()
    }

    var prompt: String {
        if let name = session.dataset?.name { return "recsh[\(name)]> " }
        return "recsh> "
    }

    /// Completion over the current session's models and titles.
    public var completer: Completer {
        Completer(registry: registry, modelNames: session.models.map(\.name),
                  movieTitles: session.dataset?.movies.map(\.title) ?? [])
    }
}
