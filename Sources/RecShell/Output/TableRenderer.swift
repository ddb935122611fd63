/// The default, human output: aligned tables (Unicode box on a terminal,
/// plain columns otherwise), `key: value` fields, text, terminal charts.
public enum TableRenderer {
    public static func render(_ result: CommandResult, style: TextStyle) -> String {
        var parts: [String] = []
        for block in result.blocks {
            switch block {
            case .fields(let fields): parts.append(renderFields(fields, style: style))
            case .table(let table): parts.append(renderTable(table, style: style))
            case .text(let lines): parts.append(lines.joined(separator: "\n"))
            case .chart(let chart): parts.append(TerminalChart.render(chart, style: style))
            }
        }
        return parts.joined(separator: "\n\n")
    }

    static func renderFields(_ fields: [(String, Value)], style: TextStyle) -> String {
        let width = fields.map { $0.0.displayWidth }.max() ?? 0
        return fields.map { key, value in
            style.bold((key + ":").padded(to: width + 1, right: false)) + " " + value.text(decimals: 4)
        }.joined(separator: "\n")
    }

    public static func renderTable(_ table: Table, style: TextStyle) -> String {
        let header = table.columns.map(\.name)
        let cells = table.rows.map { row in
            zip(table.columns, row).map { column, value in value.text(decimals: column.decimals) }
        }
        var widths = header.map(\.displayWidth)
        for row in cells {
            for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.displayWidth) }
        }
        func line(_ values: [String], headerRow: Bool) -> String {
            let padded = values.enumerated().map { i, v in
                let cell = v.padded(to: widths[i], right: table.columns[i].alignsRight)
                return headerRow ? style.bold(cell) : cell
            }
            return style.box ? "│ " + padded.joined(separator: " │ ") + " │" : padded.joined(separator: "  ")
        }
        func rule(_ left: String, _ mid: String, _ right: String) -> String {
            left + widths.map { String(repeating: "─", count: $0 + 2) }.joined(separator: mid) + right
        }
        var lines: [String] = []
        if let title = table.title { lines.append(style.cyan(style.bold(title))) }
        if style.box {
            lines.append(rule("┌", "┬", "┐"))
            lines.append(line(header, headerRow: true))
            lines.append(rule("├", "┼", "┤"))
            lines += cells.map { line($0, headerRow: false) }
            lines.append(rule("└", "┴", "┘"))
        } else {
            lines.append(line(header, headerRow: true))
            lines.append(widths.map { String(repeating: "-", count: $0) }.joined(separator: "  "))
            lines += cells.map { line($0, headerRow: false) }
        }
        // Plain rows end without trailing spaces (left-aligned last columns pad).
        return lines.map { style.box ? $0 : $0.trimmingTrailingSpaces() }.joined(separator: "\n")
    }
}

extension String {
    func trimmingTrailingSpaces() -> String {
        var s = self
        while s.hasSuffix(" ") { s.removeLast() }
        return s
    }
}
