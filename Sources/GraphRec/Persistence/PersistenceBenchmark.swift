import Foundation
import Tensors

/// Times saving and restoring a session of ML-100K size, for `bench` and the report.
public enum PersistenceBenchmark {
    public struct Result: Sendable, Equatable {
        public var saveMedianSeconds: Double
        public var restoreMedianSeconds: Double
        public var runs: Int
        /// Size of the bundle written (all three files).
        public var bytes: Int
        public var tensorCount: Int
    }

    /// A session shaped like three trained ML-100K graph models (943 users,
    /// 1682 movies, 42 input features, hidden 128, output 64, ID embeddings
    /// on), with a 100k-edge split; values are seeded noise.
    public static func mlScaleSnapshot(models count: Int = 3, seed: UInt64 = 0) -> SessionSnapshot {
        var rng = SeededGenerator(seed: seed)
        func noise(_ rows: Int, _ cols: Int) -> Matrix {
            var m = Matrix(rows: rows, cols: cols)
            for i in 0..<m.count { m.storage[i] = Float.random(in: -1...1, using: &rng) }
            return m
        }
        let (users, movies, nodes) = (943, 1682, 2625)
        var edges: [Edge] = []
        edges.reserveCapacity(100_000)
        for i in 0..<100_000 { edges.append(Edge(i % users, (i &* 7919) % movies)) }
        let split = Split(kind: .warm, ratios: [80, 10, 10], seed: seed, train: Array(edges[0..<80_000]),
                          validation: Array(edges[80_000..<90_000]), test: Array(edges[90_000...]))
        var history = TrainingHistory()
        history.loss = (0..<15).map { 0.7 / Double($0 + 1) }
        history.epochSeconds = Array(repeating: 0.5, count: 15)
        let models = (0..<count).map { k in
            ModelRecord(
                name: "model\(k)", kind: k % 2 == 0 ? "gcn" : "gat",
                options: ["dim": "64", "hidden": "128", "ids": "on", "loss": "bpr"], history: history,
                lastMetrics: ["ndcg": 0.3, "precision": 0.3], lastMetricsOn: "test",
                parameters: [
                    "ids": noise(nodes, 64), "layer0.W": noise(42 + 64, 128), "layer0.B": noise(42 + 64, 128),
                    "layer1.W": noise(128, 128), "layer1.B": noise(128, 128),
                    "layer2.W": noise(128, 64), "layer2.B": noise(128, 64), "attention": noise(1, 256),
                ],
                embeddings: Embeddings(users: noise(users, 64), items: noise(movies, 64)))
        }
        return SessionSnapshot(recshVersion: "bench", dataset: .init(name: "ml-100k", layout: "ml-100k", path: "/data",
                                                                     sha256: String(repeating: "0", count: 64), minRating: 3),
                               split: split, settings: ["k": "10"], models: models,
                               transcript: String(repeating: "> eval\n| model | ndcg |\n", count: 200))
    }

    /// Medians over `runs` saves (each replacing the last) and restores of `snapshot` in `directory`.
    public static func run(directory: String, runs: Int = 11, snapshot: SessionSnapshot = mlScaleSnapshot()) throws -> Result {
        var saves: [Double] = [], restores: [Double] = []
        var bytes = 0
        for _ in 0..<runs {
            let t0 = DispatchTime.now().uptimeNanoseconds
            bytes = try snapshot.save(name: "bench", directory: directory).bytes
            let t1 = DispatchTime.now().uptimeNanoseconds
            let restored = try SessionSnapshot.load(name: "bench", directory: directory)
            let t2 = DispatchTime.now().uptimeNanoseconds
            precondition(restored.models.count == snapshot.models.count)
            saves.append(Double(t1 - t0) / 1e9)
            restores.append(Double(t2 - t1) / 1e9)
        }
        try? FileManager.default.removeItem(atPath: directory + "/bench")
        let tensors = try snapshot.manifestAndTensors().1.count
        return Result(saveMedianSeconds: median(saves), restoreMedianSeconds: median(restores), runs: runs,
                      bytes: bytes, tensorCount: tensors)
    }

    private static func median(_ xs: [Double]) -> Double {
        let s = xs.sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }
}
