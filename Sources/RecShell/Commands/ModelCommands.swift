import GraphRec

/// Training models and listing them.
public enum ModelCommands {
    /// Every model kind `train` accepts.
    public static let modelKinds = ["gcn", "gat", "lightgcn", "mf", "ncf", "als", "svd", "pop", "itemknn", "ease"]

    public static let specs: [CommandSpec] = [
        CommandSpec(
            name: "train", group: "Models", synopsis: "train MODEL [as NAME] [key=value ...]",
            summary: "Train a model on the split's train graph; Ctrl-C stops and keeps the best model so far.",
            details: ["MODEL is one of \(modelKinds.joined(separator: ", ")). 'as NAME' names it (default: MODEL);",
                      "a model with the same name is replaced. Defaults are the seed study's hyperparameters."],
            arguments: [ArgumentSpec("MODEL", "model kind", values: modelKinds),
                        ArgumentSpec("as", "the word 'as'", required: false, values: ["as"]),
                        ArgumentSpec("NAME", "name for the trained model", required: false)],
            options: [OptionSpec("loss", "bpr|margin", default: "bpr", "training loss", values: ["bpr", "margin"]),
                      OptionSpec("layers", "N", default: "2", "graph layers"),
                      OptionSpec("hidden", "N", default: "128", "hidden width"),
                      OptionSpec("dim", "N", default: "64", "output embedding width"),
                      OptionSpec("heads", "N", default: "1", "attention heads (gat)"),
                      OptionSpec("negatives", "N", default: "10", "sampled negatives per positive"),
                      OptionSpec("margin", "M", default: "0.01", "margin of the max-margin loss"),
                      OptionSpec("lr", "RATE", default: "0.001", "Adam learning rate"),
                      OptionSpec("epochs", "N", default: "15", "training epochs"),
                      OptionSpec("batch", "N", default: "1024", "positives per batch"),
                      OptionSpec("seed", "N", default: "0", "random seed (same seed, same model)"),
                      OptionSpec("features", "on|off", default: "on", "use the node features", values: ["on", "off"]),
                      OptionSpec("ids", "on|off", default: "off", "learnable node ID embeddings (off reproduces the seed)",
                                 values: ["on", "off"]),
                      OptionSpec("patience", "N", default: "off", "early stop after N epochs without val NDCG gain")],
            example: "train gcn as gcn-margin loss=margin epochs=15", handler: train),
        CommandSpec(
            name: "models", group: "Models", synopsis: "models",
            summary: "Trained models with their settings and last metrics.",
            example: "models", handler: models),
    ]

    static func train(_ session: inout Session, _ command: ParsedCommand, _ context: Context) throws -> CommandResult {
        throw ShellError.notBuilt("train")
    }

    static func models(_ session: inout Session, _ command: ParsedCommand, _ context: Context) throws -> CommandResult {
        throw ShellError.notBuilt("models")
    }
}
