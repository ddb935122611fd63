/// What reading one line can give.
public enum LineEvent: Equatable, Sendable {
    case line(String)
    /// Ctrl-C at the prompt: the line was discarded.
    case interrupted
    /// Ctrl-D on an empty line, or the end of input.
    case endOfInput
}

/// A source of command lines: libedit on a terminal, plain stdin otherwise.
public protocol LineReader: AnyObject {
    func readLine(prompt: String) -> LineEvent
    /// Remembers a line for arrow-up and the history file.
    func remember(_ line: String)
    /// Writes the history file, if any.
    func close()
}

/// Reads stdin line by line without libedit (pipes, redirected files).
public final class PlainLineReader: LineReader {
    public init() {}
    public func readLine(prompt: String) -> LineEvent {
        guard let line = Swift.readLine(strippingNewline: true) else { return .endOfInput }
        return .line(line)
    }
    public func remember(_ line: String) {}
    public func close() {}
}
