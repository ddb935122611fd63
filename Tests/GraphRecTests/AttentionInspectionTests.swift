import Foundation
import Testing
import Tensors
@testable import GraphRec

/// Attention inspection on hand-built weights (values checked by hand) and on a real GAT.
@Suite struct AttentionInspectionTests {
    /// 2 users, 2 movies (nodes 2, 3); edges u0-m0, u0-m1, u1-m0; self-loops everywhere.
    /// Rows: u0 <- {u0, m0, m1}, u1 <- {u1, m0}, m0 <- {u0, u1, m0}, m1 <- {u0, m1}.
    static func handBuilt(layer: Int = 1, head: Int = 1, weights: [Float]) -> AttentionWeights {
        AttentionWeights(layer: layer, head: head, userCount: 2, rowStart: [0, 3, 5, 8, 10],
                         source: [0, 2, 3, 1, 2, 0, 1, 2, 0, 3], weight: weights)
    }

    static let skewed: [Float] = [0.2, 0.5, 0.3, 0.6, 0.4, 0.7, 0.1, 0.2, 0.25, 0.75]
    static let uniform: [Float] = [1 / 3, 1 / 3, 1 / 3, 0.5, 0.5, 1 / 3, 1 / 3, 1 / 3, 0.5, 0.5]

    @Test func aNodesNeighboursHeaviestFirstWithTheUniformReferences() {
        let w = Self.handBuilt(weights: Self.skewed)
        let a = AttentionInspection.node(0, in: w)
        #expect(a.node == .user(0) && a.layer == 1 && a.head == 1)
        #expect(a.neighbours.map(\.node) == [.movie(0), .movie(1), .user(0)])
        #expect(a.neighbours.map(\.weight) == [0.5, 0.3, 0.2])
        #expect(a.neighbours.map(\.isSelfLoop) == [false, false, true])
        #expect(a.neighbours.map(\.degree) == [2, 1, 2])
        #expect(abs(a.total - 1) < 1e-6)
        let h = -(0.2 * log(0.2) + 0.5 * log(0.5) + 0.3 * log(0.3))
        #expect(abs(a.entropy - h) < 1e-6 && abs(a.maxEntropy - log(3)) < 1e-12)
        #expect(abs(a.normalisedEntropy - h / log(3)) < 1e-6)
        #expect(abs(a.uniformWeight - 1.0 / 3) < 1e-12 && a.gcnMeanWeight == 0.5 && abs(a.selfWeight - 0.2) < 1e-7)
        // Ties: the lower node index first.
        let u = AttentionInspection.node(3, in: Self.handBuilt(weights: Self.uniform))
        #expect(u.neighbours.map(\.node) == [.user(0), .movie(1)] && abs(u.normalisedEntropy - 1) < 1e-6)
    }

    @Test func summaryOfUniformAttentionIsUniform() {
        let s = AttentionInspection.summary(Self.handBuilt(weights: Self.uniform), bins: 4)
        #expect(s.nodes == 4 && s.isolatedNodes == 0)
        #expect(s.binEdges == [0, 0.25, 0.5, 0.75, 1] && s.histogram == [0, 0, 0, 4])
        #expect(abs(s.meanNormalisedEntropy - 1) < 1e-6 && abs(s.meanTotalVariation) < 1e-6)
        #expect(abs(s.meanSelfWeightOverUniform - 1) < 1e-6)
    }

    @Test func summaryOfSkewedAttentionByHand() {
        let s = AttentionInspection.summary(Self.handBuilt(weights: Self.skewed), bins: 10)
        func entropy(_ a: [Double]) -> Double { -a.reduce(0) { $0 + $1 * log($1) } }
        let normalised = [entropy([0.2, 0.5, 0.3]) / log(3), entropy([0.6, 0.4]) / log(2),
                          entropy([0.7, 0.1, 0.2]) / log(3), entropy([0.25, 0.75]) / log(2)]
        #expect(abs(s.meanNormalisedEntropy - normalised.reduce(0, +) / 4) < 1e-6)
        #expect(abs(s.meanNormalisedEntropyUsers - (normalised[0] + normalised[1]) / 2) < 1e-6)
        #expect(s.histogram.reduce(0, +) == 4)
        for x in normalised { #expect(s.histogram[min(9, Int(x * 10))] >= 1) }
        let tv = [(abs(0.2 - 1.0 / 3) + abs(0.5 - 1.0 / 3) + abs(0.3 - 1.0 / 3)) / 2, 0.1,
                  (abs(0.7 - 1.0 / 3) + abs(0.1 - 1.0 / 3) + abs(0.2 - 1.0 / 3)) / 2, 0.25]
        #expect(abs(s.meanTotalVariation - tv.reduce(0, +) / 4) < 1e-6)
        // Non-self edges (relative weight, source degree): u0<-m0 (1.5, 2), u0<-m1 (0.9, 1),
        // u1<-m0 (0.8, 2), m0<-u0 (2.1, 2), m0<-u1 (0.3, 1), m1<-u0 (0.5, 2).
        let expected = RankCorrelation.spearman([1.5, 0.9, 0.8, 2.1, 0.3, 0.5], [2, 1, 2, 2, 1, 2])!
        #expect(abs(s.degreeCorrelation! - expected) < 1e-6)
    }

    @Test func rankCorrelationByHand() {
        #expect(RankCorrelation.ranks([10, 20, 20, 5]) == [2, 3.5, 3.5, 1])
        #expect(abs(RankCorrelation.spearman([1, 2, 3, 4], [10, 40, 90, 160])! - 1) < 1e-12)
        #expect(abs(RankCorrelation.spearman([1, 2, 3], [3, 2, 1])! + 1) < 1e-12)
        // Pearson of ranks [1,2,3,4] and [1.5,1.5,3,4]: 4.5 / sqrt(5 * 4.5) = 3 / sqrt(10).
        #expect(abs(RankCorrelation.spearman([1, 2, 3, 4], [7, 7, 8, 9])! - 3 / 10.0.squareRoot()) < 1e-12)
        #expect(RankCorrelation.pearson([1, 1], [2, 3]) == nil)
    }

    @Test func pathsMultiplyTheAttentionAlongTheWay() throws {
        // Layer 1 (first hop m1 -> u2) and layer 2 (u -> m1 and u2 -> m).
        // User 1 rated m0; user 0 rated m0 and m1. Explain m1 for user 1: u1 -> m0 -> u0 -> m1.
        let l1 = Self.handBuilt(layer: 1, weights: Self.skewed)
        let l2 = Self.handBuilt(layer: 2, weights: Self.uniform)
        let e = try AttentionInspection.explain(user: 1, movie: 1, attention: [[l1], [l2]])
        // a2[u1 <- m0] = 0.5, a1[u0 <- m0] = 0.5, a2[m1 <- u0] = 0.5.
        #expect(e.pathCount == 1 && e.paths.count == 1)
        let p = e.paths[0]
        #expect(p.ratedMovie == 0 && p.viaUser == 0)
        #expect(p.userFromRated == 0.5 && p.viaFromRated == 0.5 && p.movieFromVia == 0.5)
        #expect(abs(p.weight - 0.125) < 1e-9 && abs(e.totalWeight - 0.125) < 1e-9)
        // Explaining m0 for user 0 (who rated it, so u2 = u0 is a path too): via u1 through m0,
        // via u0 through m0, via u0 through m1; a2 = 1/3 on every hop of u0's and m0's rows.
        let f = try AttentionInspection.explain(user: 0, movie: 0, attention: [[l1], [l2]], top: 1)
        let viaU1 = (1.0 / 3) * 0.4 * (1.0 / 3), viaU0 = (1.0 / 3) * 0.5 * (1.0 / 3)
        let viaM1 = (1.0 / 3) * 0.3 * (1.0 / 3)   // a1[u0 <- m1] = 0.3
        #expect(f.pathCount == 3 && f.paths.count == 1)
        #expect(abs(f.totalWeight - (viaU1 + viaU0 + viaM1)) < 1e-7)
        #expect(f.paths[0].viaUser == 0 && f.paths[0].ratedMovie == 0 && abs(f.paths[0].weight - viaU0) < 1e-7)
        #expect(throws: RecError.self) { try AttentionInspection.explain(user: 0, movie: 0, attention: [[l1]]) }
        #expect(throws: RecError.self) { try AttentionInspection.explain(user: 5, movie: 0, attention: [[l1], [l2]]) }
    }

    @Test func headsAreAveragedForPaths() {
        let a = Self.handBuilt(head: 1, weights: Self.skewed), b = Self.handBuilt(head: 2, weights: Self.uniform)
        let m = AttentionWeights.mean([a, b])
        #expect(m.head == 0 && abs(m.weight[1] - (0.5 + 1.0 / 3) / 2) < 1e-7)
    }

    @Test func exportRowsCoverEveryEdgeLayerAndHead() {
        let graph = TinyGraph.make()
        let model = GAT(graph: graph, options: TinyGraph.options(["heads": "2"]))
        let attention = model.attention(on: graph)
        let rows = AttentionInspection.edges(attention)
        let nnz = attention[0][0].edgeCount
        #expect(nnz == 2 * graph.edgeCount + graph.nodeCount)
        #expect(rows.count == 2 * 2 * nnz)
        #expect(rows.filter(\.isSelfLoop).count == 4 * graph.nodeCount)
        let r = rows[2 * nnz + 5]   // layer 2, head 1, entry 5
        #expect(r.layer == 2 && r.head == 1 && r.weight == attention[1][0].weight[5])
        // Every destination's weights sum to 1 per layer and head.
        var sums: [String: Double] = [:]
        for r in rows { sums["\(r.layer)/\(r.head)/\(r.destination)", default: 0] += Double(r.weight) }
        #expect(sums.count == 4 * graph.nodeCount && sums.values.allSatisfy { abs($0 - 1) < 1e-5 })
        // Movie nodes come out as movie indices.
        #expect(rows.contains { $0.destination == .movie(graph.movieCount - 1) })
    }

    @Test func nodeAttentionOfARealModelSumsToOnePerHead() {
        let graph = TinyGraph.make()
        let model = GAT(graph: graph, options: TinyGraph.options(["heads": "3", "ids": "on"]))
        let all = AttentionInspection.node(graph.movieNode(2), in: model.attention(on: graph))
        #expect(all.count == 6)
        for a in all {
            #expect(abs(a.total - 1) < 1e-5)
            #expect(a.neighbours.filter(\.isSelfLoop).count == 1)
            #expect(zip(a.neighbours, a.neighbours.dropFirst()).allSatisfy { $0.weight >= $1.weight })
            #expect(a.entropy <= a.maxEntropy + 1e-9 && a.neighbours.count == graph.degree(movie: 2) + 1)
        }
    }
}
