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
                      "a model with the same name is replaced. Defaults are the seed study's hyperparameters.",
                      "gcn, gat, lightgcn and mf train by gradient descent: validation NDCG@10 is measured each epoch",
                      "when the split has validation edges, and the best epoch's weights are kept.",
                      "Options are checked per model: gcn takes loss layers hidden dim features ids init preset dropout",
                      "and the training keys (negatives margin lr weight-decay reg epochs batch seed patience holdout",
                      "edge-dropout ema); gat layers hidden dim heads features ids and the training keys; lightgcn",
                      "layers dim and the training keys; mf dim and the training keys; pop seed; itemknn neighbors",
                      "shrink seed; ease lambda seed; svd factors seed; als factors reg alpha iterations seed;",
                      "ncf (NeuMF) loss=bce|bpr factors mlp negatives lr weight-decay batch epochs pretrain seed patience,",
                      "with the paper's defaults (factors 8, mlp 64,32,16,8, 4 negatives, lr 0.001, batch 256, 20 epochs).",
                      "preset=best (gcn) sets \(presetText) (chosen on",
                      "validation NDCG@10 of 'split warm seed=0'); any option you give explicitly overrides it, e.g.",
                      "'train gcn as best preset=best' or 'train gcn preset=best epochs=30 patience=off'."],
            arguments: [ArgumentSpec("MODEL", "model kind", values: modelKinds),
                        ArgumentSpec("as", "the word 'as'", required: false, values: ["as"]),
                        ArgumentSpec("NAME", "name for the trained model", required: false)],
            options: [OptionSpec("loss", (PairwiseLoss.allCases.map(\.rawValue) + ["bce"]).joined(separator: "|"), default: "bpr, ncf bce",
                                 "training loss (softmax: each positive against its n negatives at once; bce: ncf's log loss)",
                                 values: PairwiseLoss.allCases.map(\.rawValue) + ["bce"]),
                      OptionSpec("layers", "N", default: "2", "graph layers"),
                      OptionSpec("hidden", "N", default: "128", "hidden width"),
                      OptionSpec("dim", "N", default: "64", "output embedding width"),
                      OptionSpec("heads", "N", default: "1", "attention heads (gat)"),
                      OptionSpec("negatives", "N", default: "10", "sampled negatives per positive"),
                      OptionSpec("margin", "M", default: "0.01", "margin of the max-margin loss"),
                      OptionSpec("lr", "RATE", default: "0.001", "Adam learning rate"),
                      OptionSpec("weight-decay", "W", default: "0", "Adam weight decay"),
                      OptionSpec("epochs", "N", default: "15", "training epochs"),
                      OptionSpec("batch", "N", default: "1024", "positives per batch"),
                      OptionSpec("seed", "N", default: "0", "random seed (same seed, same model)"),
                      OptionSpec("features", "on|off", default: "on", "use the node features", values: ["on", "off"]),
                      OptionSpec("ids", "on|off", default: "off", "learnable node ID embeddings (off reproduces the seed)",
                                 values: ["on", "off"]),
                      OptionSpec("dropout", "P", default: "0", "gcn: dropout on ID embeddings and hidden layers while training"),
                      OptionSpec("holdout", "on|off", default: "off", "hide each batch's positives from message passing",
                                 values: ["on", "off"]),
                      OptionSpec("edge-dropout", "P", default: "0", "drop this share of edges from message passing per batch"),
                      OptionSpec("ema", "DECAY", default: "0", "validate and keep a moving average of the weights (e.g. 0.99)"),
                      OptionSpec("patience", "N|off", default: "off", "early stop after N epochs without val NDCG gain"),
                      OptionSpec("init", "pyg|glorot", default: "pyg", "gcn weight init (pyg: torch_geometric's defaults, as the reference)",
                                 values: ["glorot", "pyg"]),
                      OptionSpec("preset", "best", default: "none", "gcn: tuned settings in one option (explicit options win)",
                                 values: TrainPreset.allCases.map(\.rawValue)),
                      OptionSpec("lambda", "L", default: "300", "ease: L2 regularisation of the item-item weights"),
                      OptionSpec("factors", "K", default: "svd 20, als 64, ncf 8", "svd/als: latent dimension; ncf: GMF width"),
                      OptionSpec("mlp", "W,W,...", default: "64,32,16,8", "ncf: MLP widths (concatenated embeddings, then the layers)"),
                      OptionSpec("pretrain", "on|off", default: "off", "ncf: train GMF and MLP first, then NeuMF from both",
                                 values: ["on", "off"]),
                      OptionSpec("reg", "R", default: "als 30, others 0",
                                 "L2: als on its factors; gcn(ids=on)/lightgcn/mf on the batch's ID embeddings"),
                      OptionSpec("alpha", "A", default: "3", "als: confidence of a positive, c = 1 + alpha"),
                      OptionSpec("iterations", "N", default: "15", "als: alternating sweeps"),
                      OptionSpec("neighbors", "N", default: "100", "itemknn: similar movies kept per movie"),
                      OptionSpec("shrink", "S", default: "0", "itemknn: added to the cosine denominator")],
            example: "train gcn as gcn-margin loss=margin epochs=15", handler: train),
        CommandSpec(
            name: "models", group: "Models", synopsis: "models",
            summary: "Trained models with their settings and last metrics.",
            example: "models", handler: models),
    ]

    static func train(_ session: inout Session, _ command: ParsedCommand, _ context: Context) throws -> CommandResult {
        let kind = command.argument(0)!
        let name = try modelName(command, kind: kind)
        guard modelKinds.contains(kind) else {
            throw ShellError.message("train: unknown model '\(kind)' (known: \(modelKinds.joined(separator: ", ")))")
        }
        if let reason = ModelFitting.unavailable[kind] { throw ShellError.message("train \(reason)") }
        _ = try session.requireDataset("train")
        let split = try session.requireSplit("train")
        guard let graph = session.graph else { throw ShellError.message("train: no split yet; try 'split warm'") }
        let outcome = try ModelFitting.fit(kind: kind, name: name, options: command.options, split: split,
                                           graph: graph, control: context.run)
        session.store(outcome.model)
        return trainResult(outcome)
    }

    /// `train KIND`, `train KIND as NAME`; anything else is an error naming the usage.
    static func modelName(_ command: ParsedCommand, kind: String) throws -> String {
        let usage = "train MODEL [as NAME] [key=value ...]"
        switch command.arguments.count {
        case 1: return kind
        case 3 where command.arguments[1] == "as":
            let name = command.arguments[2]
            guard name.first?.isLetter == true, name.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }) else {
                throw ShellError.message("train: model name '\(name)' must start with a letter and use letters, digits, - _ .")
            }
            return name
        case 2 where command.arguments[1] == "as":
            throw ShellError.missingArgument(command: "train", argument: "NAME", usage: usage)
        default:
            throw ShellError.unexpectedArgument(command: "train", argument: command.arguments[1],
                                                column: command.argumentColumns[1], usage: usage)
        }
    }

    /// `preset=best` for gcn as `key=value` text, for the help.
    static var presetText: String {
        (TrainPreset.best.options(for: "gcn") ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
            .joined(separator: " ")
    }

    static func trainResult(_ outcome: ModelFitting.Outcome) -> CommandResult {
        let model = outcome.model, h = model.history
        let epochs = h.epochs
        let perEpoch = epochs > 0 ? h.totalSeconds / Double(epochs) : 0
        var blocks: [CommandResult.Block] = []
        if !h.loss.isEmpty {
            let rows: [[Value]] = (0..<epochs).map { e in
                let mark = e + 1 == h.bestEpoch && !h.validationNDCG.isEmpty ? "*" : ""
                return [.int(e + 1), .double(h.loss[e]),
                        e < h.validationNDCG.count ? .double(h.validationNDCG[e]) : .null,
                        .double(e < h.epochSeconds.count ? h.epochSeconds[e] : 0), .string(mark)]
            }
            blocks.append(.table(Table(
                name: "epochs", title: "\(model.name) (\(model.kind)): training",
                columns: [.init("epoch", .integer), .init("loss", .number(decimals: 4)),
                          .init("val ndcg@10", .number(decimals: 4)), .init("seconds", .number(decimals: 2)),
                          .init("kept")],
                rows: rows)))
        }
        var fields: [(String, Value)] = [
            ("model", .string(model.name)), ("kind", .string(model.kind)), ("epochs", .int(epochs)),
            ("seconds", .double(outcome.seconds)), ("seconds_per_epoch", .double(perEpoch)),
            ("final_loss", h.loss.last.map(Value.double) ?? .null),
            ("val", outcome.validation.map { metricsValue($0.mean.named) } ?? .null),
            ("best_epoch", .int(h.bestEpoch)), ("stopped_early", .bool(h.stoppedEarly)),
            ("interrupted", .bool(h.interrupted)),
            ("options", .object(model.options.keys.sorted().map { ($0, .string(model.options[$0]!)) })),
        ]
        var shown: [(String, Value)] = [
            ("model", .string(model.name)), ("kind", .string(model.kind)), ("epochs", .int(epochs)),
            ("seconds", .string(Value.fixed(outcome.seconds, decimals: 2))),
            ("seconds/epoch", .string(Value.fixed(perEpoch, decimals: 3))),
        ]
        if let v = outcome.validation {
            shown.append(("val@10", .string("P \(Value.fixed(v.precision, decimals: 4))  R \(Value.fixed(v.recall, decimals: 4))"
                + "  NDCG \(Value.fixed(v.ndcg, decimals: 4))  MRR \(Value.fixed(v.mrr, decimals: 4))")))
        }
        blocks.append(.fields(shown))
        var notes: [String] = []
        if h.interrupted {
            notes.append("interrupted at epoch \(epochs + 1); kept epoch \(h.bestEpoch)")
        } else if h.stoppedEarly {
            notes.append("stopped early at epoch \(epochs) (patience); kept epoch \(h.bestEpoch)")
        }
        if h.interrupted { fields.append(("note", .string(notes[0]))) }
        return CommandResult(command: "train", blocks: blocks, payload: fields, notes: notes,
                             hints: ["eval \(model.name)", "recommend 1 model=\(model.name)", "plot loss model=\(model.name)"])
    }

    /// A metrics dictionary as a JSON object in a fixed key order.
    static func metricsValue(_ m: [String: Double]) -> Value {
        .object(metricNames.compactMap { key in m[key].map { (key, .double($0)) } })
    }

    static let metricNames = ["precision", "recall", "ndcg", "mrr", "mrr_full", "hit_rate", "map"]

    static func models(_ session: inout Session, _ command: ParsedCommand, _ context: Context) throws -> CommandResult {
        guard !session.models.isEmpty else {
            return CommandResult(command: "models", payload: [("models", .array([]))],
                                 notes: ["no trained models yet"], hints: ["train gcn"])
        }
        var rows: [[Value]] = []
        var objects: [Value] = []
        for m in session.models {
            let defaults = ModelFitting.defaults(for: m.kind)
            let changed = m.options.keys.sorted().filter { defaults[$0] != m.options[$0] }
            let settings = changed.isEmpty ? "defaults" : changed.map { "\($0)=\(m.options[$0]!)" }.joined(separator: " ")
            let metric: (String) -> Value = { m.lastMetrics[$0].map(Value.double) ?? .null }
            rows.append([.string(m.name), .string(m.kind), .string(settings), .int(m.history.epochs),
                         .double(m.history.totalSeconds), .string(m.lastMetricsOn ?? ""),
                         metric("precision"), metric("recall"), metric("ndcg"), metric("mrr")])
            objects.append(.object([
                ("name", .string(m.name)), ("kind", .string(m.kind)),
                ("options", .object(m.options.keys.sorted().map { ($0, .string(m.options[$0]!)) })),
                ("epochs", .int(m.history.epochs)), ("best_epoch", .int(m.history.bestEpoch)),
                ("seconds", .double(m.history.totalSeconds)),
                ("on", m.lastMetricsOn.map(Value.string) ?? .null),
                ("metrics", m.lastMetrics.isEmpty ? .null : metricsValue(m.lastMetrics)),
            ]))
        }
        let table = Table(name: "models", title: "trained models",
                          columns: [.init("name"), .init("kind"), .init("settings (non-default)"),
                                    .init("epochs", .integer), .init("train s", .number(decimals: 2)),
                                    .init("metrics on"), .init("P", .number(decimals: 4)), .init("R", .number(decimals: 4)),
                                    .init("NDCG", .number(decimals: 4)), .init("MRR", .number(decimals: 4))],
                          rows: rows)
        return CommandResult(command: "models", blocks: [.table(table)], payload: [("models", .array(objects))])
    }
}
