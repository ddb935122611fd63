import Foundation
import Tensors

/// GAT training speed for `bench`, in `EngineBenchmarks`' terms: median
/// seconds per epoch over timed epochs (graph preparation excluded). The
/// reference is PyG's GATConv at 17.4 s/epoch (1 head, one thread) on ML-100K.
public enum GATBenchmarks {
    /// Median seconds per epoch of a GAT with `options` (seed hyperparameters,
    /// `options.heads` heads) trained on `graph` for `epochs` epochs with
    /// `threads` BLAS threads and kernel chunks, and the process CPU seconds
    /// per epoch over the same run (on a machine shared with other work, CPU
    /// time with one thread is what the epoch costs without the contention).
    /// Restores recsh's default thread setting afterwards. Calls
    /// `MemoryTuning.keepFreedMatricesMapped()` (recsh's startup should too).
    public static func secondsPerEpoch(graph: InteractionGraph, options: TrainOptions = TrainOptions(),
                                       epochs: Int = 5, threads: Int = 1) throws -> EngineBenchmarks.EpochTiming {
        MemoryTuning.keepFreedMatricesMapped()
        var timing = try EngineBenchmarks.secondsPerEpoch(model: "gat", graph: graph, options: options,
                                                          epochs: epochs, threads: threads)
        timing.model = options.heads == 1 ? "gat" : "gat-\(options.heads)heads"
        return timing
    }

    /// Median process CPU seconds of one training step's parts on `graph`
    /// (forward to the loss, backward, Adam), over `repeats` steps of a
    /// seed-sized batch: where an epoch's time goes.
    public static func stepProfile(graph: InteractionGraph, options: TrainOptions = TrainOptions(),
                                   repeats: Int = 9, threads: Int = 1) throws -> (forward: Double, backward: Double, adam: Double) {
        MemoryTuning.keepFreedMatricesMapped()
        BLAS.configure(threads: threads)
        defer { BLAS.useDefaultThreads() }
        var model = GAT(graph: graph, options: options)
        let context = model.makeContext(graph)
        let sampler = try NegativeSampler(graph)
        var rng = SeededGenerator(seed: options.seed, stream: "bench.gat")
        var adam = Adam(learningRate: options.learningRate)
        var times: [(Double, Double, Double)] = []
        func now() -> Double { ProcessClock.cpuSeconds() }
        for r in 0..<max(repeats, 1) {
            let edges = Array(graph.edges[(r * options.batchSize % graph.edgeCount)...].prefix(options.batchSize))
            let batch = PairBatch(edges, negatives: options.negatives, sampler: sampler, rng: &rng)
            let t0 = now()
            // The tape lives only inside this closure, so Adam updates the weights in place.
            let (gradients, t1, t2): ([String: Matrix], Double, Double) = {
                let tape = Tape()
                let (weights, variables) = Trainer.bind(model, on: tape)
                let loss = Trainer.batchLoss(tape, model, context, weights: weights, batch: batch, options: options)
                let t1 = now()
                tape.backward(loss)
                return (variables.compactMapValues { tape.gradient($0) }, t1, now())
            }()
            adam.step(&model.parameters, gradients: gradients)
            let t3 = now()
            times.append((t1 - t0, t2 - t1, t3 - t2))
        }
        func median(_ xs: [Double]) -> Double { xs.sorted()[xs.count / 2] }
        return (median(times.map(\.0)), median(times.map(\.1)), median(times.map(\.2)))
    }
}
