import Foundation
import GraphRec

/// The shell's own commands: help, settings, timer, scripts, quit.
public enum ShellCommands {
    public static let specs = CommandSpec.group("Shell", [
        CommandSpec(name: "help", aliases: [".help", "\\?", "?"],
            summary: "List the commands, or show one command's usage, options and an example.",
            arguments: [ArgumentSpec("COMMAND", "a command name", required: false, completion: .commands)],
            example: "help train", handler: help),
        CommandSpec(name: "set",
            summary: "Change settings (format, seed, k, timer, threads, width, expanded, echo, pager, hints, memory-limit, ...): see 'help set'.",
            details: "Several keys may be set at once; if any value is bad, none is changed.",
            options: Settings.keys, usageOptions: 0, example: "set format=json k=20", handler: set),
        CommandSpec(name: "show",
            summary: "Show all settings, or one.",
            arguments: [ArgumentSpec("KEY", "a setting name", required: false,
                                     values: Settings.keys.map(\.name), completion: .settings)],
            example: "show format", handler: show),
        CommandSpec(name: "timer",
            summary: "Print the wall time after each command.",
            arguments: [ArgumentSpec("STATE", "on or off", values: ["on", "off"])],
            example: "timer on", handler: timer),
        CommandSpec(name: "format",
            summary: "Choose how results are written (the same as 'set format=').",
            arguments: [ArgumentSpec("FORMAT", "output format", values: OutputFormat.allCases.map(\.rawValue))],
            example: "format markdown", handler: format),
        CommandSpec(name: "run",
            summary: "Execute a script of commands, one or more per line.",
            details: """
                Blank lines and '#' comments are allowed. Each command commits on its own; with --bail
                the script stops at its first error. Errors name the file and line. Lines inside Markdown
                code fences (```) are skipped, so a saved notebook (Sessions/NAME/transcript.md: each
                command on its own line, its output in a fenced block) replays with 'run'.
                A line ending in '\\' continues on the next. With 'set echo=on' (or --echo) each line is
                printed before its output; a long script shows its progress on a terminal.
                """,
            arguments: [ArgumentSpec("FILE", "a .recsh script", completion: .files)],
            example: "run Sessions/tour.recsh", action: .runScript),
        CommandSpec(name: "output",
            summary: "Send results to FILE (replacing it) until 'output' alone sends them back to the screen.",
            details: """
                Like sqlite's .output: errors, notes and progress stay on the terminal; results in the
                file are plain text (no boxes, no colour, no width limit) in the current format.
                """,
            arguments: [ArgumentSpec("FILE", "the file to write; none: back to stdout", required: false,
                                     completion: .files)],
            example: "output results.csv", action: .output),
        CommandSpec(name: "sleep",
            summary: "Wait, with a progress bar; Ctrl-C stops it early. For demos and for trying Ctrl-C and progress.",
            arguments: [ArgumentSpec("SECONDS", "how long, up to 3600")],
            example: "sleep 2", handler: sleep),
        CommandSpec(name: "quit", aliases: ["exit"],
            summary: "Leave recsh (Ctrl-D does the same). Unsaved work is not kept; 'save' first if you want it.",
            example: "quit", action: .quit),
    ])

    static func help(_ session: inout Session, _ command: ParsedCommand, _ context: Context) throws -> CommandResult {
        guard let name = command.argument(0) else { return Help.overview(context.registry) }
        guard let spec = context.registry.spec(named: name) else {
            throw ShellError.unknownCommand(name, suggestion: context.registry.suggestion(for: name))
        }
        return Help.command(spec)
    }

    static func set(_ session: inout Session, _ command: ParsedCommand, _ context: Context) throws -> CommandResult {
        let pairs = command.options.values.sorted { $0.key < $1.key }
        guard !pairs.isEmpty else {
            throw ShellError.missingArgument(command: "set", argument: "KEY=VALUE", usage: context.usage(of: command))
        }
        for (key, value) in pairs { try session.settings.set(key, to: value) }
        return settingsResult("set", keys: pairs.map(\.key), session.settings)
    }

    static func show(_ session: inout Session, _ command: ParsedCommand, _ context: Context) throws -> CommandResult {
        let keys = Settings.keys.map(\.name)
        if let key = command.argument(0) {
            guard session.settings.value(of: key) != nil else {
                throw ShellError.unknownOption(command: "show", option: key, accepted: keys)
            }
            return settingsResult("show", keys: [key], session.settings)
        }
        return settingsResult("show", keys: keys, session.settings)
    }

    /// Settings as text for people and typed in JSON (`"k":10`, `"timer":false`).
    static func settingsResult(_ command: String, keys: [String], _ settings: Settings) -> CommandResult {
        let fields = keys.map { ($0, Value.string(settings.value(of: $0) ?? "")) }
        let typed = keys.map { ($0, settings.typedValue(of: $0) ?? .null) }
        return CommandResult(command: command, blocks: [.fields(fields)], payload: [("settings", .object(typed))])
    }

    static func sleep(_ session: inout Session, _ command: ParsedCommand, _ context: Context) throws -> CommandResult {
        guard let seconds = Double(command.arguments[0]), seconds >= 0, seconds <= 3600 else {
            throw ShellError.message("sleep: expected seconds between 0 and 3600, got '\(command.arguments[0])'")
        }
        let start = Date()
        let steps = max(1, Int(seconds * 20))
        var done = 0
        while done < steps && !context.run.shouldStop() {
            Thread.sleep(forTimeInterval: seconds / Double(steps))
            done += 1
            context.run.report(ProgressUpdate(label: "sleep", done: done, total: steps))
        }
        let slept = Date().timeIntervalSince(start)
        let stopped = done < steps
        return CommandResult(command: "sleep",
                             blocks: [.text([stopped ? "stopped after \(Value.fixed(slept, decimals: 2)) s" : "slept \(Value.fixed(slept, decimals: 2)) s"])],
                             payload: [("seconds", .double(slept)), ("interrupted", .bool(stopped))])
    }

    static func timer(_ session: inout Session, _ command: ParsedCommand, _ context: Context) throws -> CommandResult {
        try session.settings.set("timer", to: command.arguments[0])
        let state = session.settings.timer ? "on" : "off"
        return CommandResult(command: "timer", blocks: [.text(["timer \(state)"])], payload: [("timer", .bool(session.settings.timer))])
    }

    static func format(_ session: inout Session, _ command: ParsedCommand, _ context: Context) throws -> CommandResult {
        try session.settings.set("format", to: command.arguments[0])
        let f = session.settings.format.rawValue
        return CommandResult(command: "format", blocks: [.text(["format \(f)"])], payload: [("format", .string(f))])
    }
}
