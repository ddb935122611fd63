/// `--format csv`: tables as RFC 4180 CSV (header row, quoted where
/// needed), fields as `key,value` rows, blocks separated by a blank line.
/// Numbers keep full precision: CSV is for programs.
public enum CSVRenderer {
    public static func render(_ result: CommandResult) -> String {
        var parts: [String] = []
        for block in result.blocks {
            switch block {
            case .fields(let fields):
                parts.append((["key,value"] + fields.map { row([$0.0, $0.1.text()]) }).joined(separator: "\n"))
            case .table(let table):
                let lines = [row(table.columns.map(\.name))] + table.rows.map { row($0.map { $0.text() }) }
                parts.append(lines.joined(separator: "\n"))
            case .text(let lines):
                parts.append(lines.map { row([$0]) }.joined(separator: "\n"))
            case .chart(let chart):
                var lines = ["series,x,y"]
                for s in chart.series {
                    lines += s.points.map { row([s.name, Value.double($0.x).text(), Value.double($0.y).text()]) }
                }
                parts.append(lines.joined(separator: "\n"))
            }
        }
        return parts.joined(separator: "\n\n")
    }

    public static func row(_ fields: [String]) -> String { fields.map(quote).joined(separator: ",") }

    /// Quotes a field containing a comma, quote, line break or edge space; doubles inner quotes.
    public static func quote(_ field: String) -> String {
        let needs = field.contains { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }
            || field.hasPrefix(" ") || field.hasSuffix(" ")
        guard needs else { return field }
        return "\"" + field.replacingAll("\"", with: "\"\"") + "\""
    }
}

extension String {
    func replacingAll(_ target: Character, with replacement: String) -> String {
        var out = ""
        for ch in self { if ch == target { out += replacement } else { out.append(ch) } }
        return out
    }
}
