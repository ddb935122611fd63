import GraphRec

/// Timing on this machine: medians of repeated runs.
public enum BenchCommands {
    public static let specs: [CommandSpec] = [
        CommandSpec(
            name: "bench", group: "Bench", synopsis: "bench [train|eval|kernels|lsh|all] [runs=5]",
            summary: "Time training, evaluation and kernels on this machine; medians of repeated runs.",
            arguments: [ArgumentSpec("WHAT", "what to time", required: false,
                                     values: ["train", "eval", "kernels", "lsh", "all"])],
            options: [OptionSpec("runs", "N", default: "5", "repetitions per measurement")],
            example: "bench kernels", handler: bench),
    ]

    static func bench(_ session: inout Session, _ command: ParsedCommand, _ context: Context) throws -> CommandResult {
        throw ShellError.notBuilt("bench")
    }
}
