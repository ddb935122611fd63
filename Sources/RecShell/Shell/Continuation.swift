/// Joins lines that end in `\` with the next one, for scripts, pipes, `-c`
/// and the prompt: `train gcn epochs=30 \` + `  lr=0.002` is one command.
struct Continuation {
    private var text = ""
    private var firstLine = 0
    private var open = false

    /// True when no continued line is waiting.
    var isEmpty: Bool { !open }

    /// Adds a line. Returns the whole command and the number of its first
    /// line, or nil while the command continues on the next line.
    mutating func add(_ line: Substring, number: Int) -> (String, Int)? {
        var line = line
        if line.hasSuffix("\r") { line = line.dropLast() }
        if !open {
            firstLine = number
            text = ""
        } else {
            // The indentation of a continued line only lines it up in the file.
            line = line.drop { $0 == " " || $0 == "\t" }
        }
        if line.hasSuffix("\\") {
            text += line.dropLast() + " "
            open = true
            return nil
        }
        text += line
        open = false
        return (text, firstLine)
    }

    /// What is left when the input ends right after a `\`.
    mutating func flush() -> (String, Int)? {
        guard open else { return nil }
        open = false
        return (text, firstLine)
    }
}
