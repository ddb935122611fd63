import GraphRec

/// Random-hyperplane LSH against exact search.
public enum RetrievalCommands {
    public static let specs: [CommandSpec] = [
        CommandSpec(
            name: "lsh", group: "Retrieval",
            synopsis: "lsh planes=N [model=NAME] [probe=hamming|bucket] | lsh sweep|bench [planes=1..16]",
            summary: "Build LSH over movie embeddings; report candidates, recall of the exact top-K, metrics and speed.",
            details: ["probe=bucket takes the nearest non-empty bucket (the seed's method); probe=hamming widens",
                      "the Hamming radius until at least K candidates. 'lsh sweep' repeats for each plane count."],
            arguments: [ArgumentSpec("MODE", "sweep (many plane counts) or bench (timing)", required: false, values: ["sweep", "bench"])],
            options: [OptionSpec("planes", "N|A..B", "hyperplanes (a range for sweep)"),
                      OptionSpec("model", "NAME", default: "last trained", "which model", completion: .models),
                      OptionSpec("probe", "hamming|bucket", default: "hamming", "candidate search",
                                 values: ["hamming", "bucket"]),
                      OptionSpec("k", "N", default: "10", "cut-off K"),
                      OptionSpec("seed", "N", default: "0", "seed of the random planes")],
            example: "lsh planes=8 probe=bucket", handler: lsh),
    ]

    static func lsh(_ session: inout Session, _ command: ParsedCommand, _ context: Context) throws -> CommandResult {
        throw ShellError.notBuilt("lsh")
    }
}
