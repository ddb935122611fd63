import Foundation
import GraphRec

/// Fits a model of any kind `train` knows on a split's train graph: the one
/// path that `train`, `compare seeds=` and `bench` share.
///
/// Gradient-trained kinds go through the engine's `Trainer` (validation
/// NDCG@10 each epoch when the split has validation edges, best epoch kept);
/// closed-form kinds through `Baselines.fit`. Either way the result holds
/// embeddings computed once on the train graph and, when a validation part
/// exists, the full validation metrics of the kept weights.
enum ModelFitting {
    /// A gradient-trained kind: the option keys it reads and how to build it.
    struct Neural: Sendable {
        /// Keys this kind accepts (the trainer's keys plus the architecture's).
        let keys: [String]
        let train: @Sendable (InteractionGraph, TrainOptions, Trainer) throws -> (any Recommender, TrainingHistory)

        init<M: TrainableModel>(architecture: [String], _ make: @escaping @Sendable (InteractionGraph, TrainOptions) -> M) {
            keys = Neural.trainerKeys + architecture
            train = { graph, options, trainer in
                var model = make(graph, options)
                let history = try trainer.train(&model, on: graph)
                return (model, history)
            }
        }

        /// What every gradient-trained kind accepts.
        static let trainerKeys = ["loss", "negatives", "margin", "lr", "weight-decay", "epochs", "batch", "seed",
                                  "patience", "reg", "holdout", "edge-dropout", "ema"]
    }

    /// The gradient-trained kinds. Adding one is one line.
    static let neural: [String: Neural] = [
        "gcn": Neural(architecture: ["layers", "hidden", "dim", "features", "ids", "init", "preset", "dropout"]) { GCN(graph: $0, options: $1) },
        "lightgcn": Neural(architecture: ["layers", "dim"]) { LightGCN(graph: $0, options: $1) },
        "mf": Neural(architecture: ["dim"]) { MatrixFactorization(graph: $0, options: $1) },
        "gat": Neural(architecture: ["layers", "hidden", "dim", "heads", "features", "ids"]) { GAT(graph: $0, options: $1) },
    ]

    /// Kinds `train` names but this build cannot fit, with the reason.
    static let unavailable: [String: String] = [:]

    /// The option keys `kind` accepts, or nil for a kind that cannot be fitted.
    static func keys(for kind: String) -> [String]? {
        if let n = neural[kind] { return n.keys }
        if kind == "ncf" { return NCFOptions.declared.map(\.key) }
        return Baselines.options(for: kind)?.map(\.key)
    }

    /// Defaults of `kind`'s options, as text (for `models` and saved records).
    static func defaults(for kind: String) -> [String: String] {
        if let n = neural[kind] {
            return TrainOptions().asDictionary.filter { n.keys.contains($0.key) }
        }
        var d: [String: String] = [:]
        for o in (kind == "ncf" ? NCFOptions.declared : Baselines.options(for: kind) ?? []) { d[o.key] = o.defaultValue }
        return d
    }

    struct Outcome {
        var model: TrainedModel
        /// Validation metrics (K = 10) of the kept weights; nil without validation edges.
        var validation: EvaluationResult?
        /// Wall time of the whole fit: training, validation and embedding.
        var seconds: Double
    }

    /// Trains `kind` as `name` on `graph` (the train graph of `split`).
    static func fit(kind: String, name: String, options: OptionValues, split: Split, graph: InteractionGraph,
                    control: RunControl) throws -> Outcome {
        if let reason = unavailable[kind] { throw ShellError.message("train \(reason)") }
        try TrainingCost.check(kind: kind, options: options, graph: graph, budget: control.budget)
        let started = Date()
        let validator = try Evaluator(split: split, graph: graph, on: .validation, k: 10)
        let hasValidation = !validator.set.users.isEmpty
        let fitted: (recommender: any Recommender, history: TrainingHistory)
        var recorded: [String: String]
        if let n = neural[kind] {
            try options.checkKnown(n.keys, command: "train \(kind)")
            let options = try TrainPreset.expand(options, kind: kind, command: "train \(kind)")
            let trainOptions = try TrainOptions(options, command: "train \(kind)")
            if trainOptions.patience != nil && !hasValidation {
                throw ShellError.message("train \(kind): patience= needs validation edges; this split has none (try 'split warm')")
            }
            var trainer = Trainer(options: trainOptions, control: control)
            if hasValidation { trainer.validation = { validator.evaluate($0).ndcg } }
            fitted = try n.train(graph, trainOptions, trainer)
            recorded = trainOptions.asDictionary.filter { n.keys.contains($0.key) }
        } else if kind == "ncf" {
            let ncfOptions = try NCFOptions(options)
            if ncfOptions.patience != nil && !hasValidation {
                throw ShellError.message("train ncf: patience= needs validation edges; this split has none (try 'split warm')")
            }
            let fit = try NCF.fit(graph: graph, options: ncfOptions, control: control,
                                  validation: hasValidation ? { validator.evaluate($0).ndcg } : nil)
            fitted = (fit.model, fit.history)
            recorded = ncfOptions.asDictionary
        } else if let declared = Baselines.options(for: kind) {
            fitted = try Baselines.fit(kind, graph: graph, options: options, control: control)
            recorded = options.values
            for o in declared where recorded[o.key] == nil { recorded[o.key] = o.defaultValue }
        } else {
            let known = ModelCommands.modelKinds.joined(separator: ", ")
            throw ShellError.message("train: unknown model '\(kind)' (known: \(known))")
        }
        let (recommender, history) = fitted
        if history.interrupted && history.epochs == 0 {
            throw ShellError.message("train \(kind): interrupted before the first epoch finished; nothing kept")
        }
        let scorer = recommender.scorer(graph)
        let validation = hasValidation ? validator.evaluate(scorer) : nil
        let model = TrainedModel(name: name, recommender: recommender, options: recorded, history: history,
                                 scorer: scorer, lastMetrics: validation?.mean.named ?? [:],
                                 lastMetricsOn: validation == nil ? nil : "val@10")
        return Outcome(model: model, validation: validation, seconds: Date().timeIntervalSince(started))
    }
}
