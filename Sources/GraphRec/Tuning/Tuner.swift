import Foundation
import Synchronization
import Tensors

/// What to search: a model kind, the options held fixed, the budget and the seed.
public struct TuneRequest: Sendable {
    public var kind: String
    /// Options as typed (`preset=` included); these stay fixed, every other searched option varies.
    public var fixed: [String: String]
    /// Where the search starts for options it varies (a user's preset); `fixed` wins over it.
    public var start: [String: String]
    /// At most this many trials.
    public var trials: Int
    /// No trial starts after this many minutes, and the running one stops there (keeping its best epoch).
    public var minutes: Double?
    /// Seed of the proposals; the models train with the kind's `seed` option (fixed, default 0).
    public var seed: UInt64
    /// Epochs a trial runs before the median rule may stop it.
    public var grace: Int

    public init(kind: String, fixed: [String: String] = [:], start: [String: String] = [:], trials: Int = 20,
                minutes: Double? = nil, seed: UInt64 = 0, grace: Int = 3) {
        self.kind = kind
        self.fixed = fixed
        self.start = start
        self.trials = trials
        self.minutes = minutes
        self.seed = seed
        self.grace = grace
    }
}

/// One configuration tried, and how it did on validation.
public struct TuneTrial: Sendable {
    public enum Outcome: Sendable, Equatable {
        /// Ran every epoch it was given.
        case completed
        /// Stopped by `patience` (no validation gain).
        case stoppedEarly
        /// Stopped by the median rule: below the median of the earlier trials at the same epoch.
        case pruned
        /// Stopped by the time budget.
        case outOfTime
        /// Stopped by the user (Ctrl-C).
        case interrupted
        /// Could not train (the reason).
        case failed(String)

        public var word: String {
            switch self {
            case .completed: "completed"
            case .stoppedEarly: "patience"
            case .pruned: "pruned"
            case .outOfTime: "time"
            case .interrupted: "interrupted"
            case .failed: "failed"
            }
        }
    }

    /// 1-based.
    public var number: Int
    /// Every option of the trial, typed (the fixed ones included).
    public var options: ModelOptions
    /// The searched options' values, in the space's order.
    public var searched: [(name: String, value: OptionValue)]
    /// Best validation NDCG@10 over its epochs; nil when it failed.
    public var ndcg: Double?
    /// Each epoch's validation NDCG@10 (one value for a kind without epochs).
    public var curve: [Double]
    public var epochs: Int
    public var bestEpoch: Int
    public var seconds: Double
    public var outcome: Outcome
}

/// What a search found: every trial in order, the best one and its model.
public struct TuneResult {
    public var kind: String
    public var trials: [TuneTrial]
    /// Index into `trials` of the best validation NDCG@10 (the earliest on ties).
    public var bestIndex: Int?
    /// The best trial's fitted model (its options as trained).
    public var best: ModelRegistry.Fitted?
    public var space: SearchSpace
    public var validationSource: ModelRegistry.ValidationSource
    /// Why the search ended: "trials", "minutes" or "interrupted".
    public var stoppedBy: String
    public var seconds: Double

    public var bestTrial: TuneTrial? { bestIndex.map { trials[$0] } }
}

/// A seeded search over the options a model kind declares, scored on
/// validation NDCG@10.
///
/// The first trials are the starting points (`startingPoints`): the kind's
/// built-in `best` preset where it has one, then the options as given. They
/// run to the end, so the search never reports worse than either. After
/// them, two of every three trials change one or two options of the best
/// trial so far by a step (only options that matter there) and the third
/// draws every searched option at random on its declared scale: local steps
/// refine the best from the start while the draws keep looking elsewhere.
/// Other trials stop early by `patience`, when clearly worse than the
/// leader (`isClearlyWorse`, from epoch 2) and by the median rule: after
/// `grace` epochs, a trial whose best NDCG is below the median of the
/// earlier trials' best at the same epoch stops. Proposals depend only on
/// the seed and earlier trials' scores, and training is seeded, so the same
/// request gives the same trials; a time budget only decides how many run.
public enum Tuner {
    /// Options a trial of a kind trained by epochs gets unless the user gives them:
    /// long enough to converge, stopped by patience.
    public static let epochDefaults = ["epochs": "60", "patience": "5"]

    /// Runs the search on `graph`, the train graph of `split`. `onTrial` sees
    /// each trial as it finishes. Ctrl-C (`control.shouldStop`) ends the
    /// search with the best trial so far. Errors are the request's (an
    /// unknown kind or option, no validation to search on); a trial that
    /// cannot train is recorded as failed and the search goes on.
    public static func run(_ request: TuneRequest, split: Split, graph: InteractionGraph,
                           control: RunControl = .silent, clock: @escaping @Sendable () -> Double = Tuner.wallClock,
                           onTrial: (TuneTrial) -> Void = { _ in }) throws -> TuneResult {
        let kind = try ModelRegistry.kind(request.kind)
        guard request.trials >= 1 else { throw RecError("trials: expected at least 1") }
        var base = request.start.merging(request.fixed) { $1 }
        let presetKeys = Set(try ModelRegistry.options(request.kind, text: base).changed.map(\.name))
        if kind.capabilities.lossCurve {
            for (key, value) in epochDefaults where base[key] == nil && !presetKeys.contains(key)
                && kind.options.contains(where: { $0.name == key }) {
                base[key] = value
            }
        }
        let baseOptions = try ModelRegistry.options(request.kind, text: base)
        let starts = try startingPoints(request, kind: kind, base: baseOptions)
        let space = SearchSpace(kind: kind, fixed: Set(request.fixed.keys).subtracting(["preset"]))
        let plan = try ModelRegistry.ValidationPlan(kind: kind, options: baseOptions, split: split, graph: graph,
                                                    carveAlways: true)
        guard let score = plan.score else {
            throw RecError("no validation edges to search on, and train is too small to carve \(ModelRegistry.carvedPercent)% out")
        }

        let started = clock()
        let timeUp: @Sendable () -> Bool = {
            guard let minutes = request.minutes else { return false }
            return clock() - started >= minutes * 60
        }
        var rng = SeededGenerator(seed: request.seed, stream: "tune.proposals")
        var result = TuneResult(kind: request.kind, trials: [], bestIndex: nil, best: nil, space: space,
                                validationSource: plan.source, stoppedBy: "trials", seconds: 0)
        var tried: [ModelOptions] = []
        while result.trials.count < request.trials {
            if control.shouldStop() { result.stoppedBy = "interrupted"; break }
            if timeUp() { result.stoppedBy = "minutes"; break }
            let number = result.trials.count + 1
            let options = propose(number: number, starts: starts, base: baseOptions, space: space,
                                  best: result.bestTrial?.options, tried: tried, using: &rng)
            tried.append(options)
            let trial = runTrial(number, kind: kind, options: options, space: space, plan: plan, score: score,
                                 graph: graph, control: control, earlier: result.trials,
                                 grace: number <= starts.count ? nil : request.grace,
                                 timeUp: timeUp, clock: clock, keep: { fitted, trial in
                                     if result.bestTrial.map({ (trial.ndcg ?? -1) > ($0.ndcg ?? -1) }) ?? (trial.ndcg != nil) {
                                         result.best = fitted
                                         result.bestIndex = result.trials.count
                                     }
                                 })
            tried.append(trial.options)
            result.trials.append(trial)
            onTrial(trial)
            if trial.outcome == .interrupted { result.stoppedBy = "interrupted"; break }
            if trial.outcome == .outOfTime { result.stoppedBy = "minutes"; break }
        }
        result.seconds = clock() - started
        return result
    }

    public static let wallClock: @Sendable () -> Double = { Date().timeIntervalSinceReferenceDate }

    /// Where the search starts: the kind's built-in `best` preset with the
    /// options the user fixed on top, when the kind has one and the user
    /// chose no preset, then `base` (the options as given). Tuning from the
    /// defaults thus also retrains the settings known to work, and the winner
    /// is never below them.
    static func startingPoints(_ request: TuneRequest, kind: any ModelKind.Type, base: ModelOptions) throws -> [ModelOptions] {
        guard request.start.isEmpty, request.fixed["preset"] == nil, TrainPreset.best.options(for: kind.name) != nil else {
            return [base]
        }
        let preset = try ModelRegistry.options(request.kind, text: request.fixed.merging(["preset": "best"]) { $1 })
        return preset == base ? [base] : [preset, base]
    }

    /// The options of trial `number`: the starting points first; after them,
    /// of every three trials the first two step from the best so far (one or
    /// two of the options that matter there) and the third is a random draw
    /// from `base`. A proposal whose searched options equal an earlier
    /// trial's (as proposed or as trained) is drawn again (a few times).
    static func propose(number: Int, starts: [ModelOptions], base: ModelOptions, space: SearchSpace, best: ModelOptions?,
                        tried: [ModelOptions], using rng: inout SeededGenerator) -> ModelOptions {
        if number <= starts.count { return starts[number - 1] }
        if space.dimensions.isEmpty { return base }
        let local = (number - starts.count) % 3 != 0
        let dimensions = best.map(space.relevant) ?? []
        var candidate = base
        for _ in 0..<20 {
            candidate = base
            if local, let best, !dimensions.isEmpty {
                candidate = best
                let steps = 1 + rng.nextInt(below: min(2, dimensions.count))
                var order = Array(dimensions.indices)
                rng.shuffle(&order)
                for i in order.prefix(steps) {
                    let d = dimensions[i]
                    candidate[d.option.name] = d.neighbour(of: best[d.option.name] ?? d.option.defaultValue, using: &rng)
                }
            } else {
                for d in space.dimensions { candidate[d.option.name] = d.sample(using: &rng) }
            }
            if !tried.contains(where: { space.same($0, candidate) }) { break }
        }
        return candidate
    }

    /// Per-trial state the trainer's callbacks share: the validation curve
    /// and whether the median rule stopped it.
    final class Monitor: Sendable {
        private let state = Mutex<(curve: [Double], pruned: Bool)>(([], false))
        var curve: [Double] { state.withLock { $0.curve } }
        var pruned: Bool { state.withLock { $0.pruned } }
        func record(_ ndcg: Double, prune: ([Double]) -> Bool) {
            state.withLock { s in
                s.curve.append(ndcg)
                if prune(s.curve) { s.pruned = true }
            }
        }
    }

    static func runTrial(_ number: Int, kind: any ModelKind.Type, options: ModelOptions, space: SearchSpace,
                         plan: ModelRegistry.ValidationPlan, score: @escaping (any Scorer) -> Double,
                         graph: InteractionGraph, control: RunControl, earlier: [TuneTrial], grace: Int?,
                         timeUp: @escaping @Sendable () -> Bool, clock: () -> Double,
                         keep: (ModelRegistry.Fitted, TuneTrial) -> Void) -> TuneTrial {
        let started = clock()
        let searched = space.dimensions.map { ($0.option.name, options[$0.option.name] ?? $0.option.defaultValue) }
        var trial = TuneTrial(number: number, options: options, searched: searched, ndcg: nil, curve: [], epochs: 0,
                              bestEpoch: 0, seconds: 0, outcome: .completed)
        let monitor = Monitor()
        let curves = earlier.map(\.curve).filter { !$0.isEmpty }
        let trialControl = RunControl(shouldStop: { control.shouldStop() || timeUp() || monitor.pruned },
                                      report: control.report, budget: control.budget, log: control.log)
        do {
            try TrainingCost.check(kind: kind.name, options: OptionValues(options.text), graph: plan.trainGraph,
                                   budget: control.budget)
            let fitted = try ModelRegistry.fit(kind, options: options, plan: plan, graph: graph, control: trialControl,
                                               onEpoch: { ndcg in
                                                   monitor.record(ndcg) { curve in
                                                       guard let grace else { return false }
                                                       return isClearlyWorse(curve, earlier: curves)
                                                           || shouldPrune(curve, earlier: curves, grace: grace)
                                                   }
                                               })
            let h = fitted.history
            // A kind that trains by epochs without validating each one (ALS) is scored once, at the end,
            // on the graph it trained on: a scorer on the whole train graph would see a carved share's
            // positives (ALS solves its user factors from them).
            let trained = plan.trainGraph.edgeCount == graph.edgeCount ? fitted.scorer
                : ColdStart.scorer(fitted.recommender, graph: plan.trainGraph)
            trial.curve = kind.capabilities.lossCurve && !monitor.curve.isEmpty ? monitor.curve : [score(trained)]
            trial.ndcg = trial.curve.max()
            trial.epochs = h.epochs
            trial.bestEpoch = h.bestEpoch
            trial.options = fitted.options
            if h.interrupted {
                trial.outcome = control.shouldStop() ? .interrupted : monitor.pruned ? .pruned : .outOfTime
            } else if h.stoppedEarly {
                trial.outcome = .stoppedEarly
            }
            trial.seconds = clock() - started
            if trial.ndcg != nil { keep(fitted, trial) }
        } catch let error as RecError {
            trial.outcome = control.shouldStop() ? .interrupted : timeUp() ? .outOfTime : .failed(error.message)
        } catch {
            trial.outcome = .failed("\(error)")
        }
        trial.seconds = clock() - started
        return trial
    }

    /// The median stopping rule: after `grace` epochs, stop when the trial's
    /// best so far is below the median of the earlier trials' best up to the
    /// same epoch (a trial that ended sooner counts with its final best).
    /// Needs at least three earlier curves to judge.
    /// A trial's best so far under this share of the leader's best by the same epoch is clearly worse.
    public static let clearlyWorseShare = 0.8

    /// The early stop for a curve far below the leader: from epoch 2, when
    /// the trial's best so far is under `clearlyWorseShare` of what the
    /// leader (the earlier trial with the best NDCG) reached by the same
    /// epoch. Not the best of every earlier trial there: a fast starter that
    /// ended lower (no holdout, no weight average) would stop the slow
    /// starters the leader is one of. One earlier curve is enough; a slow
    /// start that is merely below the median waits for the median rule.
    static func isClearlyWorse(_ curve: [Double], earlier: [[Double]]) -> Bool {
        guard curve.count >= 2, let mine = curve.max(),
              let leader = earlier.max(by: { ($0.max() ?? 0) < ($1.max() ?? 0) }),
              let bySameEpoch = leader.prefix(curve.count).max() else { return false }
        return mine < clearlyWorseShare * bySameEpoch
    }

    static func shouldPrune(_ curve: [Double], earlier: [[Double]], grace: Int) -> Bool {
        guard curve.count >= grace, earlier.count >= 3, let mine = curve.max() else { return false }
        let others = earlier.map { $0.prefix(curve.count).max() ?? 0 }.sorted()
        let n = others.count
        let median = n % 2 == 1 ? others[n / 2] : (others[n / 2 - 1] + others[n / 2]) / 2
        return mine < median
    }
}
