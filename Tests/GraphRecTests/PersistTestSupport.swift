import Foundation
import Tensors
@testable import GraphRec

/// A fresh, empty directory under the system temporary directory, removed by `cleanup()`.
struct ScratchDirectory {
    let path: String

    init(_ label: String = #function) {
        let safe = label.filter { $0.isLetter || $0.isNumber }
        path = NSTemporaryDirectory() + "recsh-persist-\(safe)-\(UUID().uuidString.prefix(8))"
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func cleanup() { try? FileManager.default.removeItem(atPath: path) }

    func file(_ name: String) -> String { path + "/" + name }
}

/// Deterministic test matrices.
func sampleMatrix(_ rows: Int, _ cols: Int, seed: UInt64 = 1) -> Matrix {
    var rng = SeededGenerator(seed: seed)
    var m = Matrix(rows: rows, cols: cols)
    for i in 0..<m.count { m.storage[i] = Float.random(in: -2...2, using: &rng) }
    return m
}

/// A small but complete session: a warm split and two models, one with embeddings.
func smallSnapshot(transcript: String = "> load ml-100k\nloaded\n") -> SessionSnapshot {
    var history = TrainingHistory()
    history.loss = [0.69, 0.5, .infinity]
    history.validationNDCG = [0.1, 0.2, 0.25]
    history.epochSeconds = [0.5, 0.4, 0.45]
    history.bestEpoch = 3
    history.stoppedEarly = true
    history.interrupted = true
    let split = Split(kind: .official("u1"), ratios: [], seed: 7,
                      train: [Edge(0, 1), Edge(1, 2), Edge(2, 0)], validation: [], test: [Edge(0, 2), Edge(2, 1)])
    let gcn = ModelRecord(name: "gcn", kind: "gcn", options: ["dim": "4", "loss": "bpr"], history: history,
                          lastMetrics: ["ndcg": 0.31, "precision": 0.3, "mrr": .infinity], lastMetricsOn: "test",
                          parameters: ["W0": sampleMatrix(5, 3, seed: 2), "B0": sampleMatrix(5, 3, seed: 3), "bias": sampleMatrix(1, 4, seed: 4)],
                          embeddings: Embeddings(users: sampleMatrix(3, 4, seed: 5), items: sampleMatrix(3, 4, seed: 6)))
    let pop = ModelRecord(name: "pop", kind: "pop", options: [:], history: TrainingHistory(),
                          parameters: ["counts": sampleMatrix(1, 3, seed: 8)], embeddings: nil)
    return SessionSnapshot(recshVersion: "0.1.0-test", createdAt: Date(timeIntervalSince1970: 1_790_000_000.75),
                           dataset: .init(name: "ml-100k", layout: "ml-100k", path: "/data/ml-100k",
                                          sha256: String(repeating: "ab", count: 32), minRating: 3),
                           split: split, settings: ["k": "10", "format": "table"], models: [gcn, pop],
                           presets: [NamedPreset(name: "gcn-tuned", kind: "gcn", options: ["lr": "0.003", "dropout": "0.2"],
                                                 validationNDCG: 0.25)],
                           transcript: transcript)
}

/// Expects `body` to throw a `RecError` whose message contains every fragment; returns the message.
@discardableResult
func recErrorMessage(_ body: () throws -> Void) -> String? {
    do {
        try body()
        return nil
    } catch let error as RecError {
        return error.message
    } catch {
        return "not a RecError: \(error)"
    }
}
