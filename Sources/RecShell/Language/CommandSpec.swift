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

/// One argument of a command: a word in its place, a keyword's value, or a flag.
public struct ArgumentSpec: Sendable {
    /// How the argument stands on the line.
    public enum Kind: Sendable, Equatable {
        /// A value in its place among the positional words.
        case positional
        /// A value after a fixed word, anywhere on the line (`as NAME`, `user USER`).
        case keyword(String)
        /// A bare word, anywhere on the line, that switches something on (`why`, `force`).
        case flag
    }

    public var name: String
    public var help: String
    public var required: Bool
    /// Takes every remaining word (`eval NAME ...`, `whatif ... MOVIE ...`).
    public var variadic: Bool
    /// Known words, offered by completion.
    public var values: [String]
    /// When true, a word outside `values` is rejected before the handler runs.
    public var closed: Bool
    public var kind: Kind
    public var completion: CompletionSource

    public init(_ name: String, _ help: String, required: Bool = true, variadic: Bool = false,
                values: [String] = [], closed: Bool = false, keyword: String? = nil,
                completion: CompletionSource? = nil) {
        self.name = name
        self.help = help
        self.required = required
        self.variadic = variadic
        self.values = values
        self.closed = closed
        self.kind = keyword.map(Kind.keyword) ?? .positional
        self.completion = completion ?? (values.isEmpty ? .none : .values)
    }

    /// A bare word that switches something on (`recommend 1 why`).
    public static func flag(_ word: String, _ help: String) -> ArgumentSpec {
        var spec = ArgumentSpec(word, help, required: false, values: [word])
        spec.kind = .flag
        return spec
    }

    /// The argument as the usage line writes it: `USER`, `[NAME ...]`, `likes|drops`, `[as NAME]`, `[why]`.
    public var usage: String {
        var text: String
        switch kind {
        case .flag: return "[\(name)]"
        case .keyword(let word): text = "\(word) \(name)"
        case .positional: text = !values.isEmpty && values.count <= 4 ? values.joined(separator: "|") : name
        }
        if variadic { text += " ..." }
        return required ? text : "[\(text)]"
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

extension OptionSpec {
    /// `model=NAME`: which trained model a command reads.
    public static let model = OptionSpec("model", "NAME", default: "last trained", "which model", completion: .models)
    /// `k=N`: the length of a top-K list of movies.
    public static let topK = OptionSpec("k", "N", default: "10", "how many movies")
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

/// One form of a command, chosen by the word after the command's name
/// (`lsh sweep`, `split official NAME`): its own positional arguments,
/// options and requirements. The parser picks the form, so a handler reads
/// `ParsedCommand.subcommand` and never re-parses the word.
public struct Subcommand: Sendable {
    /// The word; "" for the form written without one (`lsh planes=8`).
    public var name: String
    public var help: String
    public var arguments: [ArgumentSpec]
    /// The command's options this form takes; nil: every one.
    public var options: [String]?
    /// Options the form cannot run without (`split files train=F test=F`).
    public var requiredOptions: [String]
    public var requires: [Requirement]

    public init(_ name: String, _ help: String, arguments: [ArgumentSpec] = [], options: [String]? = nil,
                requiredOptions: [String] = [], requires: [Requirement] = []) {
        self.name = name
        self.help = help
        self.arguments = arguments
        self.options = options
        self.requiredOptions = requiredOptions
        self.requires = requires
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
    /// The family it belongs to in `help` ("Data", "Models", ...); a family's
    /// file declares it once, with `CommandSpec.group`.
    public var group: String
    /// One sentence.
    public var summary: String
    /// Further paragraphs for `help COMMAND`, line by line as written in the spec.
    public var details: [String]
    /// Positional arguments; with subcommands, only the flags and keywords every form takes.
    public var arguments: [ArgumentSpec]
    /// The forms chosen by the first word (`lsh sweep`); none: the command has one form.
    public var subcommands: [Subcommand]
    /// Which form runs when no word names one (`split` is `split warm`); nil: the form without a word, if any.
    public var defaultSubcommand: String?
    /// The first word's name in errors and help ("KIND" in "KIND=sideways is not one of ...").
    public var subcommandLabel: String
    public var options: [OptionSpec]
    /// Whether an option applies once the first argument is `MODEL`-like
    /// (`train gcn` takes `hidden=`, not `pretrain=`): completion offers only
    /// those. nil: every option always applies.
    public var optionApplies: (@Sendable (_ firstArgument: String, _ option: String) -> Bool)?
    /// How many options the usage line lists before `[key=value ...]`; nil: all, or three when there are many.
    public var usageOptions: Int?
    /// What the session must hold before the handler runs.
    public var requires: [Requirement]
    /// One example a user can type as is.
    public var example: String
    public var action: CommandAction

    /// `details` is prose, usually a multi-line literal: `help` joins its lines into paragraphs.
    public init(name: String, aliases: [String] = [], group: String = "", summary: String,
                details: String = "", arguments: [ArgumentSpec] = [], subcommands: [Subcommand] = [],
                defaultSubcommand: String? = nil, subcommandLabel: String = "WHAT", options: [OptionSpec] = [],
                usageOptions: Int? = nil, requires: [Requirement] = [], example: String, action: CommandAction) {
        self.name = name
        self.aliases = aliases
        self.group = group
        self.summary = summary
        self.details = details.isEmpty ? [] : details.components(separatedBy: "\n")
        self.arguments = arguments
        self.subcommands = subcommands
        self.defaultSubcommand = defaultSubcommand
        self.subcommandLabel = subcommandLabel
        self.options = options
        self.usageOptions = usageOptions
        self.requires = requires
        self.example = example
        self.action = action
    }

    public init(name: String, aliases: [String] = [], group: String = "", summary: String,
                details: String = "", arguments: [ArgumentSpec] = [], subcommands: [Subcommand] = [],
                defaultSubcommand: String? = nil, subcommandLabel: String = "WHAT", options: [OptionSpec] = [],
                usageOptions: Int? = nil, requires: [Requirement] = [], example: String,
                handler: @escaping CommandHandler) {
        self.init(name: name, aliases: aliases, group: group, summary: summary, details: details,
                  arguments: arguments, subcommands: subcommands, defaultSubcommand: defaultSubcommand,
                  subcommandLabel: subcommandLabel, options: options, usageOptions: usageOptions, requires: requires,
                  example: example, action: .handler(handler))
    }

    /// This spec with `optionApplies` set.
    public func optionsApplying(_ applies: @escaping @Sendable (_ firstArgument: String, _ option: String) -> Bool) -> CommandSpec {
        var spec = self
        spec.optionApplies = applies
        return spec
    }

    /// One family's commands, each filed under `group` in `help`.
    public static func group(_ group: String, _ specs: [CommandSpec]) -> [CommandSpec] {
        specs.map { spec in
            var spec = spec
            spec.group = group
            return spec
        }
    }

    /// Runs `handler` once the session holds what the spec requires; the one
    /// place requirements are checked, for the shell and the page alike.
    public func run(_ handler: CommandHandler, _ session: inout Session, _ parsed: ParsedCommand,
                    _ context: Context) throws -> CommandResult {
        if let unmet = Requirement.firstUnmet(requires + (form(of: parsed)?.requires ?? []), in: session) {
            throw unmet.error(name)
        }
        return try handler(&session, parsed, context)
    }

    public func option(named key: String) -> OptionSpec? { options.first { $0.name == key } }

    /// The form `parsed` chose, if the command has forms.
    public func form(of parsed: ParsedCommand) -> Subcommand? {
        parsed.subcommand.flatMap { name in subcommands.first { $0.name == name } }
    }

    /// Sorts the positional words into flags, keywords, the form and its
    /// arguments, checking each against the spec: too few or too many words,
    /// a word outside a closed set, an option the form does not take.
    func bind(_ words: [(text: String, column: Int)], options given: [String: String], text: String) throws -> ParsedCommand {
        var flags: Set<String> = []
        var keywords: [String: String] = [:]
        var rest: [(text: String, column: Int)] = []
        var i = 0
        while i < words.count {
            let word = words[i]
            i += 1
            if arguments.contains(where: { $0.kind == .flag && $0.name == word.text }) {
                flags.insert(word.text)
            } else if let keyword = arguments.first(where: { $0.kind == .keyword(word.text) }) {
                guard keywords[word.text] == nil else {
                    throw ShellError.unexpectedArgument(command: name, argument: word.text, column: word.column, usage: synopsis)
                }
                guard i < words.count else {
                    throw ShellError.missingArgument(command: name, argument: keyword.name, usage: synopsis)
                }
                keywords[word.text] = words[i].text
                i += 1
            } else {
                rest.append(word)
            }
        }
        for keyword in arguments where keyword.required {
            if case .keyword(let word) = keyword.kind, keywords[word] == nil {
                throw ShellError.missingArgument(command: name, argument: keyword.usage, usage: synopsis)
            }
        }
        let form = try chooseForm(&rest)
        let usage = form.map { self.usage(of: $0) } ?? synopsis
        try Self.check(rest, against: form?.arguments ?? arguments.filter { $0.kind == .positional },
                       command: name, usage: usage)
        if let form {
            if let accepted = form.options, let key = given.keys.sorted().first(where: { !accepted.contains($0) }) {
                throw ShellError.inapplicableOption(command: form.name.isEmpty ? name : "\(name) \(form.name)",
                                                    option: key, accepted: accepted)
            }
            if let key = form.requiredOptions.first(where: { given[$0] == nil }) {
                throw ShellError.missingArgument(command: name, argument: "\(key)=\(option(named: key)?.valueName ?? "VALUE")",
                                                 usage: usage)
            }
        }
        return ParsedCommand(name: name, subcommand: form?.name, arguments: rest.map(\.text),
                             argumentColumns: rest.map(\.column), keywords: keywords, flags: flags,
                             options: given, text: text)
    }

    /// The form the first word names; with none named, the default form, or the form without a word.
    private func chooseForm(_ words: inout [(text: String, column: Int)]) throws -> Subcommand? {
        guard !subcommands.isEmpty else { return nil }
        if let first = words.first, let form = subcommands.first(where: { !$0.name.isEmpty && $0.name == first.text }) {
            words.removeFirst()
            return form
        }
        let unnamed = subcommands.first { $0.name.isEmpty }
        if words.isEmpty {
            if let word = defaultSubcommand, let form = subcommands.first(where: { $0.name == word }) { return form }
            if let unnamed { return unnamed }
            throw ShellError.missingArgument(command: name, argument: subcommandLabel, usage: synopsis)
        }
        if let unnamed, !unnamed.arguments.isEmpty { return unnamed }
        throw ShellError.badValue(command: name, option: subcommandLabel, value: words[0].text,
                                  accepted: subcommands.map(\.name).filter { !$0.isEmpty })
    }

    /// Too few or too many positional words, or one outside a closed set, is an error naming the usage.
    private static func check(_ given: [(text: String, column: Int)], against arguments: [ArgumentSpec],
                              command: String, usage: String) throws {
        let required = arguments.filter(\.required)
        if given.count < required.count {
            throw ShellError.missingArgument(command: command, argument: required[given.count].name, usage: usage)
        }
        if !arguments.contains(where: \.variadic), given.count > arguments.count {
            throw ShellError.unexpectedArgument(command: command, argument: given[arguments.count].text,
                                                column: given[arguments.count].column, usage: usage)
        }
        for (index, word) in given.enumerated() {
            guard let spec = index < arguments.count ? arguments[index] : arguments.last(where: \.variadic) else { continue }
            if spec.closed, !spec.values.contains(word.text) {
                throw ShellError.badValue(command: command, option: spec.name, value: word.text, accepted: spec.values)
            }
        }
    }

    /// What the next positional word may be after `previous` (for tab completion):
    /// the value a keyword waits for, else flags and keyword words not yet used, the forms, the next argument.
    func nextArguments(after previous: [String]) -> [ArgumentSpec] {
        if let last = previous.last, let keyword = arguments.first(where: { $0.kind == .keyword(last) }) { return [keyword] }
        var next: [ArgumentSpec] = []
        for argument in arguments {
            switch argument.kind {
            case .flag where !previous.contains(argument.name): next.append(argument)
            case .keyword(let word) where !previous.contains(word): next.append(ArgumentSpec(word, argument.help, values: [word]))
            default: break
            }
        }
        var rest: [String] = []
        var skipValue = false
        for word in previous {
            if skipValue { skipValue = false; continue }
            if arguments.contains(where: { $0.kind == .keyword(word) }) { skipValue = true; continue }
            if !arguments.contains(where: { $0.kind == .flag && $0.name == word }) { rest.append(word) }
        }
        var positional = arguments.filter { $0.kind == .positional }
        if !subcommands.isEmpty {
            let named = rest.first.flatMap { word in subcommands.first { !$0.name.isEmpty && $0.name == word } }
            if rest.isEmpty {
                next.append(ArgumentSpec(subcommandLabel, "", values: subcommands.map(\.name).filter { !$0.isEmpty }))
            }
            if named != nil { rest.removeFirst() }
            positional = (named ?? subcommands.first { $0.name.isEmpty })?.arguments ?? []
        }
        let position = rest.count
        if let argument = position < positional.count ? positional[position] : positional.last(where: \.variadic) {
            next.append(argument)
        }
        return next
    }
}
