import GraphRec

/// Saving, restoring and exporting sessions.
public enum SessionCommands {
    public static let specs: [CommandSpec] = [
        CommandSpec(
            name: "save", group: "Sessions", synopsis: "save [NAME]",
            summary: "Save the whole session (data identity, split, models, transcript) under the sessions directory.",
            arguments: [ArgumentSpec("NAME", "bundle name (default: the last one used)", required: false)],
            example: "save tour", handler: save),
        CommandSpec(
            name: "restore", group: "Sessions", synopsis: "restore NAME",
            summary: "Reload a saved session; on any mismatch the current session stays as it was.",
            arguments: [ArgumentSpec("NAME", "bundle name")],
            example: "restore tour", handler: restore),
        CommandSpec(
            name: "sessions", group: "Sessions", synopsis: "sessions",
            summary: "List saved sessions.",
            example: "sessions", handler: sessions),
        CommandSpec(
            name: "export", group: "Sessions", synopsis: "export embeddings|recommendations|metrics [model=NAME] FILE",
            summary: "Write embeddings (.safetensors), recommendations (.csv) or metrics (.json), by the file's extension.",
            arguments: [ArgumentSpec("WHAT", "what to write", values: ["embeddings", "recommendations", "metrics"]),
                        ArgumentSpec("FILE", "output file", completion: .files)],
            options: [OptionSpec("model", "NAME", default: "last trained", "which model", completion: .models),
                      OptionSpec("k", "N", default: "10", "recommendations per user")],
            example: "export embeddings model=gcn gcn.safetensors", handler: export),
    ]

    static func save(_ session: inout Session, _ command: ParsedCommand, _ context: Context) throws -> CommandResult {
        throw ShellError.notBuilt("save")
    }

    static func restore(_ session: inout Session, _ command: ParsedCommand, _ context: Context) throws -> CommandResult {
        throw ShellError.notBuilt("restore")
    }

    static func sessions(_ session: inout Session, _ command: ParsedCommand, _ context: Context) throws -> CommandResult {
        throw ShellError.notBuilt("sessions")
    }

    static func export(_ session: inout Session, _ command: ParsedCommand, _ context: Context) throws -> CommandResult {
        throw ShellError.notBuilt("export")
    }
}
