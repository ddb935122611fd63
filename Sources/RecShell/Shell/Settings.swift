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
        case "memory-limit": memoryLimit.map(ResourceBudget.bytes) ?? "auto"
        default: nil
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
        case "memory-limit": memoryLimit = try ResourceBudget.parseLimit(text)
        default:
            throw ShellError.unknownOption(command: "set", option: key, accepted: Settings.keys.map(\.name))
        }
    }
}
