import GraphRec

/// `--format json`: exactly one object per command, on one line, keys in
/// snake_case: `{"command":"eval","ok":true,...}` or
/// `{"command":"x","ok":false,"error":"..."}`.
public enum JSONRenderer {
    public static func render(_ result: CommandResult) -> String {
        var pairs: [(String, Value)] = [("command", .string(result.command)), ("ok", .bool(result.ok))]
        if result.ok {
            pairs += result.payload.isEmpty ? derivedPayload(result.blocks) : result.payload
        } else {
            pairs.append(("error", .string(result.error ?? "failed")))
        }
        if let seconds = result.wallSeconds { pairs.append(("wall_seconds", .double(seconds))) }
        var out = ""
        write(.object(pairs), to: &out)
        return out
    }

    /// JSON for results that did not build a payload: fields become keys,
    /// tables arrays of row objects, text a list of lines.
    static func derivedPayload(_ blocks: [CommandResult.Block]) -> [(String, Value)] {
        var pairs: [(String, Value)] = []
        var lines: [Value] = []
        for block in blocks {
            switch block {
            case .fields(let fields):
                pairs += fields
            case .table(let table):
                let rows: [Value] = table.rows.map { row in
                    .object(zip(table.columns, row).map { ($0.name, $1) })
                }
                pairs.append((table.name ?? "rows", .array(rows)))
            case .text(let text):
                lines += text.map { .string($0) }
            case .chart(let chart):
                pairs.append(("chart", chartValue(chart)))
            }
        }
        if !lines.isEmpty { pairs.append(("text", .array(lines))) }
        return pairs
    }

    public static func chartValue(_ chart: Chart) -> Value {
        .object([
            ("title", .string(chart.title)), ("x_label", .string(chart.xLabel)), ("y_label", .string(chart.yLabel)),
            ("series", .array(chart.series.map { s in
                .object([("name", .string(s.name)),
                         ("x", .array(s.points.map { .double($0.x) })),
                         ("y", .array(s.points.map { .double($0.y) }))])
            })),
        ])
    }

    /// Writes a value as compact JSON; object keys are made snake_case.
    public static func write(_ value: Value, to out: inout String) {
        switch value {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .double(let d): out += d.isFinite ? String(d) : "null"
        case .string(let s): writeString(s, to: &out)
        case .array(let items):
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += "," }
                write(item, to: &out)
            }
            out += "]"
        case .object(let pairs):
            out += "{"
            for (i, (key, item)) in pairs.enumerated() {
                if i > 0 { out += "," }
                writeString(snakeCased(key), to: &out)
                out += ":"
                write(item, to: &out)
            }
            out += "}"
        }
    }

    static func writeString(_ s: String, to out: inout String) { JSONText.writeString(s, to: &out) }

    /// "secondsPerEpoch", "min-rating", "what it does" -> "seconds_per_epoch", "min_rating", "what_it_does".
    public static func snakeCased(_ key: String) -> String {
        var out = ""
        var previousWasLower = false
        for ch in key {
            if ch.isUppercase {
                if previousWasLower { out += "_" }
                out += ch.lowercased()
                previousWasLower = false
            } else if ch.isLetter || ch.isNumber {
                out.append(ch)
                previousWasLower = true
            } else if !out.hasSuffix("_") && !out.isEmpty {
                out += "_"
                previousWasLower = false
            }
        }
        while out.hasSuffix("_") { out.removeLast() }
        return out
    }
}
