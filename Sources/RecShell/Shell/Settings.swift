import GraphRec

/// How results are written: the `--format` flag and `set format=`.
public enum OutputFormat: String, Sendable, CaseIterable, Codable {
    case table, json, csv, markdown
}

/// The user's settings, changed with `set KEY=VALUE` and shown by `show`.
public struct Settings: Sendable, Equatable, Codable {
    public var format: OutputFormat = .table
    /// Default seed for splits and training when a command gives none.
    public var seed: UInt64 = 0
    /// Default K for top-K commands.
    public var k: Int = 10
    /// Print wall time after each command.
    public var timer: Bool = false
    /// Worker threads for the engine (the machine has 2 cores).
    public var threads: Int = 2
    /// auto: colour only on a terminal without NO_COLOR.
    public var color: String = "auto"
    /// Progress bars on stderr (only ever on a terminal).
    public var progress: Bool = true
    /// Minimum rating that counts as a positive, used by `load` by default.
    public var minRating: Float = 3
    /// `--data DIR`: where `load` looks before the cache.
    public var dataDirectory: String? = nil
    /// `--sessions DIR`: where `save`/`restore` keep bundles.
    public var sessionsDirectory: String = "Sessions"
    /// "next: ..." hints after results (off under --quiet).
    public var hints: Bool = true
    /// Print each script line before its output (`--echo`).
    public var echo: Bool = false
    /// Columns tables fit into; nil: the terminal's (or `COLUMNS`), unlimited in a pipe.
    public var width: Int? = nil
    /// Tables one record per block: only when too wide (auto), always, never.
    public var expanded: Expanded = .auto
    /// Page output longer than the screen (interactive terminal only).
    public var pager: Bool = true
    /// `memory-limit=`: the most a command may allocate, in bytes; nil = what the system has available.
    public var memoryLimit: Double? = nil

    public init() {}

    /// The keys `set` and `show` know, with their accepted values.
    public static let keys: [OptionSpec] = [
        OptionSpec("format", "table|json|csv|markdown", default: "table", "how results are written",
                   values: OutputFormat.allCases.map(\.rawValue)),
        OptionSpec("seed", "N", default: "0", "default seed for split and train"),
        OptionSpec("k", "N", default: "10", "default K for top-K lists and metrics"),
        OptionSpec("timer", "on|off", default: "off", "print wall time after each command", values: ["on", "off"]),
        OptionSpec("threads", "N", default: "2", "worker threads for training and evaluation"),
        OptionSpec("color", "auto|on|off", default: "auto", "colour output (auto: terminal only, honours NO_COLOR)",
                   values: ["auto", "on", "off"]),
        OptionSpec("progress", "on|off", default: "on", "progress bars on stderr (terminal only)", values: ["on", "off"]),
        OptionSpec("min-rating", "R", default: "3", "ratings >= R are positives (used by load)"),
        OptionSpec("data", "DIR", "directory load reads before the cache", completion: .files),
        OptionSpec("sessions", "DIR", default: "Sessions", "directory of saved sessions", completion: .files),
        OptionSpec("hints", "on|off", default: "on", "'next: ...' hints after results (--quiet turns them off)",
                   values: ["on", "off"]),
        OptionSpec("echo", "on|off", default: "off", "print each script line before its output (--echo)",
                   values: ["on", "off"]),
        OptionSpec("width", "N|auto", default: "auto", "columns tables fit into (auto: the terminal's, or COLUMNS)"),
        OptionSpec("expanded", "auto|on|off", default: "auto",
                   "tables as one record per block: when too wide, always, never", values: Expanded.allCases.map(\.rawValue)),
        OptionSpec("pager", "on|off", default: "on", "page output longer than the screen ($PAGER, terminal only)",
                   values: ["on", "off"]),
        OptionSpec("memory-limit", "SIZE|auto", default: "auto",
                   "most memory a command may take (512m, 4g); auto: what the system has available"),
    ]

    /// The current value of `key` as text.
    public func value(of key: String) -> String? {
        switch key {
        case "format": format.rawValue
        case "seed": String(seed)
        case "k": String(k)
        case "timer": timer ? "on" : "off"
        case "threads": String(threads)
        case "color": color
        case "progress": progress ? "on" : "off"
        case "min-rating": minRating == minRating.rounded() ? String(Int(minRating)) : String(minRating)
        case "data": dataDirectory ?? ""
        case "sessions": sessionsDirectory
        case "hints": hints ? "on" : "off"
        case "echo": echo ? "on" : "off"
        case "width": width.map(String.init) ?? "auto"
        case "expanded": expanded.rawValue
        case "pager": pager ? "on" : "off"
        case "memory-limit": memoryLimit.map(ResourceBudget.bytes) ?? "auto"
        default: nil
        }
    }

    /// The current value of `key` with its type, for JSON: numbers as numbers,
    /// on/off as booleans, an unset directory or width as null.
    public func typedValue(of key: String) -> Value? {
        switch key {
        case "seed": .int(Int(clamping: seed))
        case "k": .int(k)
        case "threads": .int(threads)
        case "min-rating": .double(Double(minRating))
        case "timer": .bool(timer)
        case "progress": .bool(progress)
        case "hints": .bool(hints)
        case "echo": .bool(echo)
        case "pager": .bool(pager)
        case "width": width.map { .int($0) } ?? .null
        case "data": dataDirectory.map { .string($0) } ?? .null
        default: value(of: key).map { .string($0) }
        }
    }

    /// Sets `key` from text, validating it; throws naming the key.
    public mutating func set(_ key: String, to text: String) throws {
        let options = OptionValues([key: text])
        switch key {
        case "format":
            guard let f = OutputFormat(rawValue: text) else {
                throw ShellError.badValue(command: "set", option: key, value: text,
                                          accepted: OutputFormat.allCases.map(\.rawValue))
            }
            format = f
        case "seed":
            guard let v = UInt64(text) else { throw RecError("seed: expected a whole number >= 0, got '\(text)'") }
            seed = v
        case "k": k = try options.int(key, default: k, range: 1...10_000)
        case "timer": timer = try options.bool(key, default: timer)
        case "threads": threads = try options.int(key, default: threads, range: 1...256)
        case "color": color = try options.choice(key, default: color, from: ["auto", "on", "off"])
        case "progress": progress = try options.bool(key, default: progress)
        case "min-rating": minRating = try options.float(key, default: minRating, range: 0...10)
        case "data": dataDirectory = text.isEmpty ? nil : text
        case "sessions":
            guard !text.isEmpty else { throw RecError("sessions: expected a directory") }
            sessionsDirectory = text
        case "hints": hints = try options.bool(key, default: hints)
        case "echo": echo = try options.bool(key, default: echo)
        case "width": width = text == "auto" ? nil : try options.int(key, default: 80, range: 20...10_000)
        case "expanded":
            guard let e = Expanded(rawValue: text) else {
                throw ShellError.badValue(command: "set", option: key, value: text, accepted: Expanded.allCases.map(\.rawValue))
            }
            expanded = e
        case "pager": pager = try options.bool(key, default: pager)
        case "memory-limit": memoryLimit = try ResourceBudget.parseLimit(text)
        default:
            throw ShellError.unknownOption(command: "set", option: key, accepted: Settings.keys.map(\.name))
        }
    }
}
