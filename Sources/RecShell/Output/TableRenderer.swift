/// The default, human output: aligned tables (Unicode box on a terminal,
/// plain columns otherwise), `key: value` fields, text, terminal charts.
///
/// With a width (the terminal's, `COLUMNS` or `set width=`) a table is made
/// to fit: prose columns (help's "meaning") wrap first, then text columns
/// (titles, paths) are shortened with "…"; numbers are never touched. A table
/// still too wide is shown one record per block (`set expanded=auto`, like
/// psql's `\x`), which is also what `expanded=on` always does. Text wraps at
/// word boundaries.
public enum TableRenderer {
    public static func render(_ result: CommandResult, style: TextStyle) -> String {
        render(result, options: Renderer.Options(style: style))
    }

    public static func render(_ result: CommandResult, options: Renderer.Options) -> String {
        let style = options.style
        var parts: [String] = []
        for block in result.blocks {
            switch block {
            case .fields(let fields): parts.append(renderFields(fields, style: style, width: options.width))
            case .table(let table): parts.append(renderTable(table, options: options))
            case .text(let lines):
                // Prose wraps to the screen, or to a readable 100 columns in a pipe.
                let width = options.width ?? 100
                parts.append(lines.map { wrapText($0, width: width) }.joined(separator: "\n"))
            case .chart(let chart): parts.append(TerminalChart.render(chart, columns: options.width, style: style))
            }
        }
        return parts.joined(separator: "\n\n")
    }

    /// One line of prose wrapped to `width`. Continuation lines hang under its
    /// second column; a column (or a whole line) indented too far right for
    /// the width moves left, so no line is wider than the screen.
    static func wrapText(_ line: String, width: Int) -> String {
        let lead = line.prefix { $0 == " " }.count
        let room = max(0, width - 24)
        if lead > room {
            return wrapText(String(repeating: " ", count: min(4, room)) + line.dropFirst(lead), width: width)
        }
        let indent = indentOf(line)
        return TextWrap.wrap(line, width: width, indent: indent <= room ? indent : lead)
    }

    /// Where continuation lines of a wrapped text line start: under the text
    /// after its first gap of two or more spaces (an aligned second column,
    /// as in `help`), else under its own first character.
    static func indentOf(_ line: String) -> Int {
        let chars = Array(line)
        let lead = chars.prefix { $0 == " " }.count
        var i = lead
        while i + 1 < chars.count {
            if chars[i] == " " && chars[i + 1] == " " {
                var j = i
                while j < chars.count && chars[j] == " " { j += 1 }
                return j < chars.count ? j : lead
            }
            i += 1
        }
        return lead
    }

    static func renderFields(_ fields: [(String, Value)], style: TextStyle, width: Int? = nil) -> String {
        let keyWidth = fields.map { $0.0.displayWidth }.max() ?? 0
        return fields.map { key, value in
            let lines = TextWrap.lines(value.text(decimals: 4), width: width.map { $0 - keyWidth - 2 })
            let pad = String(repeating: " ", count: keyWidth + 2)
            return style.bold((key + ":").padded(to: keyWidth + 1, right: false)) + " "
                + lines.joined(separator: "\n" + pad)
        }.joined(separator: "\n")
    }

    public static func renderTable(_ table: Table, style: TextStyle) -> String {
        renderTable(table, options: Renderer.Options(style: style))
    }

    public static func renderTable(_ table: Table, options: Renderer.Options) -> String {
        let style = options.style
        let header = table.columns.map(\.name)
        let cells = table.rows.map { row in
            zip(table.columns, row).map { column, value in value.text(decimals: column.decimals) }
        }
        var widths = header.map(\.displayWidth)
        for row in cells {
            for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.displayWidth) }
        }
        if options.expanded == .on { return renderRecords(table, header: header, cells: cells, options: options) }
        if let width = options.width {
            let fitted = fit(widths, columns: table.columns, into: width, box: style.box)
            if fitted == nil && options.expanded == .auto {
                return renderRecords(table, header: header, cells: cells, options: options)
            }
            widths = fitted ?? widths
        }
        // Each cell as the lines it takes: prose wraps, other text is shortened.
        func cellLines(_ text: String, _ i: Int) -> [String] {
            guard text.displayWidth > widths[i] else { return [text] }
            return table.columns[i].wraps ? TextWrap.lines(text, width: widths[i]) : [TextWrap.shortened(text, to: widths[i])]
        }
        func line(_ values: [String], headerRow: Bool) -> [String] {
            let split = values.enumerated().map { cellLines($1, $0) }
            let height = split.map(\.count).max() ?? 1
            return (0..<height).map { r in
                let padded = split.enumerated().map { i, lines in
                    let cell = (r < lines.count ? lines[r] : "").padded(to: widths[i], right: table.columns[i].alignsRight)
                    return headerRow ? style.bold(cell) : cell
                }
                return style.box ? "│ " + padded.joined(separator: " │ ") + " │" : padded.joined(separator: "  ")
            }
        }
        func rule(_ left: String, _ mid: String, _ right: String) -> String {
            left + widths.map { String(repeating: "─", count: $0 + 2) }.joined(separator: mid) + right
        }
        var lines: [String] = []
        if let title = table.title { lines.append(style.cyan(style.bold(titleLine(title, options.width)))) }
        if style.box {
            lines.append(rule("┌", "┬", "┐"))
            lines += line(header, headerRow: true)
            lines.append(rule("├", "┼", "┤"))
            lines += cells.flatMap { line($0, headerRow: false) }
            lines.append(rule("└", "┴", "┘"))
        } else {
            lines += line(header, headerRow: true)
            lines.append(widths.map { String(repeating: "-", count: $0) }.joined(separator: "  "))
            lines += cells.flatMap { line($0, headerRow: false) }
        }
        // Plain rows end without trailing spaces (left-aligned last columns pad).
        return lines.map { style.box ? $0 : $0.trimmingTrailingSpaces() }.joined(separator: "\n")
    }

    static func titleLine(_ title: String, _ width: Int?) -> String {
        width.map { TextWrap.shortened(title, to: $0) } ?? title
    }

    /// Column widths that fit `width`, or nil when even the narrowest allowed do not.
    /// Text gives way, the widest column first: prose (it wraps onto more
    /// lines) down to 16 columns, titles and names (shortened with "…") down
    /// to 8-12. Numbers keep their width.
    static func fit(_ natural: [Int], columns: [Table.Column], into width: Int, box: Bool) -> [Int]? {
        let frame = box ? 4 + 3 * (natural.count - 1) : 2 * (natural.count - 1)
        var widths = natural
        var excess = widths.reduce(frame, +) - width
        guard excess > 0 else { return widths }
        let minimum: (Int) -> Int = { i in
            columns[i].wraps ? min(natural[i], 16) : min(natural[i], max(8, min(columns[i].name.count, 12)))
        }
        var candidates = widths.indices.filter { (columns[$0].wraps || columns[$0].isShortenable) && widths[$0] > minimum($0) }
        while excess > 0, !candidates.isEmpty {
            guard let widest = candidates.max(by: { widths[$0] < widths[$1] }) else { break }
            widths[widest] -= 1
            excess -= 1
            candidates.removeAll { widths[$0] <= minimum($0) }
        }
        return excess <= 0 ? widths : nil
    }

    /// One block per row: `-[ RECORD n ]---`, then `column | value` lines.
    static func renderRecords(_ table: Table, header: [String], cells: [[String]], options: Renderer.Options) -> String {
        let style = options.style
        // Long column names are shortened to a third of the screen, so the values keep the rest.
        let longest = header.map(\.displayWidth).max() ?? 0
        let keyWidth = options.width.map { min(longest, max(8, $0 / 3)) } ?? longest
        let valueWidth = options.width.map { max(5, $0 - keyWidth - 3) }
        var lines: [String] = []
        if let title = table.title { lines.append(style.cyan(style.bold(titleLine(title, options.width)))) }
        for (n, row) in cells.enumerated() {
            let label = "-[ RECORD \(n + 1) ]"
            let ruleWidth = options.width.map { min($0, keyWidth + 3 + (row.map(\.displayWidth).max() ?? 0)) }
                ?? keyWidth + 3 + (row.map(\.displayWidth).max() ?? 0)
            lines.append(label + String(repeating: "-", count: max(1, ruleWidth - label.count)))
            for (i, value) in row.enumerated() {
                let wrapped = TextWrap.lines(value, width: valueWidth)
                let key = style.bold(TextWrap.shortened(header[i], to: keyWidth).padded(to: keyWidth, right: false))
                lines.append(key + " | " + wrapped[0])
                for more in wrapped.dropFirst() {
                    lines.append(String(repeating: " ", count: keyWidth) + " | " + more)
                }
            }
        }
        return lines.map { $0.trimmingTrailingSpaces() }.joined(separator: "\n")
    }
}

extension String {
    func trimmingTrailingSpaces() -> String {
        var s = self
        while s.hasSuffix(" ") { s.removeLast() }
        return s
    }
}
