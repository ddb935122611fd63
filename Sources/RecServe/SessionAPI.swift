import Foundation
import GraphRec
import RecShell

/// The page's window onto the live session: `/api/<command>` runs one shell
/// command through the shell's own parser, handlers and JSON renderer, so
/// the page shows exactly what `--format json` prints and computes nothing
/// of its own.
///
/// Two guards keep the session as it was. Each command runs on a copy of
/// the session that is thrown away afterwards (the same copy the shell
/// makes, never committed), so even a what-if cannot change it. And only
/// commands that read the session are offered at all: nothing that writes
/// files, starts training or takes minutes. The command set is the
/// allow-list below; the options are each command's declared options minus
/// those that name files, read off its spec.
public struct SessionAPI: Sendable {
    /// Commands that only read the session or answer a what-if on a copy of it.
    public static let readOnlyCommands: Set<String> = [
        "help", "info", "models", "find", "user", "movie", "show",
        "recommend", "similar", "attention", "whatif", "newuser", "lsh", "eval",
    ]
    /// Positional words refused although the command is allowed
    /// (`lsh bench` builds a synthetic catalogue of 100,000 items or more).
    static let refusedArguments: [String: Set<String>] = ["lsh": ["bench"]]

    /// The session as it was when `serve` started; never changed.
    public let session: Session
    public let registry: CommandRegistry
    /// Ctrl-C in the shell also stops a command the page started.
    let run: RunControl
    let environment: ShellEnvironment

    public init(session: Session, registry: CommandRegistry, run: RunControl = .silent,
                environment: ShellEnvironment = .plain) {
        self.session = session
        self.registry = registry
        self.run = run
        self.environment = environment
    }

    /// What the page may run: every allowed command the registry has, with
    /// the options it may pass (file options left out).
    public var allowed: [String: Set<String>] {
        var out: [String: Set<String>] = [:]
        for name in Self.readOnlyCommands {
            guard let spec = registry.spec(named: name) else { continue }
            out[spec.name] = Set(spec.options.filter { $0.completion != .files }.map(\.name))
        }
        return out
    }

    /// One call: a command name, its positional words and its options.
    public struct Call: Sendable, Equatable {
        public var command: String
        public var arguments: [String]
        public var options: [String: String]

        public init(command: String, arguments: [String] = [], options: [String: String] = [:]) {
            self.command = command
            self.arguments = arguments
            self.options = options
        }

        /// The line a user would type for this call, every word quoted so a
        /// `;`, `#` or `=` inside a value stays part of it.
        var line: String {
            ([command] + arguments.map(Self.quoted) + options.keys.sorted().map { "\($0)=\(Self.quoted(options[$0]!))" })
                .joined(separator: " ")
        }

        static func quoted(_ s: String) -> String {
            "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        }
    }

    /// An answer: the HTTP status and the JSON object (one line, as the shell prints it).
    public struct Answer: Sendable, Equatable {
        public var status: Int
        public var json: String
    }

    /// Runs `call` on a throwaway copy of the session. A command that fails
    /// is the caller's mistake (unknown user, bad option): 400 with the
    /// shell's own error object. A command not offered: 403.
    public func answer(_ call: Call) -> Answer {
        guard let options = allowed[registry.spec(named: call.command)?.name ?? call.command] else {
            let known = registry.spec(named: call.command) != nil
            return Self.error(known ? 403 : 404, command: call.command, known
                ? "\(call.command): not available from the page (it changes the session, writes files or runs long); "
                    + "the page runs only: \(allowed.keys.sorted().joined(separator: ", "))"
                : "unknown command '\(call.command)'")
        }
        if let key = call.options.keys.sorted().first(where: { !Self.isOptionKey($0) }) {
            return Self.error(400, command: call.command, "\(call.command): '\(key)' is not an option name")
        }
        if let text = (call.arguments + call.options.values).first(where: { $0.unicodeScalars.contains { $0.value < 0x20 } }) {
            return Self.error(400, command: call.command,
                              "\(call.command): control characters are not allowed (in \(text.debugDescription))")
        }
        if let key = call.options.keys.sorted().first(where: { !options.contains($0) }),
           registry.spec(named: call.command)?.option(named: key) != nil {
            return Self.error(403, command: call.command, "\(call.command): option '\(key)=' is not available from the page (it names a file)")
        }
        if let word = call.arguments.first(where: { Self.refusedArguments[call.command]?.contains($0) == true }) {
            return Self.error(403, command: call.command, "\(call.command) \(word): not available from the page (it runs long)")
        }
        let spec: CommandSpec, parsed: ParsedCommand
        do {
            let commands = try Tokenizer.commands(in: call.line)
            guard commands.count == 1, let raw = commands.first else {
                return Self.error(400, command: call.command, "\(call.command): expected one command")
            }
            (spec, parsed) = try CommandParser.parse(raw, registry: registry)
        } catch {
            return Self.error(400, command: call.command, String(describing: error))
        }
        guard case .handler(let handler) = spec.action else {
            return Self.error(403, command: spec.name, "\(spec.name): not available from the page")
        }
        var copy = session
        var result: CommandResult
        do {
            result = try spec.run(handler, &copy, parsed, Context(registry: registry, run: run, environment: environment))
            result.command = spec.name
        } catch {
            result = .failure(spec.name, String(describing: error))
        }
        return Answer(status: result.ok ? 200 : 400, json: JSONRenderer.render(result))
    }

    /// The shell's error object with a status.
    static func error(_ status: Int, command: String, _ message: String) -> Answer {
        Answer(status: status, json: JSONRenderer.render(.failure(command, message)))
    }

    /// `key` in `key=value`: lower-case letters, digits, `-` and `_`, starting with a letter.
    static func isOptionKey(_ key: String) -> Bool {
        guard let first = key.unicodeScalars.first, ("a"..."z").contains(first) else { return false }
        return key.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "_" }
    }
}
