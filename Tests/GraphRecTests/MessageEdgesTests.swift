import Testing
import Synchronization
import Tensors
@testable import GraphRec

/// `holdout=`, `edge-dropout=` (MessageEdges) and `dropout=`: what each batch's
/// forward pass sees, and that training with them stays seeded.
@Suite struct MessageEdgesTests {
    let graph = TinyGraph.make(users: 30, movies: 40)

    @Test func holdoutHidesExactlyTheBatch() {
        var rng = SeededGenerator(seed: 1)
        let before = rng
        let hiding = MessageEdges(holdout: true, dropRate: 0)
        #expect(hiding.hidesEdges)
        #expect(hiding.hidden(batch: [7, 3, 12], edgeCount: 100, using: &rng) == [7, 3, 12])
        #expect(rng.next() == { var r = before; return r.next() }())     // no draws without edge dropout
        #expect(!MessageEdges(holdout: false, dropRate: 0).hidesEdges)
    }

    @Test func edgeDropoutHidesAboutItsShareAndIsSeeded() {
        let hiding = MessageEdges(holdout: false, dropRate: 0.2)
        var a = SeededGenerator(seed: 2), b = SeededGenerator(seed: 2)
        let hidden = hiding.hidden(batch: [1, 2], edgeCount: 20_000, using: &a)
        #expect(hidden == hiding.hidden(batch: [1, 2], edgeCount: 20_000, using: &b))
        #expect(abs(Double(hidden.count) / 20_000 - 0.2) < 0.01)
        #expect(Set(hidden).count == hidden.count && hidden.allSatisfy { (0..<20_000).contains($0) })
        // With holdout too, the batch comes first and the random share follows.
        var c = SeededGenerator(seed: 2)
        #expect(Array(MessageEdges(holdout: true, dropRate: 0.2).hidden(batch: [5], edgeCount: 20_000, using: &c).dropFirst()) == hidden)
    }

    @Test func removingByOffsetEqualsRemovingTheEdges() {
        let offsets = [0, 5, 6, graph.edgeCount - 1]
        let byOffset = graph.removing(edgesAt: offsets)
        let byEdge = graph.removing(offsets.map { graph.edges[$0] })
        #expect(byOffset.edges == byEdge.edges && byOffset.edgeCount == graph.edgeCount - 4)
        #expect(byOffset.userItems == byEdge.userItems && byOffset.itemUsers == byEdge.itemUsers)
        #expect(byOffset.adjacency() == byEdge.adjacency())
    }

    final class GraphLog: Sendable {
        let graphs = Mutex<[[Edge]]>([])
    }

    /// MF that records the edges of every graph the trainer builds a context for.
    struct ContextSpy: TrainableModel {
        let kind = "spy"
        var isInductive: Bool { false }
        var inner: MatrixFactorization
        let log: GraphLog
        var weights: IDTables<Matrix> {
            get { inner.weights }
            set { inner.weights = newValue }
        }
        func makeContext(_ graph: InteractionGraph) -> Int {
            log.graphs.withLock { $0.append(graph.edges) }
            return inner.makeContext(graph)
        }
        func forward(_ tape: Tape, _ context: Int, weights: IDTables<Variable>) -> (users: Variable, items: Variable) {
            inner.forward(tape, context, weights: weights)
        }
    }

    @Test func eachBatchAggregatesOverTheGraphWithoutItsOwnPositives() throws {
        let o = TinyGraph.options(["epochs": "2", "ids": "on", "holdout": "on", "batch": "50"])
        var spy = ContextSpy(inner: MatrixFactorization(graph: graph, options: o), log: GraphLog())
        _ = try Trainer(options: o).train(&spy, on: graph)
        let contexts = spy.log.graphs.withLock { $0 }
        let batches = (graph.edgeCount + 49) / 50
        #expect(contexts.count == 1 + 2 * batches)        // the whole graph once, then one per batch
        #expect(contexts[0] == graph.edges)
        let all = Set(graph.edges)
        for epoch in 0..<2 {
            var hiddenThisEpoch = Set<Edge>()
            for b in 0..<batches {
                let seen = contexts[1 + epoch * batches + b]
                let hidden = all.subtracting(seen)
                #expect(hidden.count == min(50, graph.edgeCount - b * 50))
                #expect(hiddenThisEpoch.isDisjoint(with: hidden))
                hiddenThisEpoch.formUnion(hidden)
            }
            #expect(hiddenThisEpoch == all)                // every positive was hidden once, in its own batch
        }
    }

    @Test func theSeedTrainsOnTheWholeGraph() throws {
        let o = TinyGraph.options(["epochs": "2", "ids": "on"])
        var spy = ContextSpy(inner: MatrixFactorization(graph: graph, options: o), log: GraphLog())
        _ = try Trainer(options: o).train(&spy, on: graph)
        #expect(spy.log.graphs.withLock { $0.count } == 1)
    }

    @Test(arguments: [["holdout": "on"], ["edge-dropout": "0.3"], ["dropout": "0.3"],
                      ["holdout": "on", "edge-dropout": "0.1", "dropout": "0.2"]])
    func gcnTrainsDeterministicallyAndDifferently(extra: [String: String]) throws {
        let base = ["epochs": "8", "ids": "on"]
        let o = TinyGraph.options(base.merging(extra) { _, new in new })
        var a = GCN(graph: graph, options: o), b = GCN(graph: graph, options: o)
        let ha = try Trainer(options: o).train(&a, on: graph)
        let hb = try Trainer(options: o).train(&b, on: graph)
        #expect(a.parameters == b.parameters && ha.loss == hb.loss)
        #expect(ha.loss.last! < ha.loss.first!)
        var plain = GCN(graph: graph, options: TinyGraph.options(base))
        _ = try Trainer(options: TinyGraph.options(base)).train(&plain, on: graph)
        #expect(plain.parameters != a.parameters)
    }

    @Test func dropoutOnlyActsWhileTraining() {
        let with = GCN(graph: graph, options: TinyGraph.options(["ids": "on", "dropout": "0.5"]))
        let without = GCN(graph: graph, options: TinyGraph.options(["ids": "on"]))
        #expect(with.parameters == without.parameters)        // dropout draws from its own stream
        #expect(with.embed(graph) == without.embed(graph))
        #expect(with.embed(graph) == with.embed(graph))
    }
}

/// `ema=` (WeightAverage): the running average, and that the trainer keeps it.
@Suite struct WeightAverageTests {
    @Test func averagesByHand() {
        var avg = WeightAverage(decay: 0.5, parameters: ["w": Matrix([[4, 0]])])
        avg.update(with: ["w": Matrix([[0, 2]])])
        #expect(avg.parameters["w"] == Matrix([[2, 1]]))
        avg.update(with: ["w": Matrix([[2, 1]])])
        #expect(avg.parameters["w"] == Matrix([[2, 1]]))       // a fixed point stays put
        avg.update(with: ["w": Matrix([[6, 5]])])
        #expect(avg.parameters["w"] == Matrix([[4, 3]]))
    }

    @Test func theTrainerReturnsTheAverageAndItDiffersFromTheLastStep() throws {
        let graph = TinyGraph.make(users: 30, movies: 40)
        let plainOptions = TinyGraph.options(["epochs": "6", "ids": "on"])
        let o = TinyGraph.options(["epochs": "6", "ids": "on", "ema": "0.9"])
        var plain = GCN(graph: graph, options: plainOptions), averaged = GCN(graph: graph, options: o)
        let hp = try Trainer(options: plainOptions).train(&plain, on: graph)
        let ha = try Trainer(options: o).train(&averaged, on: graph)
        // Same steps (the average does not feed back into training), different weights returned.
        #expect(hp.loss == ha.loss)
        #expect(plain.parameters != averaged.parameters)
        // With validation the kept model is an average too: its embeddings are what was validated.
        var again = GCN(graph: graph, options: o)
        let validated = Mutex<[Embeddings]>([])
        let h = try Trainer(options: o, validation: { e in validated.withLock { $0.append(e) }; return 0.5 }).train(&again, on: graph)
        #expect(h.bestEpoch == 1 && again.embed(graph) == validated.withLock { $0[0] })
        #expect(again.parameters != GCN(graph: graph, options: o).parameters)
    }
}

/// `adjacency()` against the triplet construction it replaced.
@Suite struct AdjacencyConstructionTests {
    @Test(arguments: [false, true])
    func equalsTheTripletForm(withIsolated: Bool) {
        var graph = TinyGraph.make(users: 17, movies: 23)
        if withIsolated { graph = graph.removing(graph.edges.filter { $0.user == 3 || $0.movie == 5 }) }
        var triplets: [(row: Int, col: Int, value: Float)] = []
        for e in graph.edges {
            triplets.append((Int(e.user), graph.userCount + Int(e.movie), 1))
            triplets.append((graph.userCount + Int(e.movie), Int(e.user), 1))
        }
        #expect(graph.adjacency() == CSRMatrix(rows: graph.nodeCount, cols: graph.nodeCount, triplets: triplets))
    }
}
