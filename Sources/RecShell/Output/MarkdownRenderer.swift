/// `--format markdown`: pipe tables (numbers right-aligned), fields as a
/// bullet list, charts in a code block. Good for pasting into notes.
public enum MarkdownRenderer {
    public static func render(_ result: CommandResult) -> String {
        var parts: [String] = []
        for block in result.blocks {
            switch block {
            case .fields(let fields):
                parts.append(fields.map { "- **\(escape($0.0))**: \(escape($0.1.text(decimals: 4)))" }
                    .joined(separator: "\n"))
            case .table(let table):
                var lines: [String] = []
                if let title = table.title { lines += ["**\(escape(title))**", ""] }
                lines.append("| " + table.columns.map { escape($0.name) }.joined(separator: " | ") + " |")
                lines.append("| " + table.columns.map { $0.alignsRight ? "---:" : "---" }.joined(separator: " | ") + " |")
                for row in table.rows {
                    let cells = zip(table.columns, row).map { escape($1.text(decimals: $0.decimals)) }
                    lines.append("| " + cells.joined(separator: " | ") + " |")
                }
                parts.append(lines.joined(separator: "\n"))
            case .text(let lines):
                parts.append("```\n" + lines.joined(separator: "\n") + "\n```")
            case .chart(let chart):
                parts.append("```\n" + TerminalChart.render(chart, style: .plain) + "\n```")
            }
        }
        return parts.joined(separator: "\n\n")
    }

    /// Escapes the characters that would break a table cell or emphasis.
    static func escape(_ s: String) -> String { s.replacingEach(["|": "\\|", "\n": " "]) }
}
