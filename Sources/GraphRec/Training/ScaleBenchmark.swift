import Foundation
import Synchronization
import Tensors

/// `bench scale`: what each stage costs on a synthetic MovieLens-shaped data
/// set of 1M, 10M or 25M ratings, so that growth with size can be read off.
///
/// Per shape: generating the data, one epoch of each graph model (GCN as
/// `sampler=auto` trains it, and on the full graph and neighbour-sampled at
/// the fixed batch; GAT and LightGCN as `auto` trains them), the item-item fits (EASE, ItemKNN, through the registry), exact
/// evaluation of every test user, saving the session, and the process's
/// peak resident memory. An epoch of a large graph takes long, so by default
/// only `batches` batches are timed (after one warm-up batch) and the
/// epoch's time is the median batch time times the batches in an epoch;
/// `batches: nil` times `epochs` whole epochs instead.
public enum ScaleBenchmark {
    public struct Settings: Sendable {
        /// "synthetic-1m", "synthetic-10m" or "synthetic-25m".
        public var shape: String
        /// Batches timed per model (after a warm-up batch); nil: whole epochs.
        public var batches: Int? = 20
        /// Whole epochs timed per model when `batches` is nil.
        public var epochs = 1
        /// Also fit EASE and ItemKNN (their cost grows with movies squared).
        public var itemModels = true
        /// Positives per batch of the graph models (the seed study's 1024 by default).
        public var batchSize = TrainOptions().batchSize

        /// The defaults above for `shape`; callers change the fields they are given.
        public init(shape: String) { self.shape = shape }
    }

    /// One measured thing: its name, seconds (a median, or the single run's),
    /// how many runs, and the figure it exists for.
    public struct Measurement: Sendable {
        public var name: String
        public var medianSeconds: Double
        public var runs: Int
        public var figure: (key: String, value: Double)?
        public var details: [(String, DetailValue)] = []
    }

    public enum DetailValue: Sendable {
        case int(Int)
        case double(Double)
        case string(String)
    }

    public struct Report: Sendable {
        public var shape: String
        public var measurements: [Measurement]
        /// What could not be measured, and why (e.g. a fit refused as too large).
        public var skipped: [(name: String, reason: String)]
        /// Peak resident memory of this process so far (VmHWM), bytes.
        public var peakResidentBytes: Int?
        /// Size of the saved session (data set record, split, trained models).
        public var bundleBytes: Int?
    }

    public static func run(_ settings: Settings, sessionsDirectory: String, control: RunControl = .silent) throws -> Report {
        guard var shape = SyntheticData.shape(named: settings.shape) else {
            throw RecError("bench scale: unknown shape '\(settings.shape)' (\(SyntheticData.named.map(\.name).joined(separator: ", ")))")
        }
        shape.seed = 0
        var report = Report(shape: settings.shape, measurements: [], skipped: [])
        func stop() throws { if control.shouldStop() { throw RecError("bench scale: interrupted") } }

        var started = Date()
        let dataset = try SyntheticData.generate(shape, name: settings.shape, control: control)
        let split = try Split.warm(positives: dataset.positives, ratios: [80, 10, 10], seed: 0)
        let graph = dataset.graph(for: split)
        report.measurements.append(Measurement(
            name: "generate \(settings.shape)", medianSeconds: Date().timeIntervalSince(started), runs: 1, figure: nil,
            details: [("ratings", .int(dataset.ratings.count)), ("train_edges", .int(graph.edgeCount)),
                      ("users", .int(graph.userCount)), ("movies", .int(graph.movieCount))]))

        var models: [TrainedModel] = []
        // GCN as auto trains it, then on the full graph and neighbour-sampled at the fixed batch, for comparison.
        let runs: [(kind: String, sampler: NeighborSampling.Choice)] =
            [("gcn", .auto), ("gcn", .full), ("gcn", .neighbors), ("gat", .auto), ("lightgcn", .auto)]
        for (kind, sampler) in runs {
            try stop()
            var options = TrainOptions()
            options.sampler = sampler
            options.batchSize = settings.batchSize
            options = NeighborSampling.resolve(options, graph: graph).options
            let label = sampler == .auto ? "auto" : sampler.rawValue
            control.report(ProgressUpdate(label: "bench scale \(kind)", done: 0, total: 1, detail: "sampler \(label)"))
            let (timing, trained) = try epochSeconds(kind, options: options, graph: graph, settings: settings, control: control)
            if kind == "gcn" && sampler == .auto {     // kept: evaluated and saved below
                models.append(TrainedModel(name: "gcn", recommender: trained.recommender, options: trained.options.asDictionary,
                                           history: trained.history, scorer: trained.recommender.scorer(graph)))
            }
            var details: [(String, DetailValue)] = [("sampler", .string(options.sampler == .auto ? "full" : options.sampler.rawValue)),
                                                    ("batches_per_epoch", .int(timing.batchesPerEpoch)),
                                                    ("timed_batches", .int(timing.timedBatches)),
                                                    ("batch", .int(options.batchSize)),
                                                    ("lr", .double(Double("\(options.learningRate)") ?? Double(options.learningRate)))]
            if let cpu = timing.cpuSecondsPerEpoch { details.append(("cpu_seconds_per_epoch", .double(cpu))) }
            if options.sampler == .neighbors { details.append(("fanout", .string(options.fanout.map(String.init).joined(separator: ",")))) }
            report.measurements.append(Measurement(
                name: "train \(kind) sampler=\(label)", medianSeconds: timing.secondsPerEpoch, runs: timing.runs,
                figure: ("seconds_per_epoch", timing.secondsPerEpoch), details: details))
        }

        if settings.itemModels {
            for kind in ["itemknn", "ease"] {
                try stop()
                control.report(ProgressUpdate(label: "bench scale \(kind)", done: 0, total: 1))
                started = Date()
                do {
                    let fitted = try ModelRegistry.fit(kind, options: [:], split: split, graph: graph, control: control)
                    report.measurements.append(Measurement(name: "fit \(kind)", medianSeconds: Date().timeIntervalSince(started),
                                                           runs: 1, figure: nil))
                    models.append(TrainedModel(name: kind, recommender: fitted.recommender, options: fitted.options.text,
                                               history: fitted.history, scorer: fitted.scorer))
                } catch let error as RecError {
                    report.skipped.append(("fit \(kind)", error.message))
                }
            }
        }

        try stop()
        if let gcn = models.first {
            let evaluator = try Evaluator(split: split, graph: graph, on: .test, k: 10)
            let result = evaluator.evaluate(gcn.scorer)
            report.measurements.append(Measurement(
                name: "eval all test users k=10", medianSeconds: result.seconds, runs: 1,
                figure: ("users_per_second", result.usersPerSecond),
                details: [("users", .int(result.users)), ("workers", .int(evaluator.workers))]))
        }

        try stop()
        started = Date()
        let snapshot = SessionSnapshot(recshVersion: "bench", dataset: .init(dataset), split: split, settings: [:],
                                       models: models.map(ModelRecord.init), transcript: "")
        let name = "bench-scale-\(ProcessInfo.processInfo.processIdentifier)"
        let saved = try snapshot.save(name: name, directory: sessionsDirectory)
        try? FileManager.default.removeItem(atPath: saved.path)
        report.measurements.append(Measurement(
            name: "save session (\(models.map(\.name).joined(separator: ", ")))",
            medianSeconds: Date().timeIntervalSince(started), runs: 1, figure: nil,
            details: [("bytes", .int(saved.bytes))]))
        report.bundleBytes = saved.bytes
        report.peakResidentBytes = peakResidentBytes()
        return report
    }

    struct Trained {
        var recommender: any Recommender
        var options: TrainOptions
        var history: TrainingHistory
    }

    struct EpochTiming {
        var secondsPerEpoch: Double
        /// Process CPU seconds (both cores summed): on a shared machine wall time inflates with the load, CPU time less.
        var cpuSecondsPerEpoch: Double?
        var runs: Int
        var batchesPerEpoch: Int
        var timedBatches: Int
    }

    /// Seconds per epoch of `kind` with `options` (defaults: the seed study's), and the model trained so far.
    static func epochSeconds(_ kind: String, options: TrainOptions, graph: InteractionGraph, settings: Settings,
                             control: RunControl) throws -> (EpochTiming, Trained) {
        var o = options
        let batchesPerEpoch = (graph.edgeCount + o.batchSize - 1) / o.batchSize
        // Marks at the end of every batch; with a batch limit, stop after the warm-up batch and `batches` more.
        let marks = Mutex<[(wall: Double, cpu: Double)]>([])
        let limit = settings.batches.map { $0 + 1 }
        o.epochs = settings.batches == nil ? settings.epochs : 1
        let run = RunControl(shouldStop: {
            if control.shouldStop() { return true }
            guard let limit else { return false }
            return marks.withLock { $0.count } >= limit
        }, report: { u in
            marks.withLock { $0.append((Double(DispatchTime.now().uptimeNanoseconds) / 1e9, ProcessClock.cpuSeconds())) }
            control.report(ProgressUpdate(label: "bench scale \(kind)", done: u.done, total: limit ?? u.total,
                                          detail: u.detail))
        })
        let trainer = Trainer(options: o, control: run)
        let recommender: any Recommender, history: TrainingHistory
        switch kind {
        case "gcn": var m = GCN(graph: graph, options: o); history = try trainer.train(&m, on: graph); recommender = m
        case "gat": var m = GAT(graph: graph, options: o); history = try trainer.train(&m, on: graph); recommender = m
        case "lightgcn": var m = LightGCN(graph: graph, options: o); history = try trainer.train(&m, on: graph); recommender = m
        default: throw RecError("bench scale: no training benchmark for '\(kind)'")
        }
        if control.shouldStop() { throw RecError("bench scale: interrupted") }
        let timing: EpochTiming
        if settings.batches != nil {
            let m = marks.withLock { $0 }
            let wall = zip(m.dropFirst(), m).map { $0.wall - $1.wall }, cpu = zip(m.dropFirst(), m).map { $0.cpu - $1.cpu }
            timing = EpochTiming(secondsPerEpoch: median(wall) * Double(batchesPerEpoch),
                                 cpuSecondsPerEpoch: median(cpu) * Double(batchesPerEpoch), runs: wall.count,
                                 batchesPerEpoch: batchesPerEpoch, timedBatches: wall.count)
        } else {
            // Epoch ends are the marks of each epoch's last batch.
            let all = marks.withLock { $0 }
            let ends = stride(from: batchesPerEpoch - 1, to: all.count, by: batchesPerEpoch).map { all[$0] }
            let cpu = zip(ends.dropFirst(), ends).map { $0.cpu - $1.cpu }
            timing = EpochTiming(secondsPerEpoch: median(history.epochSeconds),
                                 cpuSecondsPerEpoch: cpu.isEmpty ? nil : median(cpu), runs: history.epochSeconds.count,
                                 batchesPerEpoch: batchesPerEpoch, timedBatches: history.epochSeconds.count * batchesPerEpoch)
        }
        return (timing, Trained(recommender: recommender, options: o, history: history))
    }

    static func median(_ xs: [Double]) -> Double { xs.isEmpty ? 0 : xs.sorted()[xs.count / 2] }

    /// The process's peak resident set (Linux /proc/self/status VmHWM), nil elsewhere.
    public static func peakResidentBytes() -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kb = line.split(separator: " ").dropFirst().first.flatMap({ Int($0) }) else { return nil }
        return kb * 1024
    }
}
