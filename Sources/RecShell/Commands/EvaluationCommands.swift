import GraphRec

/// Ranking metrics for trained models.
public enum EvaluationCommands {
    public static let specs: [CommandSpec] = [
        CommandSpec(
            name: "eval", group: "Evaluation", synopsis: "eval [NAME ...] [on=val|test] [k=10] [lsh=PLANES]",
            summary: "Precision, recall, NDCG, MRR, hit rate and MAP at K for each model (all models when none named).",
            details: ["Each user with a positive in the chosen part is ranked over every movie, excluding their",
                      "train positives (and validation positives when on=test). lsh=PLANES ranks LSH candidates only."],
            arguments: [ArgumentSpec("NAME", "model name", required: false, variadic: true, completion: .models)],
            options: [OptionSpec("on", "val|test", default: "test", "which part to evaluate on", values: ["val", "test"]),
                      OptionSpec("k", "N", default: "10", "cut-off K"),
                      OptionSpec("lsh", "PLANES", "rank LSH candidates from PLANES hyperplanes instead of all movies")],
            example: "eval gcn on=test k=10", handler: eval),
        CommandSpec(
            name: "compare", group: "Evaluation", synopsis: "compare [NAME ...] [seeds=0,1,2] [on=val|test] [k=10]",
            summary: "Retrain each model with several seeds and tabulate metrics as mean ± std.",
            arguments: [ArgumentSpec("NAME", "model name", required: false, variadic: true, completion: .models)],
            options: [OptionSpec("seeds", "S,S,...", default: "0,1,2", "seeds to train and evaluate with"),
                      OptionSpec("on", "val|test", default: "test", "which part to evaluate on", values: ["val", "test"]),
                      OptionSpec("k", "N", default: "10", "cut-off K")],
            example: "compare gcn pop seeds=0,1,2", handler: compare),
    ]

    static func eval(_ session: inout Session, _ command: ParsedCommand, _ context: Context) throws -> CommandResult {
        throw ShellError.notBuilt("eval")
    }

    static func compare(_ session: inout Session, _ command: ParsedCommand, _ context: Context) throws -> CommandResult {
        throw ShellError.notBuilt("compare")
    }
}
