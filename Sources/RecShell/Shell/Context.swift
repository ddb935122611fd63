import Foundation
import GraphRec

/// What a handler may use besides the session: the command table (for
/// `help`), the run control (progress and Ctrl-C) and facts about the
/// process's environment. Handlers never touch stdin, stdout or signals.
public struct Context: Sendable {
    public var registry: CommandRegistry
    public var run: RunControl
    public var environment: ShellEnvironment

    public init(registry: CommandRegistry, run: RunControl = .silent, environment: ShellEnvironment = .plain) {
        self.registry = registry
        self.run = run
        self.environment = environment
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
        return ShellEnvironment(
            stdinIsTerminal: isatty(0) == 1, stdoutIsTerminal: isatty(1) == 1, stderrIsTerminal: isatty(2) == 1,
            noColor: env["NO_COLOR"] != nil, quiet: quiet, homeDirectory: home,
            cacheDirectory: cacheBase + "/recsh", historyPath: history)
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
