import Foundation
import Synchronization
import Tensors

/// Training-speed benchmarks for `bench`: seconds per epoch as medians over
/// timed epochs. The first epoch is a warm-up and not counted; graph
/// preparation happens once per run and is excluded.
///
/// Both wall time and process CPU time are measured: on a machine shared
/// with other work, wall time inflates with the load while CPU time (with
/// one thread) stays close to what the epoch costs on an idle core.
public enum EngineBenchmarks {
    public struct EpochTiming: Sendable {
        public var model: String
        public var threads: Int
        /// BLAS kernel in use (OpenBLAS core name).
        public var blasCore: String
        /// Median wall seconds per epoch.
        public var medianSeconds: Double
        /// Median process CPU seconds per epoch (all threads summed).
        public var medianCPUSeconds: Double
        public var epochSeconds: [Double]
        public var epochCPUSeconds: [Double]
        public var batchesPerEpoch: Int
    }

    /// Median seconds per epoch of `model` (gcn, lightgcn, mf) trained on
    /// `graph` with `options` (seed hyperparameters by default) over `epochs`
    /// timed epochs, with `threads` BLAS threads and kernel chunks. Restores
    /// recsh's default thread setting afterwards.
    public static func secondsPerEpoch(model: String = "gcn", graph: InteractionGraph,
                                       options: TrainOptions = TrainOptions(), epochs: Int = 5,
                                       threads: Int = 1) throws -> EpochTiming {
        var o = options
        o.epochs = epochs + 1
        BLAS.configure(threads: threads)
        defer { BLAS.useDefaultThreads() }
        let marks = Mutex<[(wall: Double, cpu: Double)]>([])
        let control = RunControl(report: { u in
            if u.done == u.total { marks.withLock { $0.append((wallClock(), ProcessClock.cpuSeconds())) } }
        })
        let trainer = Trainer(options: o, control: control)
        switch model {
        case "gcn": var m = GCN(graph: graph, options: o); _ = try trainer.train(&m, on: graph)
        case "lightgcn": var m = LightGCN(graph: graph, options: o); _ = try trainer.train(&m, on: graph)
        case "mf": var m = MatrixFactorization(graph: graph, options: o); _ = try trainer.train(&m, on: graph)
        case "gat": var m = GAT(graph: graph, options: o); _ = try trainer.train(&m, on: graph)
        default: throw RecError("bench: no training benchmark for model '\(model)' (gcn, gat, lightgcn, mf)")
        }
        let m = marks.withLock { $0 }
        let wall = zip(m.dropFirst(), m).map { $0.wall - $1.wall }
        let cpu = zip(m.dropFirst(), m).map { $0.cpu - $1.cpu }
        return EpochTiming(model: model, threads: threads, blasCore: BLAS.coreName,
                           medianSeconds: median(wall), medianCPUSeconds: median(cpu),
                           epochSeconds: wall, epochCPUSeconds: cpu,
                           batchesPerEpoch: (graph.edgeCount + o.batchSize - 1) / o.batchSize)
    }

    static func median(_ xs: [Double]) -> Double { xs.isEmpty ? 0 : xs.sorted()[xs.count / 2] }

    static func wallClock() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
}
