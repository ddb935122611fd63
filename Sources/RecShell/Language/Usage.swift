/// Usage lines, generated from the spec: what `help` shows and what an
/// error about the command's words quotes.
extension CommandSpec {
    /// A usage line lists every optional option up to this many; beyond, the
    /// first three and `[key=value ...]` (`help COMMAND` lists them all).
    static let usageOptionLimit = 6

    /// Every form of the command on one line, e.g.
    /// `attention user USER | movie MOVIE | summary [model=NAME] [layer=L] [head=H] [top=N]`.
    public var synopsis: String {
        guard !subcommands.isEmpty else {
            return Self.line([name] + arguments.map(\.usage) + optionUsage(options, required: []))
        }
        let groups = formGroups
        guard subcommands.contains(where: { $0.options != nil }) else {
            // Every form takes every option: the forms side by side, the options once.
            var forms = groups.map { Self.line([Self.words($0)] + $0[0].arguments.map(\.usage)) }.joined(separator: " | ")
            if defaultSubcommand != nil, groups.count == 1 { forms = "[\(forms)]" }
            return Self.line([name, forms] + arguments.map(\.usage) + optionUsage(options, required: []))
        }
        return groups.map { usage(of: $0) }.joined(separator: " | ")
    }

    /// The usage line of one form (forms of the same shape share it: `split warm|cold ...`).
    func usage(of form: Subcommand) -> String {
        guard subcommands.contains(where: { $0.options != nil }) else { return synopsis }
        return usage(of: formGroups.first { group in group.contains { $0.name == form.name } } ?? [form])
    }

    private func usage(of group: [Subcommand]) -> String {
        let form = group[0]
        return Self.line([name, Self.words(group)] + form.arguments.map(\.usage)
            + optionUsage(options(of: form), required: form.requiredOptions))
    }

    /// The options `form` takes, in the order it declares them.
    func options(of form: Subcommand?) -> [OptionSpec] {
        guard let names = form?.options else { return options }
        return names.compactMap { option(named: $0) }
    }

    /// `name=TYPE` for required options, then up to the limit `[name=VALUE]`, then `[key=value ...]`.
    private func optionUsage(_ options: [OptionSpec], required: [String]) -> [String] {
        let must = options.filter { required.contains($0.name) }.map { "\($0.name)=\($0.valueName)" }
        let may = options.filter { !required.contains($0.name) }.map { "[\($0.name)=\($0.usageValue)]" }
        let shown = usageOptions ?? (may.count <= Self.usageOptionLimit ? may.count : 3)
        return must + may.prefix(shown) + (may.count > shown ? ["[key=value ...]"] : [])
    }

    /// Consecutive forms that take the same arguments and options: one usage line.
    private var formGroups: [[Subcommand]] {
        var groups: [[Subcommand]] = []
        for form in subcommands {
            if let last = groups.last?.last, !last.name.isEmpty, !form.name.isEmpty,
               last.arguments.map(\.usage) == form.arguments.map(\.usage), last.options == form.options,
               last.requiredOptions == form.requiredOptions {
                groups[groups.count - 1].append(form)
            } else {
                groups.append([form])
            }
        }
        return groups
    }

    private static func words(_ group: [Subcommand]) -> String { group.map(\.name).joined(separator: "|") }

    private static func line(_ parts: [String]) -> String { parts.filter { !$0.isEmpty }.joined(separator: " ") }
}

extension CommandSpec {
    /// The command's own arguments and every form's, each once, for `help COMMAND`.
    var allArguments: [ArgumentSpec] {
        var seen: Set<String> = []
        return (subcommands.flatMap(\.arguments) + arguments).filter { seen.insert($0.usage).inserted }
    }
}

extension Context {
    /// The usage line of the form `command` took, for a handler's own error about its words.
    public func usage(of command: ParsedCommand) -> String {
        guard let spec = registry.spec(named: command.name) else { return command.name }
        return spec.form(of: command).map { spec.usage(of: $0) } ?? spec.synopsis
    }
}

extension OptionSpec {
    /// What a usage line shows after `name=`: the choices (`on=val|test`),
    /// else the default when it is a value one could type (`k=10`), else the
    /// placeholder (`model=NAME`).
    var usageValue: String {
        guard !closed, !valueName.contains("|"), let value = defaultValue, !value.isEmpty, !value.contains(" "),
              value != value.uppercased() || value.contains(where: \.isNumber) else { return valueName }
        return value
    }
}
