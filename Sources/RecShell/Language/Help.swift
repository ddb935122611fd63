/// `help` and `help COMMAND`, generated from the command specs.
public enum Help {
    /// Every command, grouped, with its usage line and summary.
    public static func overview(_ registry: CommandRegistry) -> CommandResult {
        // One aligned list; a usage line too long for the column gets its own line.
        let column = min(44, registry.specs.map(\.synopsis.count).max() ?? 0)
        var lines: [String] = []
        for group in registry.groups {
            if !lines.isEmpty { lines.append("") }
            lines.append(group)
            for spec in registry.specs where spec.group == group {
                if spec.synopsis.count > column {
                    lines.append("  " + spec.synopsis)
                    lines.append("  " + String(repeating: " ", count: column) + "  " + spec.summary)
                } else {
                    lines.append("  " + spec.synopsis.padded(to: column, right: false) + "  " + spec.summary)
                }
            }
        }
        lines += ["", "Type 'help COMMAND' for its options and an example. Commands are separated by ';',",
                  "'#' starts a comment, double quotes group words, options are key=value."]
        let blocks: [CommandResult.Block] = [.text(lines)]
        let commands: [Value] = registry.specs.map { spec in
            .object([("name", .string(spec.name)), ("group", .string(spec.group)),
                     ("synopsis", .string(spec.synopsis)), ("summary", .string(spec.summary))])
        }
        return CommandResult(command: "help", blocks: blocks, payload: [("commands", .array(commands))])
    }

    /// Detail lines joined into paragraphs, so they wrap to the screen as prose.
    /// A blank line, or a line starting with a space or '-', begins a new one.
    static func paragraphs(_ lines: [String]) -> [String] {
        var out: [String] = []
        var startsNew = true
        for line in lines {
            if line.isEmpty || line.hasPrefix(" ") || line.hasPrefix("-") || startsNew || out.isEmpty {
                out.append(line)
            } else {
                out[out.count - 1] += " " + line
            }
            startsNew = line.isEmpty
        }
        return out
    }

    /// One command's usage, arguments, options with defaults, and example.
    public static func command(_ spec: CommandSpec) -> CommandResult {
        var blocks: [CommandResult.Block] = []
        var head = ["usage: \(spec.synopsis)", "", spec.summary]
        if !spec.details.isEmpty { head += [""] + paragraphs(spec.details) }
        if !spec.aliases.isEmpty { head += ["", "also: \(spec.aliases.joined(separator: ", "))"] }
        blocks.append(.text(head))
        if !spec.subcommands.isEmpty {
            let rows = spec.subcommands.map { form -> [Value] in
                let words = [spec.name, form.name] + form.arguments.map(\.usage)
                let note = form.name == spec.defaultSubcommand ? " (the default)" : ""
                return [.string(words.filter { !$0.isEmpty }.joined(separator: " ")), .string(form.help + note)]
            }
            blocks.append(.table(Table(name: "forms", title: "forms",
                                       columns: [.init("form"), .init("meaning", wraps: true)], rows: rows)))
        }
        let arguments = spec.allArguments
        if !arguments.isEmpty {
            let rows = arguments.map { a -> [Value] in
                let name = a.required ? a.name : "[\(a.name)]"
                let label = a.kind == .positional ? (a.variadic ? name + " ..." : name) : a.usage
                let values = a.values.isEmpty || a.kind == .flag ? "" : " (\(a.values.joined(separator: "|")))"
                return [.string(label), .string(a.help + values)]
            }
            blocks.append(.table(Table(name: "arguments", title: "arguments",
                                       columns: [.init("argument"), .init("meaning", wraps: true)], rows: rows)))
        }
        if !spec.options.isEmpty {
            let rows = spec.options.map { o -> [Value] in
                [.string("\(o.name)=\(o.valueName)"), .string(o.defaultValue ?? "-"), .string(o.help)]
            }
            blocks.append(.table(Table(name: "options", title: "options",
                                       columns: [.init("option"), .init("default"), .init("meaning", wraps: true)], rows: rows)))
        }
        blocks.append(.text(["example:", "  \(spec.example)"]))

        let argumentValues: [Value] = arguments.map { a in
            .object([("name", .string(a.name)), ("required", .bool(a.required)), ("variadic", .bool(a.variadic)),
                     ("values", .array(a.values.map { .string($0) })), ("help", .string(a.help))])
        }
        let options: [Value] = spec.options.map { o in
            .object([("name", .string(o.name)), ("value", .string(o.valueName)),
                     ("default", o.defaultValue.map { .string($0) } ?? .null),
                     ("values", .array(o.values.map { .string($0) })), ("help", .string(o.help))])
        }
        return CommandResult(command: "help", blocks: blocks, payload: [
            ("name", .string(spec.name)), ("synopsis", .string(spec.synopsis)), ("summary", .string(spec.summary)),
            ("aliases", .array(spec.aliases.map { .string($0) })),
            ("arguments", .array(argumentValues)), ("options", .array(options)), ("example", .string(spec.example)),
        ])
    }
}
