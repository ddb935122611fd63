import Foundation
import Testing
import Tensors
@testable import GraphRec

/// GCN on the real ML-100K warm split (test-only loader and NDCG@10 in
/// Support/ML100KTestData.swift). Prints figures; asserts a quality band.
@Suite(.serialized, .enabled(if: ML100KTestData.available)) struct EngineOnMovieLensTests {
    @Test func dataMatchesTheKnownCounts() throws {
        let d = try ML100KTestData.load()
        #expect(d.graph.userCount == 943 && d.graph.movieCount == 1682)
        let total = d.train.joined().count + d.validation.joined().count + d.test.joined().count
        #expect(total == 82_520)
        #expect(d.graph.userFeatures!.cols == 24 && d.graph.movieFeatures!.cols == 18)
    }

    @Test(arguments: ["off", "on"])
    func gcnBPRReachesTheReferenceBand(ids: String) throws {
        BLAS.useDefaultThreads()
        let d = try ML100KTestData.load()
        let o = try TrainOptions(OptionValues(["ids": ids]))
        var model = GCN(graph: d.graph, options: o)
        let h = try Trainer(options: o).train(&model, on: d.graph)
        let ndcg = ML100KTestData.ndcg(model.embed(d.graph), targets: d.test, excluded: ML100KTestData.exclusionsForTestPart(d))
        let perEpoch = h.epochSeconds.sorted()[h.epochSeconds.count / 2]
        print("ENGINE gcn+bpr ids=\(ids): test NDCG@10 \(String(format: "%.4f", ndcg)), loss \(h.loss.first!) -> \(h.loss.last!), median \(String(format: "%.3f", perEpoch)) s/epoch")
        if ids == "off" { #expect(ndcg > 0.14 && ndcg < 0.21) } else { #expect(ndcg > 0.15) }
    }
}
