import Foundation
import Tensors

/// Training-speed benchmarks for `bench`: seconds per epoch as the median
/// over several timed epochs (graph preparation excluded, as it happens once
/// per training run).
public enum EngineBenchmarks {
    public struct EpochTiming: Sendable {
        public var model: String
        public var threads: Int
        public var medianSeconds: Double
        public var epochSeconds: [Double]
        public var batchesPerEpoch: Int
    }

    /// Median seconds per epoch of `model` (gcn, lightgcn, mf) trained on
    /// `graph` with `options` (seed hyperparameters by default) for `epochs`
    /// epochs, using `threads` BLAS threads and kernel chunks. Restores
    /// recsh's default thread setting afterwards.
    public static func secondsPerEpoch(model: String = "gcn", graph: InteractionGraph,
                                       options: TrainOptions = TrainOptions(), epochs: Int = 5,
                                       threads: Int = 1) throws -> EpochTiming {
        var o = options
        o.epochs = epochs
        BLAS.configure(threads: threads)
        defer { BLAS.useDefaultThreads() }
        let trainer = Trainer(options: o)
        let history: TrainingHistory
        switch model {
        case "gcn": var m = GCN(graph: graph, options: o); history = try trainer.train(&m, on: graph)
        case "lightgcn": var m = LightGCN(graph: graph, options: o); history = try trainer.train(&m, on: graph)
        case "mf": var m = MatrixFactorization(graph: graph, options: o); history = try trainer.train(&m, on: graph)
        default: throw RecError("bench: no training benchmark for model '\(model)' (gcn, lightgcn, mf)")
        }
        let sorted = history.epochSeconds.sorted()
        return EpochTiming(model: model, threads: threads, medianSeconds: sorted[sorted.count / 2],
                           epochSeconds: history.epochSeconds,
                           batchesPerEpoch: (graph.edgeCount + o.batchSize - 1) / o.batchSize)
    }
}
