/// The notebook format of `transcript.md`: Markdown that `run` can replay.
///
///     # recsh notebook 'tour' (recsh 0.1.0, 2026-11-29 15:30): replay with `run Sessions/tour/transcript.md`
///
///     load ml-100k
///
///     ```text
///     dataset  ml-100k
///     ...
///     ```
///
/// Each command stands on a line of its own (a Markdown paragraph); its
/// output follows in a fenced code block. `run` executes the command lines,
/// skips `#` lines (the heading) and skips everything inside fences, so a
/// saved transcript replays as a script and reads as a notebook.
public enum Transcript {
    /// The entries as a replayable Markdown notebook.
    public static func markdown(_ entries: [TranscriptEntry], heading: String) -> String {
        var out = "# " + heading.replacingAll("\n", with: " ") + "\n"
        for entry in entries {
            let fence = fenceFor(entry.output)
            out += "\n" + entry.line.replacingAll("\n", with: " ") + "\n\n"
            out += fence + "text\n"
            if !entry.output.isEmpty { out += entry.output + (entry.output.hasSuffix("\n") ? "" : "\n") }
            out += fence + "\n"
        }
        return out
    }

    /// The entries of a notebook written by `markdown` (output without its trailing newline;
    /// times are not kept). Lines outside fences that are blank or start with `#` are skipped.
    public static func entries(fromMarkdown text: String) -> [TranscriptEntry] {
        var entries: [TranscriptEntry] = []
        var fence: Int? = nil
        var output: [Substring] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if let open = fence {
                if isClosingFence(line, length: open) {
                    fence = nil
                    if !entries.isEmpty { entries[entries.count - 1].output = output.joined(separator: "\n") }
                    output = []
                } else {
                    output.append(line)
                }
                continue
            }
            if let open = openingFence(line) {
                fence = open
                continue
            }
            let trimmed = String(line).trimmingSpaces()
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            entries.append(TranscriptEntry(line: trimmed, output: "", seconds: 0))
        }
        return entries
    }

    /// The length of the backtick fence `line` opens (three or more backticks, then an
    /// optional info string), or nil when it opens none.
    public static func openingFence(_ line: Substring) -> Int? {
        let trimmed = line.drop { $0 == " " || $0 == "\t" }
        let ticks = trimmed.prefix { $0 == "`" }.count
        return ticks >= 3 ? ticks : nil
    }

    /// True when `line` closes a fence opened with `length` backticks.
    public static func isClosingFence(_ line: Substring, length: Int) -> Bool {
        let trimmed = String(line).trimmingSpaces()
        return trimmed.count >= length && trimmed.allSatisfy { $0 == "`" }
    }

    /// A fence longer than any run of backticks in `output`, so output can never close it early.
    static func fenceFor(_ output: String) -> String {
        var longest = 0, run = 0
        for c in output {
            if c == "`" { run += 1; longest = max(longest, run) } else { run = 0 }
        }
        return String(repeating: "`", count: max(3, longest + 1))
    }
}
