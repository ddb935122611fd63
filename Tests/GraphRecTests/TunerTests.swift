import Synchronization
import Testing
import Tensors
@testable import GraphRec

/// The search behind `tune`: seeded proposals over the declared search
/// ranges, the trial budget, the kept winner, Ctrl-C and the median rule.
@Suite struct TunerTests {
    let graph = TinyGraph.make(users: 30, movies: 20)

    /// A warm split of the tiny graph and its train graph.
    func warm() throws -> (Split, InteractionGraph) {
        let split = try Split.warm(positives: graph.edges, seed: 0)
        let train = InteractionGraph(userCount: graph.userCount, movieCount: graph.movieCount, edges: split.train,
                                     userFeatures: graph.userFeatures, movieFeatures: graph.movieFeatures)
        return (split, train)
    }

    /// LightGCN kept small and short so a trial takes a moment.
    func request(trials: Int, seed: UInt64 = 0, minutes: Double? = nil) -> TuneRequest {
        TuneRequest(kind: "lightgcn", fixed: ["epochs": "3", "batch": "64", "negatives": "3"], trials: trials,
                    minutes: minutes, seed: seed)
    }

    @Test func theSameSeedGivesTheSameTrialsAndAnotherSeedOthers() throws {
        let (split, train) = try warm()
        let a = try Tuner.run(request(trials: 4), split: split, graph: train)
        let b = try Tuner.run(request(trials: 4), split: split, graph: train)
        #expect(a.trials.map(\.options) == b.trials.map(\.options))
        #expect(a.trials.map(\.curve) == b.trials.map(\.curve))
        #expect(a.bestIndex == b.bestIndex)
        let c = try Tuner.run(request(trials: 4, seed: 1), split: split, graph: train)
        #expect(c.trials.dropFirst().map(\.options) != a.trials.dropFirst().map(\.options))
    }

    @Test func theTrialBudgetIsRespectedAndTrialOneIsTheOptionsAsGiven() throws {
        let (split, train) = try warm()
        let result = try Tuner.run(request(trials: 3), split: split, graph: train)
        #expect(result.trials.count == 3 && result.stoppedBy == "trials")
        #expect(result.trials.map(\.number) == [1, 2, 3])
        let first = result.trials[0].options
        #expect(first["lr"] == .number(0.001) && first["dim"] == .int(64) && first["epochs"] == .int(3))
        #expect(first["patience"] == .int(5))    // the search's default for kinds trained by epochs
        // Fixed options stay fixed in every trial; searched ones are within their declared search range.
        for t in result.trials {
            #expect(t.options["epochs"] == .int(3) && t.options["batch"] == .int(64))
            #expect(!t.searched.contains { $0.name == "epochs" || $0.name == "batch" || $0.name == "seed" })
            if case .number(let lr)? = t.options["lr"] { #expect((0.0001...0.01).contains(lr)) }
            if case .int(let layers)? = t.options["layers"] { #expect((1...3).contains(layers)) }
        }
    }

    @Test func theWinnerIsTheBestTrialWithItsOptions() throws {
        let (split, train) = try warm()
        let result = try Tuner.run(request(trials: 4), split: split, graph: train)
        let best = try #require(result.bestTrial)
        let fitted = try #require(result.best)
        let scores = result.trials.compactMap(\.ndcg)
        #expect(best.ndcg == scores.max())
        #expect(result.trials.firstIndex { $0.ndcg == scores.max() } == result.bestIndex)
        #expect(fitted.options == best.options)
        #expect(fitted.history.validationNDCG.max() == best.ndcg)
    }

    @Test func aTimeBudgetStopsTheSearchWithTheBestSoFar() throws {
        let (split, train) = try warm()
        // A clock that moves ten minutes as each trial ends: two trials start within 15 minutes, no third.
        let ticks = Mutex(0.0)
        let clock: @Sendable () -> Double = { ticks.withLock { $0 } }
        let result = try Tuner.run(request(trials: 10, minutes: 15), split: split, graph: train, clock: clock,
                                   onTrial: { _ in ticks.withLock { $0 += 600 } })
        #expect(result.trials.count == 2 && result.stoppedBy == "minutes")
        #expect(result.best != nil)
    }

    @Test func ctrlCDuringATrialKeepsTheBestSoFar() throws {
        let (split, train) = try warm()
        // Stop a few batches into the third trial, as Ctrl-C would.
        let state = Mutex((finished: 0, batches: 0))
        let control = RunControl(shouldStop: { state.withLock { $0.finished >= 2 && $0.batches >= 3 } },
                                 report: { _ in state.withLock { if $0.finished >= 2 { $0.batches += 1 } } })
        var seen: [TuneTrial] = []
        let result = try Tuner.run(request(trials: 6), split: split, graph: train, control: control, onTrial: { trial in
            seen.append(trial)
            state.withLock { $0.finished += 1 }
        })
        #expect(result.stoppedBy == "interrupted")
        #expect(result.trials.count == 3 && seen.count == 3)
        #expect(result.trials.last?.outcome == .interrupted)
        let best = try #require(result.bestTrial)
        #expect(best.ndcg == result.trials.compactMap(\.ndcg).max())
        #expect(result.best?.options == best.options)
    }

    @Test func kindsWithoutEpochsSearchOnACarvedShareWhenTheSplitHasNoValidation() throws {
        let split = Split(kind: .official("u1"), ratios: [], seed: 0, train: graph.edges, validation: [],
                          test: [Edge(0, 1)])
        let result = try Tuner.run(TuneRequest(kind: "ease", trials: 3), split: split, graph: graph)
        #expect(result.validationSource == .carved(percent: ModelRegistry.carvedPercent, seed: 0))
        #expect(result.space.names == ["lambda"])
        #expect(result.trials.count == 3 && result.trials.allSatisfy { $0.ndcg != nil && $0.curve.count == 1 })
        #expect(result.trials[0].options["lambda"] == .number(300))
    }

    /// ALS trains by sweeps with a loss per sweep but validates only the result.
    @Test func alsIsScoredOnceAtTheEnd() throws {
        let (split, train) = try warm()
        let result = try Tuner.run(TuneRequest(kind: "als", fixed: ["iterations": "2", "factors": "4"], trials: 2),
                                   split: split, graph: train)
        #expect(result.trials.count == 2 && result.trials.allSatisfy { $0.ndcg != nil && $0.curve.count == 1 })
    }

    /// Without validation edges a trial is scored on a carved share the model must not see: ALS solves its
    /// user factors from the graph it scores on, so scoring on the whole train graph would rank the carved
    /// positives from themselves.
    @Test func aCarvedShareIsScoredOnTheGraphTheTrialTrainedOn() throws {
        let split = Split(kind: .official("u1"), ratios: [], seed: 0, train: graph.edges, validation: [], test: [Edge(0, 1)])
        let options = ["iterations": "3", "factors": "8"]
        let result = try Tuner.run(TuneRequest(kind: "als", fixed: options, trials: 1), split: split, graph: graph)
        let plan = try ModelRegistry.ValidationPlan(kind: ALS.self, options: try ALS.parse(options), split: split, graph: graph,
                                                    carveAlways: true)
        let fitted = try ModelRegistry.fit(ALS.self, options: try ALS.parse(options), plan: plan, graph: graph)
        let score = try #require(plan.score)
        let honest = score(ColdStart.scorer(fitted.recommender, graph: plan.trainGraph))
        #expect(result.trials[0].ndcg == honest)
        #expect(score(fitted.scorer) > honest)      // the whole train graph holds the carved positives
    }

    @Test func errorsOfTheRequestAreErrors() throws {
        let (split, train) = try warm()
        #expect(throws: RecError.self) { try Tuner.run(TuneRequest(kind: "nope"), split: split, graph: train) }
        #expect(throws: RecError.self) {
            try Tuner.run(TuneRequest(kind: "gcn", fixed: ["lr": "fast"]), split: split, graph: train)
        }
        #expect(throws: RecError.self) { try Tuner.run(TuneRequest(kind: "mf", trials: 0), split: split, graph: train) }
    }

    @Test func aNamedPresetExpandsWithExplicitOptionsOnTop() throws {
        let presets = [NamedPreset(name: "mine", kind: "lightgcn", options: ["lr": "0.005", "dim": "32"])]
        let merged = try NamedPreset.expand(["preset": "mine", "dim": "16"], kind: "lightgcn", presets: presets)
        #expect(merged == ["lr": "0.005", "dim": "16"])
        #expect(try NamedPreset.expand(["preset": "best"], kind: "gcn", presets: presets) == ["preset": "best"])
        #expect(try NamedPreset.expand(["lr": "0.1"], kind: "gcn", presets: presets) == ["lr": "0.1"])
        #expect(throws: RecError.self) { try NamedPreset.expand(["preset": "mine"], kind: "gcn", presets: presets) }
        #expect(throws: RecError.self) { try NamedPreset.expand(["preset": "other"], kind: "lightgcn", presets: presets) }
    }

    @Test func theMedianRuleStopsTrialsBelowTheEarlierOnes() {
        let earlier: [[Double]] = [[0.1, 0.2, 0.3], [0.1, 0.15, 0.2], [0.2, 0.25], [0.05, 0.1, 0.1, 0.4]]
        // At epoch 3 the earlier bests are 0.3, 0.2, 0.25 (ended at 2), 0.1: median 0.225.
        #expect(Tuner.shouldPrune([0.1, 0.2, 0.22], earlier: earlier, grace: 3))
        #expect(!Tuner.shouldPrune([0.1, 0.2, 0.23], earlier: earlier, grace: 3))
        #expect(!Tuner.shouldPrune([0.0, 0.0], earlier: earlier, grace: 3))            // within the grace epochs
        #expect(!Tuner.shouldPrune([0.0, 0.0, 0.0], earlier: Array(earlier.prefix(2)), grace: 3))  // too few to judge
    }

    @Test func searchRangesSitInsideTheDeclaredRanges() throws {
        for kind in ModelRegistry.kinds {
            for option in kind.options {
                switch option.scale {
                case .fixed: continue
                case .values(let words):
                    for w in words { _ = try option.parse(w) }
                case .linear(let r), .log(let r):
                    if case .log = option.scale { #expect(r.lowerBound > 0, "\(kind.name).\(option.name)") }
                    switch option.type {
                    case .int(let t): #expect(Double(t.lowerBound) <= r.lowerBound && r.upperBound <= Double(t.upperBound))
                    case .number(let t): #expect(t.lowerBound <= r.lowerBound && r.upperBound <= t.upperBound)
                    default: Issue.record("\(kind.name).\(option.name): a range scale on a \(option.type)")
                    }
                }
            }
        }
        var rng = SeededGenerator(seed: 5)
        let space = SearchSpace(kind: GCN.self, fixed: ["lr"])
        #expect(!space.names.contains("lr") && space.names.contains("dropout") && !space.names.contains("epochs"))
        for d in space.dimensions {
            for _ in 0..<50 {
                let v = d.sample(using: &rng)
                _ = try d.option.parse(v.description)
                _ = try d.option.parse(d.neighbour(of: v, using: &rng).description)
            }
        }
    }

    @Test func theBuiltInPresetAndTheOptionsAsGivenAreTheFirstTrialsAndRunToTheEnd() throws {
        let (split, train) = try warm()
        let fixed = ["epochs": "2", "batch": "64", "negatives": "3", "hidden": "8", "dim": "8"]
        let result = try Tuner.run(TuneRequest(kind: "gcn", fixed: fixed, trials: 3), split: split, graph: train)
        #expect(result.trials.count == 3)
        let preset = result.trials[0].options, given = result.trials[1].options
        // Trial 1: preset=best with the fixed options on top; trial 2: the defaults with them.
        #expect(preset["loss"] == .word("softmax") && preset["ids"] == .flag(true) && preset["dropout"] == .number(0.3))
        #expect(preset["negatives"] == .int(3) && preset["epochs"] == .int(2))
        #expect(given["loss"] == .word("bpr") && given["negatives"] == .int(3) && given["patience"] == .int(5))
        #expect(result.trials.prefix(2).allSatisfy { $0.outcome != .pruned && $0.ndcg != nil })
        let best = try #require(result.bestTrial?.ndcg)
        #expect(result.trials.prefix(2).allSatisfy { best >= ($0.ndcg ?? 1) })
        // A one-trial budget runs the preset only; a preset of the user's (or preset=) is the only start.
        let one = try Tuner.run(TuneRequest(kind: "gcn", fixed: fixed, trials: 1), split: split, graph: train)
        #expect(one.trials.count == 1 && one.trials[0].options == preset)
        let kind = try ModelRegistry.kind("gcn")
        let chosen = TuneRequest(kind: "gcn", fixed: ["preset": "best"])
        #expect(try Tuner.startingPoints(chosen, kind: kind, base: ModelRegistry.options("gcn", text: ["preset": "best"])).count == 1)
        let lightgcn = try ModelRegistry.kind("lightgcn")
        #expect(try Tuner.startingPoints(TuneRequest(kind: "lightgcn"), kind: lightgcn,
                                         base: ModelRegistry.options("lightgcn", text: [:])).count == 2)
        let mf = try ModelRegistry.kind("mf")
        #expect(try Tuner.startingPoints(TuneRequest(kind: "mf"), kind: mf,
                                         base: ModelRegistry.options("mf", text: [:])).count == 1)
    }

    /// Proposals 2..n for a start `base` and a fixed best, as the search would draw them.
    func proposals(_ count: Int, best: ModelOptions, seed: UInt64) -> [ModelOptions] {
        let space = SearchSpace(kind: LightGCN.self, fixed: ["epochs"])
        var rng = SeededGenerator(seed: seed, stream: "tune.proposals")
        var tried = [best]
        for number in 2...count {
            tried.append(Tuner.propose(number: number, starts: [best], base: best, space: space, best: best,
                                       tried: tried, using: &rng))
        }
        return Array(tried.dropFirst())
    }

    @Test func localStepsStartAtTrialTwoWithARandomDrawEveryThirdTrial() throws {
        let space = SearchSpace(kind: LightGCN.self, fixed: ["epochs"])
        let best = try ModelRegistry.options("lightgcn", text: ["lr": "0.005", "loss": "softmax"])
        let drawn = proposals(10, best: best, seed: 3)
        func changed(_ o: ModelOptions) -> Int { space.names.filter { o[$0] != best[$0] }.count }
        for (i, o) in drawn.enumerated() {
            let number = i + 2
            if (number - 1) % 3 != 0 {
                #expect((1...2).contains(changed(o)), "trial \(number) steps from the best")
                #expect(o["margin"] == best["margin"], "margin does not matter with loss=softmax")
            } else {
                #expect(changed(o) > 2, "trial \(number) is a random draw")
            }
        }
        #expect(proposals(10, best: best, seed: 3) == drawn)
        #expect(proposals(10, best: best, seed: 4) != drawn)
        // With the margin loss its margin is a step the search takes.
        let margin = try ModelRegistry.options("lightgcn", text: ["loss": "margin"])
        #expect(space.relevant(to: margin).contains { $0.option.name == "margin" })
        #expect(!space.relevant(to: best).contains { $0.option.name == "margin" })
    }

    @Test func numbersListedInOrderStepToTheNextValue() throws {
        let space = SearchSpace(kind: GCN.self, fixed: [])
        let decay = try #require(space.dimensions.first { $0.option.name == "weight-decay" })
        var rng = SeededGenerator(seed: 1)
        let fromMiddle = Set((0..<40).map { _ in decay.neighbour(of: .number(0.0001), using: &rng).description })
        #expect(fromMiddle == ["1e-05", "0.0003"])
        #expect((0..<10).allSatisfy { _ in decay.neighbour(of: .number(0), using: &rng) == .number(0.00001) })
        #expect(!space.names.contains("cold-share") && !space.names.contains("feature-bias"))
    }

    @Test func aClearlyWorseCurveStopsFromTheSecondEpoch() {
        let leader: [[Double]] = [[0.2, 0.25, 0.3], [0.1, 0.1]]
        #expect(Tuner.isClearlyWorse([0.1, 0.15], earlier: leader))      // 0.15 < 0.8 x 0.25
        #expect(!Tuner.isClearlyWorse([0.1, 0.21], earlier: leader))
        #expect(!Tuner.isClearlyWorse([0.01], earlier: leader))           // one epoch is too early
        #expect(!Tuner.isClearlyWorse([0.0, 0.0], earlier: []))           // nothing to compare with
        #expect(Tuner.isClearlyWorse([0.1, 0.2, 0.2, 0.23], earlier: leader))  // the leader ended at 0.3
        // A fast starter that ended lower is not the leader: a slow start like the leader's goes on.
        let slowLeader: [[Double]] = [[0.05, 0.1, 0.2, 0.35], [0.3, 0.32, 0.32]]
        #expect(!Tuner.isClearlyWorse([0.04, 0.09], earlier: slowLeader))
        #expect(Tuner.isClearlyWorse([0.04, 0.07], earlier: slowLeader))    // 0.07 < 0.8 x 0.1
    }

    @Test func aStepAlwaysMovesAndARepeatOfAnEarlierTrialIsDrawnAgain() throws {
        var rng = SeededGenerator(seed: 2)
        for kind in ModelRegistry.kinds {
            for d in SearchSpace(kind: kind, fixed: []).dimensions {
                let r: ClosedRange<Double>
                switch d.option.scale {
                case .linear(let range), .log(let range): r = range
                case .fixed, .values: continue
                }
                for bound in [d.value(r.lowerBound), d.value(r.upperBound)] {
                    #expect((0..<20).allSatisfy { _ in d.neighbour(of: bound, using: &rng) != bound }, "\(kind.name).\(d.option.name)")
                }
            }
        }
        // Only ids and holdout searched; the best as trained carries sampler=full (written back), the
        // proposals sampler=auto. Single toggles were tried already, so a step from the best turns both on.
        let space = SearchSpace(kind: GCN.self, fixed: Set(GCN.options.map(\.name)).subtracting(["ids", "holdout"]))
        let start = try ModelRegistry.options("gcn", text: [:])
        var best = start
        best["sampler"] = .word("full")
        var ids = start, holdout = start
        ids["ids"] = .flag(true)
        holdout["holdout"] = .flag(true)
        for seed in 0..<5 {
            var rng = SeededGenerator(seed: UInt64(seed))
            let next = Tuner.propose(number: 2, starts: [start], base: start, space: space, best: best,
                                     tried: [start, ids, holdout], using: &rng)
            #expect(next["ids"] == .flag(true) && next["holdout"] == .flag(true))
        }
    }
}
