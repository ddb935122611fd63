import Foundation
import Tensors

/// The loop every gradient-trained model runs: each epoch shuffles the
/// positives and trains on them batch by batch, reporting progress; Ctrl-C
/// ends it between batches; the mean loss and seconds of each epoch are
/// recorded. With validation, the best epoch's weights are kept and
/// `patience` epochs without improvement stop it early.
struct EpochLoop {
    var epochs: Int
    var batchSize: Int
    var patience: Int?
    /// Progress label before "epoch E/N" ("gmf " while NCF pretrains a tower).
    var label: String = ""
    var control: RunControl

    /// Runs the epochs over `positives` positives. `step` trains on one batch
    /// (indices into the positives) and returns its mean loss; when
    /// `validates`, `validate` returns NDCG of the weights an epoch offers,
    /// with those weights. Returns the history and the best epoch's weights
    /// (nil without validation).
    func run(positives: Int, shuffle: inout SeededGenerator, validates: Bool,
             step: (ArraySlice<Int>) throws -> Double,
             validate: () -> (ndcg: Double, parameters: [String: Matrix])) rethrows
        -> (history: TrainingHistory, best: [String: Matrix]?) {
        let batches = (positives + batchSize - 1) / batchSize
        var order = Array(0..<positives)
        var history = TrainingHistory()
        var best: (ndcg: Double, parameters: [String: Matrix])?
        var epochsSinceBest = 0
        let start = DispatchTime.now().uptimeNanoseconds
        func elapsed(since t: UInt64) -> Double { Double(DispatchTime.now().uptimeNanoseconds - t) / 1e9 }

        training: for epoch in 1...epochs {
            let epochStart = DispatchTime.now().uptimeNanoseconds
            shuffle.shuffle(&order)
            var lossSum = 0.0
            for b in 0..<batches {
                if control.shouldStop() { history.interrupted = true; break training }
                lossSum += try step(order[(b * batchSize)..<min((b + 1) * batchSize, order.count)])
                control.report(ProgressUpdate(
                    label: "\(label)epoch \(epoch)/\(epochs)", done: b + 1, total: batches,
                    detail: String(format: "loss %.4f  %.1fs", lossSum / Double(b + 1), elapsed(since: start))))
            }
            history.loss.append(lossSum / Double(batches))
            history.epochSeconds.append(elapsed(since: epochStart))
            guard validates else { history.bestEpoch = epoch; continue }
            let (ndcg, parameters) = validate()
            history.validationNDCG.append(ndcg)
            if best.map({ ndcg > $0.ndcg }) ?? true {
                best = (ndcg, parameters)
                history.bestEpoch = epoch
                epochsSinceBest = 0
            } else {
                epochsSinceBest += 1
                if let patience, epochsSinceBest >= patience {
                    history.stoppedEarly = epoch < epochs
                    break
                }
            }
        }
        if best == nil && history.interrupted { history.bestEpoch = history.loss.count }
        return (history, best?.parameters)
    }
}
