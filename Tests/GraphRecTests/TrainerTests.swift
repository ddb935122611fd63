import Testing
import Synchronization
import Tensors
@testable import GraphRec

@Suite struct TrainerTests {
    let graph = TinyGraph.make(users: 30, movies: 40)

    @Test func negativesAreNeverTrainPositivesAndCoverTheRest() throws {
        let sampler = try NegativeSampler(graph)
        var rng = SeededGenerator(seed: 1)
        var out = [Int32](repeating: -1, count: 2000)
        sampler.sample(user: 0, count: 2000, into: &out, at: 0, using: &rng)
        let liked = Set(graph.movies(ofUser: 0))
        #expect(out.allSatisfy { !liked.contains($0) && $0 >= 0 && $0 < 40 })
        #expect(Set(out).count == 40 - liked.count)
        #expect(sampler.isPositive(user: 0, movie: Int(liked.first!)))
    }

    @Test func theBitSetAndTheSortedRowsDrawTheSameNegatives() throws {
        let bitSet = try NegativeSampler(graph)
        let rows = try NegativeSampler(graph, bitSetLimit: 0)
        #expect(bitSet.usesBitSet && !rows.usesBitSet)
        for u in 0..<graph.userCount {
            for m in 0..<graph.movieCount {
                #expect(bitSet.isPositive(user: u, movie: m) == rows.isPositive(user: u, movie: m))
            }
        }
        var (r1, r2) = (SeededGenerator(seed: 3), SeededGenerator(seed: 3))
        var (a, b) = ([Int32](repeating: -1, count: 500), [Int32](repeating: -1, count: 500))
        for u in 0..<graph.userCount {
            bitSet.sample(user: u, count: 500, into: &a, at: 0, using: &r1)
            rows.sample(user: u, count: 500, into: &b, at: 0, using: &r2)
            #expect(a == b)
            #expect(a.allSatisfy { !bitSet.isPositive(user: u, movie: Int($0)) })
        }
    }

    @Test func aUserWhoLikesEverythingIsAnError() {
        let g = InteractionGraph(userCount: 1, movieCount: 2, edges: [Edge(0, 0), Edge(0, 1)])
        #expect(throws: RecError.self) { try NegativeSampler(g) }
        #expect(throws: RecError.self) {
            var m = MatrixFactorization(graph: g, options: TrainOptions())
            _ = try Trainer(options: TrainOptions()).train(&m, on: InteractionGraph(userCount: 1, movieCount: 2, edges: []))
        }
    }

    @Test(arguments: ["bpr", "margin"])
    func lossFallsAndTrainingIsDeterministic(loss: String) throws {
        let o = TinyGraph.options(["loss": loss, "epochs": "12", "margin": "1"])
        var a = GCN(graph: graph, options: o), b = GCN(graph: graph, options: o)
        let ha = try Trainer(options: o).train(&a, on: graph)
        let hb = try Trainer(options: o).train(&b, on: graph)
        #expect(ha.loss.count == 12 && ha.epochSeconds.count == 12)
        #expect(ha.loss.last! < ha.loss.first! * 0.9)
        #expect(a.parameters == b.parameters && ha.loss == hb.loss)
        #expect(ha.bestEpoch == 12 && !ha.interrupted && !ha.stoppedEarly)
    }

    @Test func everyTrainableModelTrains() throws {
        let o = TinyGraph.options(["epochs": "10", "ids": "on"])
        var l = LightGCN(graph: graph, options: o)
        var m = MatrixFactorization(graph: graph, options: o)
        let hl = try Trainer(options: o).train(&l, on: graph)
        let hm = try Trainer(options: o).train(&m, on: graph)
        #expect(hl.loss.last! < hl.loss.first! && hm.loss.last! < hm.loss.first!)
    }

    @Test func patienceStopsEarlyAndKeepsTheBestWeights() throws {
        let o = TinyGraph.options(["epochs": "10", "patience": "2"])
        var model = GCN(graph: graph, options: o)
        // A scripted validation curve: best at epoch 2, then worse.
        let curve = [0.1, 0.5, 0.3, 0.2, 0.4]
        let calls = Mutex(0)
        let snapshots = Mutex<[Embeddings]>([])
        let trainer = Trainer(options: o, validation: { e in
            snapshots.withLock { $0.append(e) }
            return calls.withLock { c in c += 1; return curve[c - 1] }
        })
        let h = try trainer.train(&model, on: graph)
        #expect(h.validationNDCG == [0.1, 0.5, 0.3, 0.2])
        #expect(h.stoppedEarly && h.bestEpoch == 2 && h.loss.count == 4)
        #expect(model.embed(graph) == snapshots.withLock { $0[1] })
    }

    @Test func stopRequestKeepsTheBestModelSoFar() throws {
        let o = TinyGraph.options(["epochs": "10"])
        var model = GCN(graph: graph, options: o)
        let batchesPerEpoch = (graph.edgeCount + 15) / 16
        let polls = Mutex(0)
        // Stop in the middle of epoch 4.
        let control = RunControl(shouldStop: { polls.withLock { p in p += 1; return p > 3 * batchesPerEpoch + 2 } })
        let validated = Mutex<[Embeddings]>([])
        let trainer = Trainer(options: o, control: control, validation: { e in
            validated.withLock { $0.append(e) }
            return [0.3, 0.6, 0.2][validated.withLock { $0.count } - 1]
        })
        let h = try trainer.train(&model, on: graph)
        #expect(h.interrupted && h.loss.count == 3 && h.bestEpoch == 2)
        #expect(model.embed(graph) == validated.withLock { $0[1] })
    }

    @Test func progressReportsEveryBatch() throws {
        let o = TinyGraph.options(["epochs": "2"])
        var model = MatrixFactorization(graph: graph, options: o)
        let reports = Mutex<[ProgressUpdate]>([])
        let control = RunControl(report: { u in reports.withLock { $0.append(u) } })
        _ = try Trainer(options: o, control: control).train(&model, on: graph)
        let r = reports.withLock { $0 }
        let per = (graph.edgeCount + 15) / 16
        #expect(r.count == 2 * per)
        #expect(r.last!.label == "epoch 2/2" && r.last!.done == per && r.last!.total == per)
        #expect(r.last!.detail.hasPrefix("loss "))
    }
}
