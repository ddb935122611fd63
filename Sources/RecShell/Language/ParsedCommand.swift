import GraphRec

/// One command after parsing and validation against its `CommandSpec`:
/// what a handler reads.
public struct ParsedCommand: Sendable, Equatable {
    /// The command's canonical name (aliases resolved: `exit` gives `quit`).
    public var name: String
    /// The form the first word chose (`sweep` in `lsh sweep`; "" for the form without a word); nil: no forms.
    public var subcommand: String?
    /// Positional arguments in order, after the form's word; flags and keywords are apart.
    public var arguments: [String]
    /// 1-based columns of `arguments`, for error messages.
    public var argumentColumns: [Int]
    /// Values after keywords: `["as": "gcn-m"]` for `train gcn as gcn-m`.
    public var keywords: [String: String]
    /// Bare words that switch something on (`why`, `force`).
    public var flags: Set<String>
    /// `key=value` options, validated against the spec's option names.
    public var options: OptionValues
    /// The source text of this command.
    public var text: String

    public init(name: String, subcommand: String? = nil, arguments: [String] = [], argumentColumns: [Int]? = nil,
                keywords: [String: String] = [:], flags: Set<String> = [], options: [String: String] = [:],
                text: String? = nil) {
        self.name = name
        self.subcommand = subcommand
        self.arguments = arguments
        self.argumentColumns = argumentColumns ?? arguments.map { _ in 0 }
        self.keywords = keywords
        self.flags = flags
        self.options = OptionValues(options)
        let words = [name, subcommand ?? ""] + arguments + keywords.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
            + flags.sorted() + options.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        self.text = text ?? words.filter { !$0.isEmpty }.joined(separator: " ")
    }

    /// The argument at `index`, or nil.
    public func argument(_ index: Int) -> String? {
        index < arguments.count ? arguments[index] : nil
    }

    /// True when a bare word (a flag such as `why`) was given.
    public func hasFlag(_ word: String) -> Bool { flags.contains(word) }

    /// The value after `word` (`as` in `train gcn as gcn-m`), or nil.
    public func keyword(_ word: String) -> String? { keywords[word] }
}

/// Turns a tokenized command into a `ParsedCommand`, checking it against the
/// registry's spec: unknown command, unknown option, a value outside a
/// closed set, the form, too few or too many arguments. Nothing runs before this passes.
public enum CommandParser {
    public static func parse(_ raw: RawCommand, registry: CommandRegistry) throws -> (CommandSpec, ParsedCommand) {
        guard let head = raw.words.first else { throw ShellError.syntax("empty command", column: 1) }
        if let key = head.optionKey {
            throw ShellError.syntax("expected a command name, got option '\(key)=' ", column: head.column)
        }
        guard let spec = registry.spec(named: head.text) else {
            throw ShellError.unknownCommand(head.text, suggestion: registry.suggestion(for: head.text))
        }
        var words: [(text: String, column: Int)] = []
        var options: [String: String] = [:]
        for word in raw.words.dropFirst() {
            if let key = word.optionKey, let value = word.optionValue {
                guard let option = spec.option(named: key) else {
                    throw ShellError.unknownOption(command: spec.name, option: key,
                                                   accepted: spec.options.map(\.name))
                }
                if options[key] != nil {
                    throw ShellError.duplicateOption(command: spec.name, option: key, column: word.column)
                }
                if option.closed, !option.values.isEmpty, !option.values.contains(value) {
                    throw ShellError.badValue(command: spec.name, option: key, value: value, accepted: option.values)
                }
                options[key] = value
            } else {
                words.append((word.text, word.column))
            }
        }
        return (spec, try spec.bind(words, options: options, text: raw.text))
    }
}
