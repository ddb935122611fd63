import Foundation

/// Several models compared on one data set: either as trained on the
/// current split, or retrained per seed (re-split and refit with that seed)
/// so that each metric comes with its spread over seeds. The best model by
/// mean NDCG is then tested against each other one on per-user NDCG of the
/// first run (paired t-test and sign test), because a difference of means
/// alone says nothing about whether the same users gain.
public enum Experiment {
    /// One model of the comparison: what to (re)fit and under which name.
    public struct Arm: Sendable {
        public var name: String
        public var kind: String
        /// The options as recorded for the trained model (`seed` is replaced per run).
        public var options: [String: String]
    }

    /// One arm's evaluations, one per run (seed), in run order.
    public struct ArmResult: Sendable {
        public var name: String
        public var kind: String
        public var runs: [EvaluationResult]

        /// Mean and sample standard deviation of `metric` over the runs.
        public func summary(_ metric: KeyPath<UserMetrics, Double>) -> (mean: Double, std: Double, values: [Double]) {
            let values = runs.map { $0.mean[keyPath: metric] }
            let (mean, std) = Experiment.meanStd(values)
            return (mean, std, values)
        }
    }

    /// The best arm against another, on per-user NDCG of the first run.
    public struct Comparison: Sendable {
        public var best: String
        public var other: String
        public var test: Significance.PairedTest
    }

    public struct Outcome: Sendable {
        public var arms: [ArmResult]
        /// The seeds retrained with; empty when the models were evaluated as trained.
        public var seeds: [UInt64]
        public var comparisons: [Comparison]
    }

    /// How a seed re-splits the data: the current split's kind and ratios
    /// when it is warm or cold, otherwise warm 80/10/10.
    public static func resplit(like split: Split, positives: [Edge], seed: UInt64) throws -> Split {
        let ratios = split.kind == .warm || split.kind == .cold ? split.ratios : [80, 10, 10]
        return split.kind == .cold
            ? try Split.cold(positives: positives, ratios: ratios, seed: seed)
            : try Split.warm(positives: positives, ratios: ratios, seed: seed)
    }

    /// Evaluates already trained scorers on `split`'s part: one run per arm.
    public static func asTrained(_ arms: [(name: String, kind: String, scorer: any Scorer)], split: Split,
                                 graph: InteractionGraph, on part: Split.Part, k: Int) throws -> Outcome {
        let evaluator = try Evaluator(split: split, graph: graph, on: part, k: k)
        let results = arms.map { ArmResult(name: $0.name, kind: $0.kind, runs: [evaluator.evaluate($0.scorer)]) }
        return Outcome(arms: results, seeds: [], comparisons: comparisons(results))
    }

    /// Re-splits with each seed, refits every arm with `seed=` set to it and
    /// evaluates; the session's own split and models are not touched. Stops
    /// with an error (nothing returned) when `control` asks to stop.
    public static func retrained(_ arms: [Arm], dataset: Dataset, like split: Split, seeds: [UInt64],
                                 on part: Split.Part, k: Int, control: RunControl) throws -> Outcome {
        var results = arms.map { ArmResult(name: $0.name, kind: $0.kind, runs: []) }
        let total = seeds.count * arms.count
        for (si, seed) in seeds.enumerated() {
            let s = try resplit(like: split, positives: dataset.positives, seed: seed)
            let graph = dataset.graph(for: s)
            let evaluator = try Evaluator(split: s, graph: graph, on: part, k: k)
            for (ai, arm) in arms.enumerated() {
                let step = si * arms.count + ai
                if control.shouldStop() { throw RecError("interrupted; nothing changed") }
                control.report(ProgressUpdate(label: "compare", done: step, total: total,
                                              detail: "seed \(seed) \(arm.name)"))
                var options = arm.options
                options["seed"] = String(seed)
                // Training reports its own epochs, prefixed so the bar says which model and seed.
                let prefix = "compare \(arm.name) seed \(seed) (\(step + 1)/\(total)):"
                let inner = RunControl(shouldStop: control.shouldStop, report: { update in
                    control.report(ProgressUpdate(label: prefix + " " + update.label, done: update.done,
                                                  total: update.total, detail: update.detail))
                }, budget: control.budget)
                let fitted = try ModelRegistry.fit(arm.kind, options: options, split: s, graph: graph, control: inner)
                if fitted.history.interrupted { throw RecError("interrupted; nothing changed") }
                results[ai].runs.append(evaluator.evaluate(fitted.scorer))
            }
        }
        return Outcome(arms: results, seeds: seeds, comparisons: comparisons(results))
    }

    /// The arm with the best mean NDCG against each other arm evaluated on the same users.
    static func comparisons(_ arms: [ArmResult]) -> [Comparison] {
        guard arms.count > 1, let best = arms.indices.max(by: { arms[$0].summary(\.ndcg).mean < arms[$1].summary(\.ndcg).mean }),
              let a = arms[best].runs.first else { return [] }
        return arms.indices.compactMap { i in
            guard i != best, let b = arms[i].runs.first, a.userIndices == b.userIndices else { return nil }
            return Comparison(best: arms[best].name, other: arms[i].name,
                              test: Significance.paired(a.perUserNDCG, b.perUserNDCG))
        }
    }

    /// Mean and sample standard deviation (0 for one value).
    public static func meanStd(_ xs: [Double]) -> (mean: Double, std: Double) {
        guard !xs.isEmpty else { return (0, 0) }
        let mean = xs.reduce(0, +) / Double(xs.count)
        guard xs.count > 1 else { return (mean, 0) }
        let ss = xs.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
        return (mean, (ss / Double(xs.count - 1)).squareRoot())
    }
}

extension Experiment.Arm {
    /// Refits `model`'s kind with the options it was trained with, under its name.
    public init(_ model: TrainedModel) { self.init(name: model.name, kind: model.kind, options: model.options) }
}
