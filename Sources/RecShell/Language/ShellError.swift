import GraphRec

/// An error the user caused in the shell itself: a typo, a bad option, a
/// command this build does not have yet. Engine errors arrive as `RecError`.
public enum ShellError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The line could not be split into words (column is 1-based).
    case syntax(String, column: Int)
    case unknownCommand(String, suggestion: String?)
    case unknownOption(command: String, option: String, accepted: [String])
    case badValue(command: String, option: String, value: String, accepted: [String])
    case missingArgument(command: String, argument: String, usage: String)
    case unexpectedArgument(command: String, argument: String, column: Int, usage: String)
    case duplicateOption(command: String, option: String, column: Int)
    /// An option of the command that the chosen form does not take (`split official seed=3`).
    case inapplicableOption(command: String, option: String, accepted: [String])
    /// A message for anything else, already phrased for the user.
    case message(String)
    /// The command would lose work (`split` dropping trained models): the
    /// shell asks the question at a terminal; `force` skips it.
    case confirmation(String)

    public var description: String {
        switch self {
        case .syntax(let message, let column):
            return "syntax error at column \(column): \(message)"
        case .unknownCommand(let name, let suggestion):
            let hint = suggestion.map { " (did you mean '\($0)'?)" } ?? ""
            return "unknown command '\(name)'\(hint); type 'help' for the list"
        case .unknownOption(let command, let option, let accepted):
            let list = accepted.isEmpty ? "none" : accepted.joined(separator: ", ")
            let hint = closest(to: option, in: accepted).map { "; did you mean \($0)=?" } ?? ""
            return "\(command): unknown option '\(option)'\(hint) (accepted: \(list))"
        case .badValue(let command, let option, let value, let accepted):
            return "\(command): \(option)=\(value) is not one of \(accepted.joined(separator: "|"))"
        case .missingArgument(let command, let argument, let usage):
            return "\(command): missing \(argument); usage: \(usage)"
        case .unexpectedArgument(let command, let argument, let column, let usage):
            return "\(command): unexpected argument '\(argument)' at column \(column); usage: \(usage)"
        case .inapplicableOption(let command, let option, let accepted):
            return "\(command): option '\(option)=' does not apply"
                + (accepted.isEmpty ? " (it takes none)" : " (accepted: \(accepted.joined(separator: ", ")))")
        case .duplicateOption(let command, let option, let column):
            return "\(command): option '\(option)' given twice (again at column \(column))"
        case .message(let text):
            return text
        case .confirmation(let question):
            return question + " (add 'force' to go ahead)"
        }
    }
}

/// A failure inside a script, named by file and line.
public struct ScriptError: Error, CustomStringConvertible, Sendable {
    public var file: String
    public var line: Int
    public var underlying: String
    public var description: String { "\(file):\(line): \(underlying)" }
}

/// The accepted word nearest to a typo (`epoch` -> `epochs`), when it is close enough to be one.
/// Among equally near words, one that extends the typo (`o` -> `on`) wins.
func closest(to word: String, in candidates: [String]) -> String? {
    let limit = word.count <= 3 ? 1 : 2
    let near = candidates.map { (name: $0, distance: editDistance(word, $0), extends: $0.hasPrefix(word) || word.hasPrefix($0)) }
        .filter { $0.distance > 0 && $0.distance <= limit }
    return near.min { a, b in
        (a.distance, a.extends ? 0 : 1, a.name) < (b.distance, b.extends ? 0 : 1, b.name)
    }?.name
}
