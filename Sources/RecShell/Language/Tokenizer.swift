/// One word of a command line and where it began.
public struct Word: Equatable, Sendable {
    /// The text with quotes removed.
    public var text: String
    /// 1-based column (in characters) of the word's first character.
    public var column: Int
    /// True when any part of the word was inside double quotes.
    public var quoted: Bool
    /// `key` when the word is `key=value` with `key=` outside quotes.
    public var optionKey: String?
    /// The value part of an option word.
    public var optionValue: String?
}

/// The words of one command (the text between `;` separators).
public struct RawCommand: Equatable, Sendable {
    public var words: [Word]
    /// The command's source text, trimmed, for transcripts and errors.
    public var text: String
}

/// Splits a line into commands and words.
///
/// Double quotes group words (`"star wars"`; `\"` and `\\` escape inside
/// them), `;` separates commands, `#` starts a comment, all three only
/// outside quotes. `key=value` and `key="a b"` are options; a word whose `=`
/// is inside quotes (`"a=b"`) is a plain argument.
public enum Tokenizer {
    public static func commands(in line: String) throws -> [RawCommand] {
        var commands: [RawCommand] = []
        var words: [Word] = []
        var commandText = ""

        var text = ""
        var wordColumn = 0
        var inWord = false
        var quoted = false
        var inQuotes = false
        var quoteColumn = 0
        var escaped = false
        /// Position in `text` of the first unquoted "=", before any quote.
        var equalsAt: Int? = nil
        var sawQuote = false

        func finishWord() {
            guard inWord else { return }
            var word = Word(text: text, column: wordColumn, quoted: quoted, optionKey: nil, optionValue: nil)
            if let at = equalsAt {
                let key = String(text.prefix(at))
                if isOptionKey(key) {
                    word.optionKey = key
                    word.optionValue = String(text.dropFirst(at + 1))
                }
            }
            words.append(word)
            text = ""; inWord = false; quoted = false; equalsAt = nil; sawQuote = false
        }
        func finishCommand() {
            finishWord()
            if !words.isEmpty {
                commands.append(RawCommand(words: words, text: commandText.trimmingSpaces()))
            }
            words = []
            commandText = ""
        }

        var column = 0
        for ch in line {
            column += 1
            if inQuotes {
                commandText.append(ch)
                if escaped {
                    text.append(ch); escaped = false
                } else if ch == "\\" {
                    escaped = true
                } else if ch == "\"" {
                    inQuotes = false
                } else {
                    text.append(ch)
                }
                continue
            }
            switch ch {
            case "\"":
                commandText.append(ch)
                if !inWord { inWord = true; wordColumn = column }
                inQuotes = true; quoted = true; sawQuote = true; quoteColumn = column
            case ";":
                finishCommand()
            case "#":
                finishCommand()
                return commands
            case " ", "\t", "\r", "\n":
                commandText.append(ch)
                finishWord()
            default:
                commandText.append(ch)
                if !inWord { inWord = true; wordColumn = column }
                if ch == "=" && equalsAt == nil && !sawQuote { equalsAt = text.count }
                text.append(ch)
            }
        }
        if inQuotes {
            throw ShellError.syntax("unterminated quote (opened here)", column: quoteColumn)
        }
        finishCommand()
        return commands
    }

    /// Option keys are lower-case words: letters, digits, `-` and `_`, starting with a letter.
    static func isOptionKey(_ key: String) -> Bool {
        guard let first = key.first, first.isLetter else { return false }
        return key.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }
    }
}

extension String {
    func trimmingSpaces() -> String {
        var s = Substring(self)
        while let c = s.first, c.isWhitespace { s.removeFirst() }
        while let c = s.last, c.isWhitespace { s.removeLast() }
        return String(s)
    }
}
