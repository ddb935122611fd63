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
    /// One example a user can type as is.
    public var example: String
    public var action: CommandAction

    public init(name: String, aliases: [String] = [], group: String, synopsis: String, summary: String,
                details: [String] = [], arguments: [ArgumentSpec] = [], options: [OptionSpec] = [],
                example: String, action: CommandAction) {
        self.name = name
        self.aliases = aliases
        self.group = group
        self.synopsis = synopsis
        self.summary = summary
        self.details = details
        self.arguments = arguments
        self.options = options
        self.example = example
        self.action = action
    }

    public init(name: String, aliases: [String] = [], group: String, synopsis: String, summary: String,
                details: [String] = [], arguments: [ArgumentSpec] = [], options: [OptionSpec] = [],
                example: String, handler: @escaping CommandHandler) {
        self.init(name: name, aliases: aliases, group: group, synopsis: synopsis, summary: summary,
                  details: details, arguments: arguments, options: options, example: example,
                  action: .handler(handler))
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
