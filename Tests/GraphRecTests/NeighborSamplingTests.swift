import Testing
import Tensors
@testable import GraphRec

/// Neighbour-sampled batches (`sampler=neighbors fanout=`): what a sample
/// holds, that it is seeded, and that with fan-outs at least the largest
/// degree it is exactly full-graph training with the batch's positives hidden.
@Suite struct NeighborSamplingTests {
    let graph = TinyGraph.make(users: 30, movies: 40)

    /// A batch's seeds and positives as the trainer makes them: users, their positive movies, some negatives.
    func batch(_ offsets: [Int]) -> (seeds: [Int32], excluded: [(Int32, Int32)]) {
        let edges = offsets.map { graph.edges[$0] }
        let u0 = Int32(graph.userCount)
        let negatives: [Int32] = [3, 17, 25].map { u0 + $0 }
        let seeds = edges.map(\.user) + edges.map { u0 + $0.movie } + negatives
        return (seeds, edges.map { ($0.user, u0 + $0.movie) })
    }

    func draw(fanouts: [Int], seed: UInt64, offsets: [Int] = [0, 9, 40, 41, 77]) -> (NeighborSample, [Int32]) {
        let sampler = NeighborSampler(graph: graph, fanouts: fanouts)
        var workspace = NeighborSampler.Workspace(nodeCount: graph.nodeCount)
        var rng = SeededGenerator(seed: seed, stream: "test")
        let (seeds, excluded) = batch(offsets)
        return sampler.sample(seeds: seeds, excluding: excluded, workspace: &workspace, using: &rng)
    }

    func neighbors(_ s: NeighborSample, row r: Int) -> [Int32] {
        s.neighbors.colIndex[s.neighbors.rowStart[r]..<s.neighbors.rowStart[r + 1]].map { s.nodes[Int($0)] }
    }

    @Test func seedsComeFirstOnceAndEachSeedFindsItsLocalRow() {
        let (seeds, _) = batch([0, 9, 40, 41, 77])
        let (s, index) = draw(fanouts: [3, 2], seed: 1)
        #expect(Set(s.nodes).count == s.nodes.count)
        #expect(s.seedCount == Set(seeds).count && s.hops == 2)
        #expect(zip(seeds, index).allSatisfy { s.nodes[Int($1)] == $0 && Int($1) < s.seedCount })
        #expect(s.reached == s.reached.sorted() && s.reached.last == s.nodes.count)
        #expect(s.neighbors.rows == s.reached[1] && s.neighbors.cols == s.nodes.count)
        // Layer 1 maps every node within one hop from all nodes; layer 2 (the last) gives the seeds.
        #expect(s.block(layer: 1).rows == s.reached[1] && s.block(layer: 1).cols == s.reached[2])
        #expect(s.block(layer: 2).rows == s.seedCount && s.block(layer: 2).cols == s.reached[1])
    }

    @Test func fanOutIsRespectedAndEveryDegreeAtMostItIsTakenWhole() {
        let (s, _) = draw(fanouts: [3, 2], seed: 2)
        let (_, excluded) = batch([0, 9, 40, 41, 77])
        for r in 0..<s.neighbors.rows {
            let node = s.nodes[r], fanout = r < s.seedCount ? 3 : 2
            let hidden = excluded.filter { $0.0 == node || $0.1 == node }.count
            let available = graph.adjacency().rowCount(Int(node)) - hidden
            #expect(s.neighbors.rowCount(r) == min(fanout, available), "row \(r), node \(node)")
        }
    }

    @Test func sampledEdgesExistAndTheBatchPositivesAreNotAmongThem() {
        let adjacency = graph.adjacency()
        let (_, excluded) = batch([0, 9, 40, 41, 77])
        let hidden = Set(excluded.flatMap { [[$0.0, $0.1], [$0.1, $0.0]] })
        for seed: UInt64 in 0..<20 {
            let (s, _) = draw(fanouts: [4, 3], seed: seed)
            for r in 0..<s.neighbors.rows {
                let v = s.nodes[r]
                let real = Set(adjacency.columns(ofRow: Int(v)))
                for u in neighbors(s, row: r) {
                    #expect(real.contains(u), "sampled \(v) -> \(u) is not an edge")
                    #expect(!hidden.contains([v, u]), "batch positive \(v) - \(u) in its own sample")
                }
                #expect(Set(neighbors(s, row: r)).count == s.neighbors.rowCount(r))    // without replacement
            }
        }
    }

    @Test func aSeedFixesTheSampleAndAnotherSeedChangesIt() {
        let (a, ia) = draw(fanouts: [2, 2], seed: 5), (b, ib) = draw(fanouts: [2, 2], seed: 5)
        #expect(a.nodes == b.nodes && a.neighbors == b.neighbors && ia == ib)
        let others = (6..<10).map { draw(fanouts: [2, 2], seed: $0).0.neighbors }
        #expect(others.contains { $0 != a.neighbors })
    }

    @Test func theWorkspaceIsLeftCleanForTheNextBatch() {
        let sampler = NeighborSampler(graph: graph, fanouts: [3, 3])
        var workspace = NeighborSampler.Workspace(nodeCount: graph.nodeCount)
        var rng = SeededGenerator(seed: 1)
        let (seeds, excluded) = batch([1, 2, 3])
        _ = sampler.sample(seeds: seeds, excluding: excluded, workspace: &workspace, using: &rng)
        #expect(workspace.local.allSatisfy { $0 == -1 })
    }

    @Test func drawsAreUniformOverTheAllowedNeighbours() {
        // A star: node 0 (a user) likes 10 movies; fan-out 2 over 9 allowed (one hidden) many times.
        let star = InteractionGraph(userCount: 1, movieCount: 10, edges: (0..<10).map { Edge(0, $0) })
        let sampler = NeighborSampler(graph: star, fanouts: [2])
        var workspace = NeighborSampler.Workspace(nodeCount: star.nodeCount)
        var rng = SeededGenerator(seed: 3)
        var counts = [Int](repeating: 0, count: star.nodeCount)
        let trials = 9000
        for _ in 0..<trials {
            let (s, _) = sampler.sample(seeds: [0, 1], excluding: [(0, 1)], workspace: &workspace, using: &rng)
            for u in neighbors(s, row: 0) { counts[Int(u)] += 1 }
        }
        #expect(counts[1] == 0)
        for node in 2...10 { #expect(abs(Double(counts[node]) / Double(trials) - 2.0 / 9) < 0.03, "node \(node)") }
    }

    // MARK: Equivalence with full-graph training

    /// Full-graph batches with their positives hidden, and neighbour sampling that takes every neighbour.
    func pair(_ extra: [String: String]) -> (full: TrainOptions, sampled: TrainOptions) {
        let base = ["epochs": "2", "batch": "40"].merging(extra) { _, new in new }
        return (TinyGraph.options(base.merging(["sampler": "full", "holdout": "on"]) { _, new in new }),
                TinyGraph.options(base.merging(["sampler": "neighbors", "fanout": "1000,1000"]) { _, new in new }))
    }

    @Test(arguments: [["ids": "off"], ["ids": "on"], ["ids": "on", "features": "off", "loss": "margin"],
                      ["ids": "on", "combine": "mean", "activation": "none"], ["ids": "off", "combine": "mean"],
                      ["ids": "on", "score": "cosine", "temperature": "0.2"]])
    func gcnWithWholeNeighbourhoodsTrainsExactlyAsTheFullGraphWithHoldout(options: [String: String]) throws {
        let (full, sampled) = pair(options)
        var a = GCN(graph: graph, options: full), b = GCN(graph: graph, options: sampled)
        let ha = try Trainer(options: full).train(&a, on: graph)
        let hb = try Trainer(options: sampled).train(&b, on: graph)
        for (x, y) in zip(ha.loss, hb.loss) { #expect(abs(x - y) <= 1e-5 * max(1, abs(x)), "loss \(x) vs \(y)") }
        for (name, m) in a.parameters {
            let other = try #require(b.parameters[name])
            #expect(m.maxAbsDifference(other) < 1e-4, "\(name)")
        }
    }

    @Test func gcnAndGATStepsGiveTheFullGraphsLossAndGradients() throws {
        let (full, sampled) = pair(["ids": "on"])
        let edges = Array(graph.edges[10..<50])
        let offsets = Array(10..<50)
        let negatives = try NegativeSampler(graph)
        var rng = SeededGenerator(seed: 4)
        let batch = PairBatch(edges, negatives: full.negatives, sampler: negatives, rng: &rng)
        let holdout = graph.removing(edgesAt: offsets)
        let sampler = NeighborSampler(graph: graph, fanouts: [1000, 1000])
        var workspace = NeighborSampler.Workspace(nodeCount: graph.nodeCount)
        var srng = SeededGenerator(seed: 9)
        let (sample, local) = batch.sampled(by: sampler, userCount: graph.userCount, workspace: &workspace, using: &srng)

        func compare(_ x: (Double, [String: Matrix]), _ y: (Double, [String: Matrix]), _ model: String) throws {
            #expect(abs(x.0 - y.0) < 1e-6 * max(1, abs(x.0)), "\(model) loss \(x.0) vs \(y.0)")
            #expect(Set(x.1.keys) == Set(y.1.keys))
            for (name, g) in x.1 {
                let h = try #require(y.1[name])
                let scale = max(1, g.storage.map { abs($0) }.max() ?? 0)
                #expect(g.maxAbsDifference(h) < 1e-5 * scale, "\(model) gradient \(name)")
            }
        }
        let gcn = GCN(graph: graph, options: full)
        try compare(Trainer(options: full).step(gcn, gcn.batchContext(holdout, coldFrom: graph), batch),
                    Trainer(options: sampled).sampledStep(gcn, gcn.makeContext(graph), sample, local), "gcn")
        let gat = GAT(graph: graph, options: full)
        try compare(Trainer(options: full).step(gat, gat.batchContext(holdout, coldFrom: graph), batch),
                    Trainer(options: sampled).sampledStep(gat, gat.makeContext(graph), sample, local), "gat")
    }

    /// The sampled loss's gradient against central finite differences (small fan-outs, so a real sample).
    @Test func sampledGCNGradientMatchesFiniteDifferences() throws {
        let o = TinyGraph.options(["ids": "on", "sampler": "neighbors", "fanout": "3,2"])
        let model = GCN(graph: graph, options: o)
        let negatives = try NegativeSampler(graph)
        var rng = SeededGenerator(seed: 2)
        let batch = PairBatch(Array(graph.edges[0..<12]), negatives: o.negatives, sampler: negatives, rng: &rng)
        var workspace = NeighborSampler.Workspace(nodeCount: graph.nodeCount)
        var srng = SeededGenerator(seed: 3)
        let (sample, local) = batch.sampled(by: NeighborSampler(graph: graph, fanouts: [3, 2]), userCount: graph.userCount,
                                            workspace: &workspace, using: &srng)
        let trainer = Trainer(options: o), context = model.makeContext(graph)
        let (_, gradients) = trainer.sampledStep(model, context, sample, local)
        let eps: Float = 1e-2
        for name in ["layer1.W", "layer2.B", "ids.users"] {
            let g = try #require(gradients[name])
            for i in [0, 5, 17] {
                var plus = model, minus = model
                plus.parameters[name]!.storage[i] += eps
                minus.parameters[name]!.storage[i] -= eps
                let numeric = (trainer.sampledStep(plus, context, sample, local).0
                    - trainer.sampledStep(minus, context, sample, local).0) / Double(2 * eps)
                #expect(abs(numeric - Double(g.storage[i])) < 2e-3 + 0.02 * abs(numeric), "\(name)[\(i)]")
            }
        }
    }

    // MARK: Choosing the sampler

    @Test func autoKeepsSmallGraphsAsTheyAreAndTrainsLargeOnesInLargeBatches() {
        var options = TrainOptions()
        let small = NeighborSampling.resolve(options, graph: graph).options
        #expect(small.sampler == .full && small.batchSize == options.batchSize && small.learningRate == options.learningRate)
        options.sampler = .neighbors
        #expect(NeighborSampling.resolve(options, graph: graph).options.sampler == .neighbors)

        let edges = NeighborSampling.largeGraphEdges + 1, users = 1000, movies = edges / users + 1
        let big = InteractionGraph(userCount: users, movieCount: movies,
                                   edges: (0..<edges).map { Edge($0 % users, $0 / users) })
        #expect(big.edgeCount == edges)
        let large = NeighborSampling.resolve(TrainOptions(), graph: big).options
        #expect(large.sampler == .full && large.learningRate == NeighborSampling.largeBatchLearningRate)
        let steps = (edges + large.batchSize - 1) / large.batchSize
        #expect(steps <= NeighborSampling.largeBatchSteps && steps > NeighborSampling.largeBatchSteps / 2)
        #expect(large.batchSize.nonzeroBitCount == 1)

        var chosen = TrainOptions()                 // a batch or lr set on purpose is kept
        chosen.batchSize = 512
        chosen.learningRate = 0.003
        let kept = NeighborSampling.resolve(chosen, graph: big).options
        #expect(kept.batchSize == 512 && kept.learningRate == 0.003 && kept.sampler == .full)
        chosen.sampler = .full
        #expect(NeighborSampling.resolve(chosen, graph: big).options.batchSize == 512)
    }

    @Test func badSamplerSettingsAreErrorsNamingTheOption() throws {
        var lightgcn = LightGCN(graph: graph, options: TinyGraph.options())
        #expect(throws: RecError.self) {
            _ = try Trainer(options: TinyGraph.options(["sampler": "neighbors"])).train(&lightgcn, on: graph)
        }
        var gcn = GCN(graph: graph, options: TinyGraph.options())
        let wrongCount = #expect(throws: RecError.self) {
            _ = try Trainer(options: TinyGraph.options(["sampler": "neighbors", "fanout": "5"])).train(&gcn, on: graph)
        }
        #expect(wrongCount?.message.contains("fanout") == true)
        #expect(throws: RecError.self) {
            _ = try Trainer(options: TinyGraph.options(["sampler": "neighbors", "edge-dropout": "0.2"])).train(&gcn, on: graph)
        }
        #expect(throws: RecError.self) { try GCN.parse(["fanout": "15,x"]) }
        #expect(throws: RecError.self) { try GCN.parse(["sampler": "some"]) }
        #expect(try GCN.parse(["fanout": "7"])["fanout"] == .word("7"))
    }

    @Test func theFitSaysWhichSamplerRanAndRecordsIt() throws {
        let split = try Split.warm(positives: graph.edges, ratios: [80, 10, 10], seed: 0)
        let train = InteractionGraph(userCount: graph.userCount, movieCount: graph.movieCount, edges: split.train,
                                     userFeatures: graph.userFeatures, movieFeatures: graph.movieFeatures)
        let auto = try ModelRegistry.fit("gcn", options: ["epochs": "1", "hidden": "8", "dim": "4"], split: split, graph: train)
        #expect(auto.options["sampler"] == .word("full"))
        #expect(auto.notes.contains { $0.hasPrefix("sampler: full graph, batch 1024, lr 0.001 (auto:") })
        #expect(auto.options["batch"] == .int(1024))
        let sampled = try ModelRegistry.fit("gat", options: ["epochs": "1", "hidden": "8", "dim": "4", "sampler": "neighbors",
                                                             "fanout": "4,4"], split: split, graph: train)
        #expect(sampled.options["sampler"] == .word("neighbors"))
        #expect(sampled.notes.contains { $0.hasPrefix("sampler: neighbors, fanout 4,4") })
        #expect(sampled.history.loss.count == 1 && sampled.history.loss[0].isFinite)
    }
}
