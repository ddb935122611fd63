import Foundation
import Testing
import Tensors
@testable import GraphRec

/// GAT on the real ML-100K warm split (test-only loader in Support/), seed
/// hyperparameters, 15 epochs. Prints figures (quality, s/epoch, attention
/// summary) to compare with PyG's reference (NDCG@10 0.195 for 1 head + BPR,
/// 0.225 for 4 heads); asserts floors below the measured values.
/// Minutes of training (five 15-epoch runs, one with 4 heads): a measurement,
/// so it runs only with RECSH_QUALITY=1.
@Suite(.serialized, .enabled(if: ML100KTestData.available && ProcessInfo.processInfo.environment["RECSH_QUALITY"] != nil))
struct GATOnMovieLensTests {
    /// P@k, R@k, NDCG@k and MRR@k means over users with test positives (ties: lower index first).
    static func metrics(_ e: Embeddings, _ d: ML100KTestData.Loaded, k: Int = 10) -> (p: Double, r: Double, ndcg: Double, mrr: Double) {
        let scores = BLAS.matmul(e.users, e.items, transposeB: true)
        let excluded = ML100KTestData.exclusionsForTestPart(d)
        var sums = (0.0, 0.0, 0.0, 0.0), users = 0
        for u in 0..<d.test.count where !d.test[u].isEmpty {
            let skip = Set(excluded[u]), hits = Set(d.test[u])
            let ranked = (0..<scores.cols).filter { !skip.contains($0) }
                .sorted { scores[u, $0] > scores[u, $1] || (scores[u, $0] == scores[u, $1] && $0 < $1) }.prefix(k)
            let hitRanks = ranked.enumerated().filter { hits.contains($0.element) }.map(\.offset)
            let ideal = (0..<min(k, hits.count)).reduce(0.0) { $0 + 1 / log2(Double($1) + 2) }
            sums.0 += Double(hitRanks.count) / Double(k)
            sums.1 += Double(hitRanks.count) / Double(hits.count)
            sums.2 += hitRanks.reduce(0.0) { $0 + 1 / log2(Double($1) + 2) } / ideal
            sums.3 += hitRanks.first.map { 1 / Double($0 + 1) } ?? 0
            users += 1
        }
        let n = Double(users)
        return (sums.0 / n, sums.1 / n, sums.2 / n, sums.3 / n)
    }

    @Test(arguments: [("bpr", "off", 1), ("margin", "off", 1), ("bpr", "on", 1), ("margin", "on", 1), ("bpr", "off", 4)])
    func gatReachesTheReferenceBand(loss: String, ids: String, heads: Int) throws {
        BLAS.useDefaultThreads()
        MemoryTuning.keepFreedMatricesMapped()
        let d = try ML100KTestData.load()
        let o = try TrainOptions(OptionValues(["loss": loss, "ids": ids, "heads": "\(heads)"]))
        var model = GAT(graph: d.graph, options: o)
        let h = try Trainer(options: o).train(&model, on: d.graph)
        let m = Self.metrics(model.embed(d.graph), d)
        let perEpoch = h.epochSeconds.sorted()[h.epochSeconds.count / 2]
        print(String(format: "GAT %@ ids=%@ heads=%d: P@10 %.4f R@10 %.4f NDCG@10 %.4f MRR@10 %.4f; loss %.4f -> %.4f; median %.3f s/epoch (2 threads)",
                     loss, ids, heads, m.p, m.r, m.ndcg, m.mrr, h.loss.first!, h.loss.last!, perEpoch))
        for s in AttentionInspection.summary(model.attention(on: d.graph)) {
            print(String(format: "  attention layer %d head %d: mean H/Hmax %.3f (users %.3f, movies %.3f), median %.3f, mean TV from uniform %.3f, self/uniform %.2f, spearman(weight, source degree) %.3f, histogram %@",
                         s.layer, s.head, s.meanNormalisedEntropy, s.meanNormalisedEntropyUsers, s.meanNormalisedEntropyMovies,
                         s.medianNormalisedEntropy, s.meanTotalVariation, s.meanSelfWeightOverUniform,
                         s.degreeCorrelation ?? .nan, s.histogram.map(String.init).joined(separator: " ")))
        }
        #expect(h.loss.last! < h.loss.first!)
        // Regression floors below the measured values: with ReLU and the per-type input Linear,
        // `split warm seed=0` through the shell gave 1 head 0.202 (bpr) / 0.168 (margin) features-only,
        // against PyG's 0.195; 4 heads 0.228 (PyG 0.225). (ELU and the raw input gave 0.155 / 0.137.)
        switch (ids, heads) {
        case ("off", 1): #expect(m.ndcg > (loss == "bpr" ? 0.18 : 0.15))
        case ("off", _): #expect(m.ndcg > 0.20)
        default: #expect(m.ndcg > 0.20)
        }
    }

    /// Seconds per epoch, 1 and 4 heads, one and two threads (printed, not asserted).
    /// `RECSH_GAT_SPEED_HEADS=1` limits the run to one head count.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["RECSH_BENCH"] != nil, "benchmark: set RECSH_BENCH=1"))
    func gatSpeed() throws {
        let d = try ML100KTestData.load()
        let only = ProcessInfo.processInfo.environment["RECSH_GAT_SPEED_HEADS"].flatMap { Int($0) }
        for heads in only.map({ [$0] }) ?? [1, 4] {
            var o = TrainOptions()
            o.heads = heads
            let p = try GATBenchmarks.stepProfile(graph: d.graph, options: o, threads: 1)
            print(String(format: "GAT heads=%d step (1 thread, CPU): forward %.1f ms, backward %.1f ms, adam %.1f ms",
                         heads, p.forward * 1e3, p.backward * 1e3, p.adam * 1e3))
            for threads in [1, 2] {
                let t = try GATBenchmarks.secondsPerEpoch(graph: d.graph, options: o, epochs: 3, threads: threads)
                let cpu = t.medianCPUSeconds
                print(String(format: "GAT heads=%d threads=%d: median %.3f s/epoch wall, %.3f CPU s/epoch, over %d epochs (%d batches each)",
                             heads, threads, t.medianSeconds, cpu, t.epochSeconds.count, t.batchesPerEpoch))
                #expect(t.epochSeconds.count == 3)
                #expect(t.model == (heads == 1 ? "gat" : "gat-\(heads)heads"))
            }
        }
    }
}
