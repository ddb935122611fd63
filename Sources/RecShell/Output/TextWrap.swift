/// Fitting text into a number of terminal columns: wrapping at word
/// boundaries (help, notes, long cells) and shortening with an ellipsis
/// (titles and paths in a table that is too wide).
public enum TextWrap {
    /// `text` broken into lines of at most `width` columns, at spaces where
    /// possible; a word longer than the width is cut. Lines after the first
    /// start with `indent` spaces (a hanging indent). nil width: unchanged.
    public static func lines(_ text: String, width: Int?, indent: Int = 0) -> [String] {
        guard let width, width > indent + 4, text.displayWidth > width else { return [text] }
        // Words with the spaces before them: gaps inside a line are kept (aligned columns), gaps at a break dropped.
        var tokens: [(gap: Substring, word: Substring)] = []
        var rest = Substring(text)
        while !rest.isEmpty {
            let gap = rest.prefix { $0 == " " }
            rest = rest.dropFirst(gap.count)
            let word = rest.prefix { $0 != " " }
            rest = rest.dropFirst(word.count)
            if !word.isEmpty { tokens.append((gap, word)) }
        }
        let pad = String(repeating: " ", count: indent)
        var lines: [String] = []
        var current = ""
        var hasWord = false
        for (gap, word) in tokens {
            var piece = (hasWord || lines.isEmpty) ? gap + word : word
            if current.displayWidth + piece.count <= width {
                current += piece
                hasWord = true
                continue
            }
            if hasWord {
                lines.append(current)
                current = pad
                piece = word
            }
            // A word wider than a whole line is cut into line-sized pieces.
            while piece.count > width - current.displayWidth {
                let take = max(1, width - current.displayWidth)
                lines.append(current + piece.prefix(take))
                piece = piece.dropFirst(take)
                current = pad
            }
            current += piece
            hasWord = !piece.isEmpty
        }
        if hasWord || lines.isEmpty { lines.append(current) }
        return lines
    }

    /// `lines(text, width:indent:)` joined with newlines; each existing line wraps on its own.
    public static func wrap(_ text: String, width: Int?, indent: Int = 0) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false)
            .flatMap { lines(String($0), width: width, indent: indent) }
            .joined(separator: "\n")
    }

    /// `text` cut to `width` columns with a trailing "…" when it is longer.
    public static func shortened(_ text: String, to width: Int) -> String {
        guard text.displayWidth > width else { return text }
        guard width > 1 else { return String(text.prefix(max(0, width))) }
        return String(text.prefix(width - 1)).trimmingTrailingSpaces() + "…"
    }
}
