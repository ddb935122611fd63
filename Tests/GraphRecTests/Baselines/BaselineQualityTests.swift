import Foundation
import Testing
import Tensors
@testable import GraphRec

/// The baselines on ML-100K (ratings >= 3, warm 80/10/10, seed 0) through the
/// test-only reader and metrics of `BaselineBench`. Prints each model's
/// validation and test metrics and its median fit time; asserts only what
/// must hold (every personalised baseline beats popularity).
@Suite(.enabled(if: BaselineBench.available, "needs ML-100K (RECSH_TEST_DATA)"))
struct BaselineQualityTests {
    @Test func benchEvaluatorMatchesHandComputedCase() {
        // One user, 4 movies scored 4, 3, 3, 1; movie 0 excluded; targets {2, 3}; k = 2.
        // Ranking without 0: 1 (3, ties to lower index), 2 (3), 3 (1) -> top 2 = [1, 2], one hit at rank 2.
        let e = Embeddings(users: Matrix([[1]]), items: Matrix([[4], [3], [3], [1]]))
        let m = BaselineBench.evaluate(e, target: [Edge(0, 2), Edge(0, 3)], exclude: [[Edge(0, 0)]], k: 2)
        let ndcg = (1 / log2(3.0)) / (1 + 1 / log2(3.0))
        #expect(m.precision == 0.5 && m.recall == 0.5 && m.mrr == 0.5 && abs(m.ndcg - ndcg) < 1e-12 && m.users == 1)
    }

    @Test func everyBaselineOnWarmSplit() throws {
        let data = try BaselineBench.load(seed: 0)
        #expect(data.train.count + data.validation.count + data.test.count == 82_520)
        let graph = data.graph
        var ndcg: [String: Double] = [:]
        for kind in baselineKinds {
            var times: [Double] = []
            var model: (any Recommender)?
            for _ in 0..<3 {
                let start = ContinuousClock.now
                model = try ModelRegistry.kind(kind).fit(FitRequest(graph: graph, options: try ModelRegistry.kind(kind).parse([:]))).recommender
                times.append(Baselines.seconds(ContinuousClock.now - start))
            }
            let (val, test) = BaselineBench.measure(model!, on: data)
            print("baseline \(kind) fit median \(String(format: "%.3f", times.sorted()[1])) s | val \(val) | test \(test)")
            ndcg[kind] = test.ndcg
        }
        #expect(ndcg["pop"]! > 0.05)
        for kind in baselineKinds where kind != "pop" { #expect(ndcg[kind]! > ndcg["pop"]!, "\(kind) below popularity") }
        #expect(ndcg["svd"]! > 0.25 && ndcg["ease"]! > 0.25)
    }

    /// Validation NDCG@10 over each baseline's main hyperparameters; run with
    /// RECSH_BASELINE_SWEEP=all (several minutes) or =svd,ease,itemknn,als.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["RECSH_BASELINE_SWEEP"] != nil))
    func hyperparameterSweep() throws {
        let wanted = ProcessInfo.processInfo.environment["RECSH_BASELINE_SWEEP"]!.split(separator: ",").map(String.init)
        let data = try BaselineBench.load(seed: 0)
        let graph = data.graph
        let grid: [(String, [[String: String]])] = [
            ("svd", [5, 10, 15, 20, 25, 30, 40, 50, 75, 100, 150, 200].map { ["factors": "\($0)"] }),
            ("ease", [50, 100, 200, 300, 400, 500, 750, 1000, 2000].map { ["lambda": "\($0)"] }),
            ("itemknn", [10, 20, 50, 100, 200, 400, 1682].flatMap { k in [0, 10].map { ["neighbors": "\(k)", "shrink": "\($0)"] } }),
            ("als", [1, 3, 5, 10, 20, 40].flatMap { a in [1, 10, 20, 30, 50, 100].map { ["alpha": "\(a)", "reg": "\($0)"] } }),
        ]
        for (kind, settings) in grid where wanted.contains("all") || wanted.contains(kind) {
            for options in settings {
                let model = try ModelRegistry.kind(kind).fit(FitRequest(graph: graph, options: try ModelRegistry.kind(kind).parse(options)))
                    .recommender
                let (val, test) = BaselineBench.measure(model, on: data)
                let label = options.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
                print("sweep \(kind) \(label) | val NDCG@10 \(String(format: "%.4f", val.ndcg)) | test \(test)")
            }
        }
    }
}
