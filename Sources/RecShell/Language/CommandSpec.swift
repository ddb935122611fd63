import GraphRec

/// A command handler: reads the parsed command, changes the session copy it
/// is given, returns what to show. The shell commits the copy only when the
/// handler returns, so a handler that throws changes nothing.
public typealias CommandHandler = @Sendable (inout Session, ParsedCommand, Context) throws -> CommandResult

/// Where tab completion finds values for an argument or option.
public enum CompletionSource: Sendable, Equatable {
    case none
    /// The declared `values` only.
    case values
    /// Names of the session's trained models.
    case models
    /// Movie titles of the loaded data set (quoted).
    case movieTitles
    /// File and directory names.
    case files
    /// Command names (for `help COMMAND`).
    case commands
    /// Setting keys (for `show KEY`).
    case settings
}

/// One positional argument of a command.
public struct ArgumentSpec: Sendable {
    public var name: String
    public var help: String
    public var required: Bool
    /// Takes every remaining word (`eval NAME ...`, `whatif ... MOVIE ...`).
    public var variadic: Bool
    /// Known words, offered by completion (not enforced: ids and names are free).
    public var values: [String]
    public var completion: CompletionSource

    public init(_ name: String, _ help: String, required: Bool = true, variadic: Bool = false,
                values: [String] = [], completion: CompletionSource? = nil) {
        self.name = name
        self.help = help
        self.required = required
        self.variadic = variadic
        self.values = values
        self.completion = completion ?? (values.isEmpty ? .none : .values)
    }
}

/// One `key=value` option of a command.
public struct OptionSpec: Sendable {
    public var name: String
    /// Placeholder in usage text, e.g. "N", "NAME", "val|test".
    public var valueName: String
    /// Default shown in help; nil when the option has none.
    public var defaultValue: String?
    public var help: String
    /// Known values, offered by completion.
    public var values: [String]
    /// When true, a value outside `values` is rejected before the handler runs.
    public var closed: Bool
    public var completion: CompletionSource

    public init(_ name: String, _ valueName: String = "VALUE", default defaultValue: String? = nil,
                _ help: String, values: [String] = [], closed: Bool? = nil, completion: CompletionSource? = nil) {
        self.name = name
        self.valueName = valueName
        self.defaultValue = defaultValue
        self.help = help
        self.values = values
        self.closed = closed ?? !values.isEmpty
        self.completion = completion ?? (values.isEmpty ? .none : .values)
    }
}

/// A step of the usual path a command needs done before it can run. The
/// dispatcher checks a spec's requirements before its handler runs, each
/// with the steps before it (a model needs a split, a split a data set), so
/// the error names the first step missing and the one command that does it.
public enum Requirement: Int, Sendable, CaseIterable, Comparable {
    case dataset, split, model

    /// What is missing and the command that provides it: one hint per requirement, shown everywhere.
    public var missing: String {
        switch self {
        case .dataset: return "no data loaded; try 'load ml-100k'"
        case .split: return "no split yet; try 'split warm'"
        case .model: return "no trained model yet; try 'train gcn'"
        }
    }

    func isMet(by session: Session) -> Bool {
        switch self {
        case .dataset: return session.dataset != nil && session.graph != nil
        case .split: return session.split != nil && session.graph != nil
        case .model: return !session.models.isEmpty
        }
    }

    /// The error `command` gives when this step is missing.
    func error(_ command: String) -> ShellError { .message("\(command): \(missing)") }

    /// The first step `requirements` (and the steps before them) need that `session` lacks.
    static func firstUnmet(_ requirements: [Requirement], in session: Session) -> Requirement? {
        guard let last = requirements.max() else { return nil }
        return allCases.first { $0 <= last && !$0.isMet(by: session) }
    }

    public static func < (a: Requirement, b: Requirement) -> Bool { a.rawValue < b.rawValue }
}

/// What runs when the command is entered.
public enum CommandAction: Sendable {
    /// An ordinary command: a function of the session.
    case handler(CommandHandler)
    /// Executes a script through the shell itself (each line commits on its own).
    case runScript
    /// Sends results to a file until `output` alone (the shell owns the streams).
    case output
    /// Leaves the shell.
    case quit
}

/// The one declaration of a command: parsing, validation, `help`, `help
/// COMMAND` and tab completion are all generated from it.
public struct CommandSpec: Sendable {
    public var name: String
    public var aliases: [String]
    /// The family it belongs to in `help` ("Data", "Models", ...).
    public var group: String
    /// Usage line, e.g. "train MODEL [as NAME] [key=value ...]".
    public var synopsis: String
    /// One sentence.
    public var summary: String
    /// Further paragraphs for `help COMMAND`.
    public var details: [String]
    public var arguments: [ArgumentSpec]
    public var options: [OptionSpec]
    /// What the session must hold before the handler runs.
    public var requires: [Requirement]
    /// One example a user can type as is.
    public var example: String
    public var action: CommandAction

    public init(name: String, aliases: [String] = [], group: String, synopsis: String, summary: String,
                details: [String] = [], arguments: [ArgumentSpec] = [], options: [OptionSpec] = [],
                requires: [Requirement] = [], example: String, action: CommandAction) {
        self.name = name
        self.aliases = aliases
        self.group = group
        self.synopsis = synopsis
        self.summary = summary
        self.details = details
        self.arguments = arguments
        self.options = options
        self.requires = requires
        self.example = example
        self.action = action
    }

    public init(name: String, aliases: [String] = [], group: String, synopsis: String, summary: String,
                details: [String] = [], arguments: [ArgumentSpec] = [], options: [OptionSpec] = [],
                requires: [Requirement] = [], example: String, handler: @escaping CommandHandler) {
        self.init(name: name, aliases: aliases, group: group, synopsis: synopsis, summary: summary,
                  details: details, arguments: arguments, options: options, requires: requires, example: example,
                  action: .handler(handler))
    }

    /// Runs `handler` once the session holds what the spec requires; the one
    /// place requirements are checked, for the shell and the page alike.
    public func run(_ handler: CommandHandler, _ session: inout Session, _ parsed: ParsedCommand,
                    _ context: Context) throws -> CommandResult {
        if let unmet = Requirement.firstUnmet(requires, in: session) { throw unmet.error(name) }
        return try handler(&session, parsed, context)
    }

    public func option(named key: String) -> OptionSpec? { options.first { $0.name == key } }

    public var requiredArgumentCount: Int { arguments.filter(\.required).count }
    public var acceptsAnyNumberOfArguments: Bool { arguments.contains { $0.variadic } }

    /// Too few or too many positional arguments is an error naming the usage.
    func checkArguments(_ given: [String], columns: [Int]) throws {
        if given.count < requiredArgumentCount {
            let missing = arguments.filter(\.required)[given.count]
            throw ShellError.missingArgument(command: name, argument: missing.name, usage: synopsis)
        }
        if !acceptsAnyNumberOfArguments, given.count > arguments.count {
            throw ShellError.unexpectedArgument(command: name, argument: given[arguments.count],
                                                column: columns[arguments.count], usage: synopsis)
        }
    }

    /// The argument spec that the word at `index` fills.
    func argumentSpec(at index: Int) -> ArgumentSpec? {
        if index < arguments.count { return arguments[index] }
        return arguments.last(where: { $0.variadic })
    }
}
