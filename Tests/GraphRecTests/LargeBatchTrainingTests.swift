import Testing
import Tensors
@testable import GraphRec

/// `sampler=auto` on a graph over `NeighborSampling.largeGraphEdges` train
/// edges: full-graph propagation once per large batch. The step is the
/// full-graph step with more positives, so its gradient must still match
/// finite differences, the run must be fixed by its seed, and the negative
/// sampler (a binary search of each user's likes) must never return a like.
@Suite struct LargeBatchTrainingTests {
    /// 80% of it is over the large-graph threshold: 1,000 users, each liking a contiguous run of movies.
    static let big: InteractionGraph = {
        let users = 1000, movies = 400, perUser = NeighborSampling.largeGraphEdges * 13 / 10 / users
        var rng = SeededGenerator(seed: 5, stream: "big")
        var edges: [Edge] = []
        for u in 0..<users {
            let first = rng.nextInt(below: movies - perUser)
            for m in first..<(first + perUser) { edges.append(Edge(u, m)) }
        }
        let uf = Matrix.uniform(rows: users, cols: 3, low: 0, high: 1, using: &rng)
        let mf = Matrix.uniform(rows: movies, cols: 2, low: 0, high: 1, using: &rng)
        return InteractionGraph(userCount: users, movieCount: movies, edges: edges, userFeatures: uf, movieFeatures: mf)
    }()

    @Test func autoOnALargeGraphTrainsInLargeBatchesAndSaysSo() throws {
        let graph = Self.big
        let split = try Split.warm(positives: graph.edges, ratios: [80, 10, 10], seed: 0)
        let train = InteractionGraph(userCount: graph.userCount, movieCount: graph.movieCount, edges: split.train,
                                     userFeatures: graph.userFeatures, movieFeatures: graph.movieFeatures)
        #expect(train.edgeCount > NeighborSampling.largeGraphEdges)
        let fit = { try ModelRegistry.fit("gcn", options: ["epochs": "1", "hidden": "8", "dim": "4"], split: split, graph: train) }
        let a = try fit(), b = try fit()
        let batch = NeighborSampling.largeBatch(edges: train.edgeCount)
        #expect(a.options["batch"] == .int(batch) && a.options["sampler"] == .word("full"))
        #expect(a.options["lr"] == .number(Double("\(NeighborSampling.largeBatchLearningRate)")!))
        #expect(a.notes.contains { $0.hasPrefix("sampler: full graph, batch \(batch), lr 0.01 (auto:") })
        #expect(a.history.loss.count == 1 && a.history.loss[0].isFinite)
        // One seed, one model.
        let pa = try #require(a.recommender as? GCN), pb = try #require(b.recommender as? GCN)
        for (name, m) in pa.parameters { #expect(m == pb.parameters[name], "\(name)") }
        #expect(a.history.loss == b.history.loss)
    }

    /// The loss of a batch of every edge of a graph, against central finite differences.
    @Test func aLargeBatchStepMatchesFiniteDifferences() throws {
        let graph = TinyGraph.make(users: 30, movies: 40)
        let o = TinyGraph.options(["ids": "on", "batch": "\(graph.edgeCount)"])
        let model = GCN(graph: graph, options: o)
        var rng = SeededGenerator(seed: 2)
        let batch = PairBatch(graph.edges, negatives: o.negatives, sampler: try NegativeSampler(graph), rng: &rng)
        let trainer = Trainer(options: o), context = model.makeContext(graph)
        let (_, gradients) = trainer.step(model, context, batch)
        let eps: Float = 1e-2
        for name in ["layer1.W", "layer2.B", "layer2.bias", "ids.movies"] {
            let g = try #require(gradients[name])
            for i in Set([0, g.storage.count / 2, g.storage.count - 1]).sorted() {
                var plus = model, minus = model
                plus.parameters[name]!.storage[i] += eps
                minus.parameters[name]!.storage[i] -= eps
                let numeric = (trainer.step(plus, context, batch).0 - trainer.step(minus, context, batch).0) / Double(2 * eps)
                #expect(abs(numeric - Double(g.storage[i])) < 2e-3 + 0.02 * abs(numeric), "\(name)[\(i)]")
            }
        }
    }

    @Test func negativesAreNeverLikesAndFollowTheSeed() throws {
        let graph = Self.big
        let sampler = try NegativeSampler(graph)
        var a = SeededGenerator(seed: 9), b = SeededGenerator(seed: 9)
        var x = [Int32](repeating: 0, count: 50), y = x
        for u in [0, 17, 999] {
            sampler.sample(user: u, count: 50, into: &x, at: 0, using: &a)
            sampler.sample(user: u, count: 50, into: &y, at: 0, using: &b)
            #expect(x == y)
            let liked = Set(graph.movies(ofUser: u))
            #expect(x.allSatisfy { !liked.contains($0) && $0 >= 0 && Int($0) < graph.movieCount })
            #expect(liked.allSatisfy { sampler.isPositive(user: u, movie: Int($0)) })
        }
    }
    static func trainPart() throws -> (Split, InteractionGraph) {
        let graph = Self.big
        let split = try Split.warm(positives: graph.edges, ratios: [80, 10, 10], seed: 0)
        return (split, InteractionGraph(userCount: graph.userCount, movieCount: graph.movieCount, edges: split.train,
                                        userFeatures: graph.userFeatures, movieFeatures: graph.movieFeatures))
    }

    /// LightGCN propagates over the whole graph every step too, so `auto` gives it the same large batches.
    @Test func lightgcnTrainsInLargeBatchesAndFollowsTheSeed() throws {
        let (split, train) = try Self.trainPart()
        let fit = { try ModelRegistry.fit("lightgcn", options: ["epochs": "2", "dim": "8"], split: split, graph: train) }
        let a = try fit(), b = try fit()
        let batch = NeighborSampling.largeBatch(edges: train.edgeCount)
        #expect(a.options["batch"] == .int(batch))
        #expect(a.options["lr"] == .number(Double("\(NeighborSampling.largeBatchLearningRate)")!))
        #expect(a.notes.contains { $0.hasPrefix("sampler: full graph, batch \(batch), lr 0.01 (auto:") })
        #expect(a.history.loss.count == 2 && a.history.loss.allSatisfy(\.isFinite) && a.history.loss[1] < a.history.loss[0])
        let pa = try #require(a.recommender as? LightGCN), pb = try #require(b.recommender as? LightGCN)
        for (name, m) in pa.parameters { #expect(m == pb.parameters[name], "\(name)") }
    }

    /// A batch typed on purpose is kept even when it equals the default; lr, not given, still follows `auto`.
    @Test func aTypedBatchWinsOverAutoEvenAtTheDefault() throws {
        let (split, train) = try Self.trainPart()
        let typed = try ModelRegistry.options("gcn", text: ["batch": "\(TrainOptions().batchSize)"])
        #expect(typed.given == ["batch"])
        let resolved = NeighborSampling.resolve(try TrainOptions(typed), graph: train, given: typed.given).options
        #expect(resolved.batchSize == TrainOptions().batchSize && resolved.learningRate == NeighborSampling.largeBatchLearningRate)
        #expect(NeighborSampling.resolve(try TrainOptions(typed), graph: train).options.batchSize
                == NeighborSampling.largeBatch(edges: train.edgeCount))
        let fitted = try ModelRegistry.fit("lightgcn", options: ["epochs": "1", "dim": "4", "batch": "65536", "lr": "0.001"],
                                           split: split, graph: train)
        #expect(fitted.options["batch"] == .int(65536) && fitted.options["lr"] == .number(0.001))
    }
}
