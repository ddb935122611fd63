import Foundation
import GraphRec

/// What a handler may use besides the session: the command table (for
/// `help`), the run control (progress and Ctrl-C) and facts about the
/// process's environment. Handlers never touch stdin, stdout or signals.
public struct Context: Sendable {
    public var registry: CommandRegistry
    public var run: RunControl
    public var environment: ShellEnvironment
    /// Someone at a terminal can answer a question: a handler about to do
    /// something costly to undo throws `ShellError.confirmation` instead of
    /// going ahead, and the shell asks (yes runs it again with `force`).
    public var canAsk: Bool

    public init(registry: CommandRegistry, run: RunControl = .silent, environment: ShellEnvironment = .plain,
                canAsk: Bool = false) {
        self.registry = registry
        self.run = run
        self.environment = environment
        self.canAsk = canAsk
    }
}

/// Facts about where the shell runs, gathered once at start-up.
public struct ShellEnvironment: Sendable {
    public var stdinIsTerminal: Bool
    public var stdoutIsTerminal: Bool
    public var stderrIsTerminal: Bool
    /// NO_COLOR is set (any value): never colour.
    public var noColor: Bool
    /// --quiet: no banner, no progress bars.
    public var quiet: Bool
    public var homeDirectory: String
    /// Where `load` caches downloads: ~/.cache/recsh (or $XDG_CACHE_HOME/recsh).
    public var cacheDirectory: String
    /// The history file: $RECSH_HISTORY, else ~/.recsh_history.
    public var historyPath: String
    /// The start-up script: $RECSH_RC, else ~/.recshrc; nil: none.
    public var startupFile: String?
    /// `COLUMNS` and `LINES`, read once (reading the environment per command made scripts slow).
    public var columnsVariable: Int? = nil
    public var linesVariable: Int? = nil

    public init(stdinIsTerminal: Bool, stdoutIsTerminal: Bool, stderrIsTerminal: Bool, noColor: Bool,
                quiet: Bool, homeDirectory: String, cacheDirectory: String, historyPath: String) {
        self.stdinIsTerminal = stdinIsTerminal
        self.stdoutIsTerminal = stdoutIsTerminal
        self.stderrIsTerminal = stderrIsTerminal
        self.noColor = noColor
        self.quiet = quiet
        self.homeDirectory = homeDirectory
        self.cacheDirectory = cacheDirectory
        self.historyPath = historyPath
        self.startupFile = nil
    }

    /// No terminal anywhere: what tests and pipes see.
    public static let plain = ShellEnvironment(
        stdinIsTerminal: false, stdoutIsTerminal: false, stderrIsTerminal: false, noColor: true, quiet: true,
        homeDirectory: "/tmp", cacheDirectory: "/tmp/recsh-cache", historyPath: "/tmp/.recsh_history")

    /// The real process environment.
    public static func current(quiet: Bool) -> ShellEnvironment {
        let env = ProcessInfo.processInfo.environment
        let home = env["HOME"] ?? FileManager.default.homeDirectoryForCurrentUser.path
        let cacheBase = env["XDG_CACHE_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? home + "/.cache"
        let history = env["RECSH_HISTORY"].flatMap { $0.isEmpty ? nil : $0 } ?? home + "/.recsh_history"
        var environment = ShellEnvironment(
            stdinIsTerminal: isatty(0) == 1, stdoutIsTerminal: isatty(1) == 1, stderrIsTerminal: isatty(2) == 1,
            noColor: env["NO_COLOR"] != nil, quiet: quiet, homeDirectory: home,
            cacheDirectory: cacheBase + "/recsh", historyPath: history)
        environment.startupFile = env["RECSH_RC"].map { $0.isEmpty ? nil : $0 } ?? home + "/.recshrc"
        environment.columnsVariable = env["COLUMNS"].flatMap { Int($0) }.flatMap { $0 >= 20 ? $0 : nil }
        environment.linesVariable = env["LINES"].flatMap { Int($0) }.flatMap { $0 > 2 ? $0 : nil }
        return environment
    }

    /// Columns of the terminal on stdout (TIOCGWINSZ), else `COLUMNS`, else nil (no limit: a pipe).
    public func terminalColumns() -> Int? {
        if stdoutIsTerminal {
            var size = winsize()
            if ioctl(1, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        }
        return columnsVariable
    }

    /// Rows of the terminal on stdout, else `LINES`, else 24.
    public func terminalRows() -> Int {
        var size = winsize()
        if ioctl(1, UInt(TIOCGWINSZ), &size) == 0, size.ws_row > 0 { return Int(size.ws_row) }
        return linesVariable ?? 24
    }

    /// Colour on stdout under `setting` (auto|on|off).
    public func colorEnabled(setting: String) -> Bool {
        switch setting {
        case "on": return !noColor
        case "off": return false
        default: return stdoutIsTerminal && !noColor
        }
    }
}
