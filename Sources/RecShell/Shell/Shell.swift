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
    /// `#` lines read since the last command, kept with the next command's transcript entry.
    private var pendingComment: [String] = []
    /// Where results go after `output FILE`, until `output` alone.
    private var outputFile: (path: String, handle: FileHandle)? = nil
    /// Reads the answer to a question (`split` asking before it drops models); nil: never ask.
    public var ask: ((String) -> String?)? = nil
    /// Pages output longer than the screen; set by the interactive loop on a terminal.
    var pager: Pager? = nil
    /// Results are not shown (the start-up file runs this way); errors still are.
    private var discardResults = false

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

    /// Results written to a file are plain: no boxes, no colour.
    var style: TextStyle {
        guard outputFile == nil else { return .plain }
        let color = environment.colorEnabled(setting: session.settings.color)
        return TextStyle(box: environment.stdoutIsTerminal, color: color)
    }

    /// How results are laid out now: style, hints, the width tables fit.
    var renderOptions: Renderer.Options {
        let width = session.settings.width ?? (outputFile == nil ? environment.terminalColumns() : nil)
        return Renderer.Options(style: style, hints: session.settings.hints, width: width,
                                expanded: session.settings.expanded)
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
        let log: @Sendable (String) -> Void
        if environment.quiet {
            log = { _ in }
        } else {
            log = { line in
                bar.finish()
                FileHandle.standardError.write(Data((line + "\n").utf8))
            }
        }
        let control = RunControl(shouldStop: { Interrupt.isSet }, report: report,
                                 budget: ResourceBudget(memoryLimit: session.settings.memoryLimit), log: log)
        return Context(registry: registry, run: control, environment: environment, canAsk: ask != nil)
    }

    // MARK: running lines

    /// Runs every command on a line. Returns false if any failed.
    @discardableResult
    public func run(line: String, origin: Origin? = nil) -> Bool {
        guard !stopped else { return false }
        let trimmed = line.trimmingSpaces()
        if trimmed.hasPrefix("#") {
            pendingComment.append(String(trimmed.dropFirst()).trimmingSpaces())
            return true
        }
        if trimmed.isEmpty, !pendingComment.isEmpty { pendingComment.append("") }
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
        case .output:
            return redirect(to: parsed.argument(0), line: raw.text, origin: origin)
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
                writeOutput(Renderer.render(result, format: session.settings.format, options: renderOptions))
            } else if session.settings.format == .json {
                writeOutput(Renderer.render(result, format: .json, options: renderOptions))
            }
            return ok
        case .handler(let handler):
            Interrupt.clear()
            BLAS.configure(threads: session.settings.threads)   // `set threads=N`: BLAS and recsh's kernels
            let started = Date()
            var result: CommandResult
            do {
                result = try runHandler(handler, parsed, spec: spec)
            } catch ShellError.confirmation(let question) {
                // Asked only where someone can answer (context.canAsk); yes runs it again with `force`.
                let answer = ask?(question + " [y/N] ")?.trimmingSpaces().lowercased() ?? ""
                if answer == "y" || answer == "yes" {
                    var forced = parsed
                    forced.flags.insert("force")
                    do { result = try runHandler(handler, forced, spec: spec) } catch {
                        result = .failure(spec.name, located(String(describing: error), origin))
                    }
                } else {
                    result = CommandResult(command: spec.name, payload: [("cancelled", .bool(true))],
                                           notes: ["\(spec.name): cancelled; nothing changed"])
                }
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

    /// Runs a handler on a copy of the session and keeps the copy only when it returns.
    private func runHandler(_ handler: CommandHandler, _ parsed: ParsedCommand, spec: CommandSpec) throws -> CommandResult {
        var copy = session
        var result = try spec.run(handler, &copy, parsed, context)
        result.command = spec.name
        // `consume` ends the copy here: were it still alive, the transcript append in
        // `emit` would find its buffer shared and copy every entry (quadratic scripts).
        session = consume copy
        return result
    }

    /// Renders a result, records it in the transcript, counts failures, applies --bail.
    private func emit(_ result: CommandResult, line: String) {
        commandsRun += 1
        let output = Renderer.render(result, format: session.settings.format, options: renderOptions)
        if discardResults && !result.ok {
            writeErr(output.stdout + output.stderr)   // a start-up file's error (JSON's too) is still seen
        } else {
            writeOutput(output)
        }
        if result.ok {
            var text = TableRenderer.render(result, style: .plain)
            let remarks = result.remarks(hints: session.settings.hints)
            if !remarks.isEmpty { text += (text.isEmpty ? "" : "\n\n") + remarks.joined(separator: "\n") }
            let comment = pendingComment.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
            session.transcript.append(TranscriptEntry(line: line, output: text, seconds: result.wallSeconds ?? 0,
                                                      comment: comment, result: result))
            pendingComment = []
        } else {
            pendingComment = []
            failures += 1
            if bail { stopped = true }
        }
    }

    private func writeOutput(_ output: Renderer.Output) {
        if !output.stdout.isEmpty { writeResult(output.stdout) }
        if !output.stderr.isEmpty { writeErr(output.stderr) }
    }

    /// Results go to the `output` file when one is open, else through the pager or to stdout.
    private func writeResult(_ text: String) {
        if discardResults { return }
        if let file = outputFile {
            file.handle.write(Data(text.utf8))
        } else if let pager, session.settings.pager, session.settings.format == .table || session.settings.format == .markdown,
                  pager.wouldPage(text) {
            progress.finish()
            if !pager.show(text) { writeOut(text) }
        } else {
            // A script's progress bar shares the terminal: cleared before results print under it.
            if environment.stdoutIsTerminal { progress.finish() }
            writeOut(text)
        }
    }

    /// `output FILE` opens (truncates) FILE for results; `output` alone goes back to stdout.
    private func redirect(to path: String?, line: String, origin: Origin?) -> Bool {
        closeOutputFile()
        guard let path else {
            emit(CommandResult(command: "output", payload: [("file", .null)]), line: line)
            return true
        }
        guard FileManager.default.createFile(atPath: path, contents: nil),
              let handle = FileHandle(forWritingAtPath: path) else {
            emit(.failure("output", located("output: cannot write \(path)", origin)), line: line)
            return false
        }
        // Confirmed where the user is looking (stderr), before results start going to the file.
        writeErr("results go to \(path) until 'output' alone\n")
        outputFile = (path, handle)
        emit(CommandResult(command: "output", payload: [("file", .string(path))]), line: line)
        return true
    }

    /// Closes the `output` file, if one is open.
    public func closeOutputFile() {
        guard let file = outputFile else { return }
        try? file.handle.close()
        outputFile = nil
    }

    /// Prints a line the way the user would have typed it, when `echo` is on:
    /// in the human formats with the results, in csv and json on stderr.
    /// A script's comments and blank lines are echoed as they are, so it reads as a lesson.
    private func echo(_ line: String) {
        guard session.settings.echo else { return }
        let comment = line.isEmpty || line.hasPrefix("#")
        switch session.settings.format {
        case .table: writeResult((comment ? style.dim(line) : style.bold("recsh> " + line)) + "\n")
        case .markdown:
            if !line.isEmpty { writeResult(comment ? String(line.dropFirst()).trimmingSpaces() + "\n\n"
                                                   : "`recsh> " + line.replacingAll("`", with: "'") + "`\n\n") }
        case .csv, .json: if !line.isEmpty { writeErr((comment ? "" : "recsh> ") + line + "\n") }
        }
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
        var pending = Continuation()
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let control = context.run
        for (i, line) in lines.enumerated() {
            guard !stopped else { break }
            if i % 256 == 0 { control.report(ProgressUpdate(label: "run \(path)", done: i, total: lines.count)) }
            if pending.isEmpty, let open = fence {
                if Transcript.isClosingFence(line, length: open) { fence = nil }
                continue
            }
            if pending.isEmpty, let open = Transcript.openingFence(line) {
                fence = open
                continue
            }
            guard let (full, first) = pending.add(line, number: i + 1) else { continue }
            if !runEchoed(full, origin: Origin(file: path, line: first)) { ok = false }
        }
        if let (full, first) = pending.flush(), !stopped {
            if !runEchoed(full, origin: Origin(file: path, line: first)) { ok = false }
        }
        progress.finish()
        return ok
    }

    /// A non-blank line: echoed (when `echo` is on), then run.
    @discardableResult
    private func runEchoed(_ line: String, origin: Origin?) -> Bool {
        echo(line.trimmingSpaces())
        guard !line.trimmingSpaces().isEmpty else { return true }
        return run(line: line, origin: origin)
    }

    /// Runs the start-up file (~/.recshrc): its settings hold afterwards, its
    /// results are not shown (a JSON pipeline still gets one object per command
    /// of its own), its errors are. Returns false if any command failed.
    @discardableResult
    public func runStartupFile(path: String) -> Bool {
        discardResults = true
        defer { discardResults = false }
        return runScript(path: path)
    }

    /// Reads lines until the end of input (pipes).
    public func runLines(from reader: LineReader, name: String = "stdin") {
        var number = 0
        var pending = Continuation()
        while !stopped, case .line(let line) = reader.readLine(prompt: "") {
            number += 1
            if let (full, first) = pending.add(Substring(line), number: number) {
                runEchoed(full, origin: Origin(file: name, line: first))
            }
        }
        if let (full, first) = pending.flush(), !stopped { runEchoed(full, origin: Origin(file: name, line: first)) }
    }

    /// Runs `-c` text: each line (a `\` at the end of a line continues it), echoed when `echo` is on.
    public func run(commands text: String) {
        var pending = Continuation()
        for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            guard !stopped else { return }
            if let (full, _) = pending.add(line, number: i + 1) { runEchoed(full, origin: nil) }
        }
        if let (full, _) = pending.flush(), !stopped { runEchoed(full, origin: nil) }
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
        if environment.stdoutIsTerminal { pager = Pager(environment: environment) }
        ask = { [unowned reader] question in
            if case .line(let answer) = reader.readLine(prompt: question) { return answer }
            return nil
        }
        var pending = Continuation()
        loop: while !stopped {
            switch reader.readLine(prompt: pending.isEmpty ? prompt : continuationPrompt) {
            case .line(let line):
                if pending.isEmpty && line.trimmingSpaces().isEmpty { continue }
                guard let (full, _) = pending.add(Substring(line), number: 0) else { continue }
                if full.trimmingSpaces().isEmpty { continue }
                reader.remember(full.trimmingSpaces())
                run(line: full)
            case .interrupted:
                pending = Continuation()
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

    /// The prompt after a line that ended in `\`, as wide as the usual one.
    var continuationPrompt: String {
        String(repeating: " ", count: max(0, prompt.count - 5)) + "...> "
    }

    /// Completion over the current session's models and titles.
    public var completer: Completer {
        Completer(registry: registry, modelNames: session.models.map(\.name),
                  movieTitles: session.dataset?.movies.map(\.title) ?? [])
    }
}
