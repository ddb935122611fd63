/// `--format csv`: the JSON payload of a result as RFC 4180 CSV, so the
/// headers are the JSON keys and a program reads the same names in both.
///
/// - A list of records (a JSON array of objects, such as `eval`'s `results`)
///   becomes a table: one row per record. The result's other top-level
///   values come first in every row, so one table stands alone
///   (`user,model,k,rank,movie,title,score`).
/// - A result without such a list is one header row and one value row.
/// - A nested object's keys join its own with a dot (`val.ndcg`); arrays
///   inside a cell are compact JSON; null is an empty field; booleans are
///   `true`/`false`; numbers keep full precision.
/// - Several lists (rare: `help COMMAND` has arguments and options) are
///   tables separated by one blank line; a record key that repeats one of
///   the result's own is qualified with its list's (`arguments.name`).
///
/// Notes and hints never appear here: the shell writes them to stderr.
public enum CSVRenderer {
    public static func render(_ result: CommandResult) -> String {
        render(result.payload.isEmpty ? JSONRenderer.derivedPayload(result.blocks) : result.payload)
    }

    public static func render(_ payload: [(String, Value)]) -> String {
        var context: [(String, Value)] = []
        var lists: [[[(String, Value)]]] = []
        for (key, value) in payload {
            if let records = records(value) {
                // A record key that repeats one of the result's own (help's `name`) is qualified: `arguments.name`.
                let own = Set(payload.map { JSONRenderer.snakeCased($0.0) })
                let list = JSONRenderer.snakeCased(key)
                lists.append(records.map { record in
                    flattened(record).map { (own.contains($0.0) ? list + "." + $0.0 : $0.0, $0.1) }
                })
            } else {
                context += flattened([(key, value)])
            }
        }
        guard !lists.isEmpty else {
            guard !context.isEmpty else { return "" }
            return [row(context.map(\.0)), row(context.map { cell($0.1) })].joined(separator: "\n")
        }
        return lists.map { records in
            var keys = context.map(\.0)
            for record in records {
                for (key, _) in record where !keys.contains(key) { keys.append(key) }
            }
            var lines = [row(keys)]
            for record in records {
                let values = Dictionary(context + record, uniquingKeysWith: { _, last in last })
                lines.append(row(keys.map { values[$0].map(cell) ?? "" }))
            }
            return lines.joined(separator: "\n")
        }.joined(separator: "\n\n")
    }

    /// The objects of a non-empty array of objects, else nil.
    static func records(_ value: Value) -> [[(String, Value)]]? {
        guard case .array(let items) = value, !items.isEmpty else { return nil }
        var out: [[(String, Value)]] = []
        for item in items {
            guard case .object(let pairs) = item else { return nil }
            out.append(pairs)
        }
        return out
    }

    /// Snake-cased keys; nested objects spread into `outer.inner` keys.
    static func flattened(_ pairs: [(String, Value)], prefix: String = "") -> [(String, Value)] {
        var out: [(String, Value)] = []
        for (key, value) in pairs {
            let name = prefix + JSONRenderer.snakeCased(key)
            if case .object(let inner) = value, !inner.isEmpty {
                out += flattened(inner, prefix: name + ".")
            } else {
                out.append((name, value))
            }
        }
        return out
    }

    /// One field's text: the JSON value without quotes for scalars.
    static func cell(_ value: Value) -> String {
        switch value {
        case .null: return ""
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .double(let d): return d.isFinite ? String(d) : ""
        case .string(let s): return s
        case .array, .object:
            var out = ""
            JSONRenderer.write(value, to: &out)
            return out
        }
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
    /// Each character `replacements` names replaced by its text, the rest
    /// kept: the one way the renderers escape (CSV, Markdown, SVG and HTML).
    func replacingEach(_ replacements: [Character: String]) -> String {
        var out = ""
        for ch in self { if let replacement = replacements[ch] { out += replacement } else { out.append(ch) } }
        return out
    }

    func replacingAll(_ target: Character, with replacement: String) -> String { replacingEach([target: replacement]) }
}
