/// Picks the renderer for a format and decides which stream each part goes to.
///
/// - `table` and `markdown` (for people): the result, then its notes and
///   hints, on stdout; errors and the timer on stderr.
/// - `json` and `csv` (for programs): stdout carries results only (in JSON
///   an error is the one object, the contract: every command writes one
///   object); notes, hints and the timer go to stderr.
public enum Renderer {
    public struct Output: Equatable, Sendable {
        public var stdout: String
        public var stderr: String
    }

    /// How the human formats lay out a result.
    public struct Options: Sendable, Equatable {
        public var style: TextStyle
        /// Show "next: ..." hints (off under --quiet and `set hints=off`).
        public var hints: Bool
        /// Columns available; nil: as wide as the content.
        public var width: Int?
        public var expanded: Expanded

        public init(style: TextStyle, hints: Bool = true, width: Int? = nil, expanded: Expanded = .auto) {
            self.style = style
            self.hints = hints
            self.width = width
            self.expanded = expanded
        }
    }

    public static func render(_ result: CommandResult, format: OutputFormat, style: TextStyle) -> Output {
        render(result, format: format, options: Options(style: style))
    }

    public static func render(_ result: CommandResult, format: OutputFormat, options: Options) -> Output {
        let style = options.style
        let remarks = result.ok ? result.remarks(hints: options.hints) : []
        let remarkText = remarks.isEmpty ? "" : remarks.joined(separator: "\n") + "\n"
        var timer = result.warnings.map { style.red("warning: ") + $0 + "\n" }.joined()
        if let seconds = result.wallSeconds, format != .json {
            timer += style.dim("(\(Value.fixed(seconds, decimals: 3)) s)") + "\n"
        }
        switch format {
        case .json:
            return Output(stdout: JSONRenderer.render(result) + "\n", stderr: timer + remarkText)
        case .csv:
            guard result.ok else { return failure(result, style) }
            let body = CSVRenderer.render(result)
            return Output(stdout: body.isEmpty ? "" : body + "\n", stderr: remarkText + timer)
        case .table, .markdown:
            guard result.ok else { return failure(result, style) }
            var body = format == .table
                ? TableRenderer.render(result, options: options)
                : MarkdownRenderer.render(result)
            if !remarks.isEmpty {
                // Markdown: one paragraph per remark (single newlines would join them).
                let text = format == .table
                    ? remarks.map { style.dim(TextWrap.wrap($0, width: options.width)) }.joined(separator: "\n")
                    : remarks.joined(separator: "\n\n")
                body += body.isEmpty ? text : "\n\n" + text
            }
            // Markdown ends with a blank line, so the next result's caption never joins this table.
            let end = format == .markdown ? "\n\n" : "\n"
            return Output(stdout: body.isEmpty ? "" : body + end, stderr: timer)
        }
    }

    private static func failure(_ result: CommandResult, _ style: TextStyle) -> Output {
        Output(stdout: "", stderr: style.red("error: ") + (result.error ?? "failed") + "\n")
    }
}

/// When a table is shown as one record per block instead of rows (psql's `\x`).
public enum Expanded: String, Sendable, CaseIterable, Codable {
    /// Only a table too wide for the terminal even after shortening its text.
    case auto
    case on
    case off
}
