import Foundation
import Testing
import Tensors
@testable import GraphRec

@Suite struct BundleTests {
    // MARK: Round trip

    @Test func snapshotRoundTripsExactly() throws {
        let dir = ScratchDirectory()
        defer { dir.cleanup() }
        let snapshot = smallSnapshot()
        let saved = try snapshot.save(name: "first", directory: dir.path)
        #expect(saved.path == dir.file("first"))
        let files = try FileManager.default.contentsOfDirectory(atPath: saved.path).sorted()
        #expect(files == ["manifest.json", "tensors.safetensors", "transcript.md"])
        let sizes = try files.map { try FileManager.default.attributesOfItem(atPath: saved.path + "/" + $0)[.size] as! Int }
        #expect(saved.bytes == sizes.reduce(0, +))

        let back = try SessionSnapshot.load(name: "first", directory: dir.path)
        #expect(back == snapshot)
        #expect(back.createdAt.timeIntervalSince1970 == 1_790_000_000)
        #expect(back.split?.kind == .official("u1"))
        #expect(back.models[0].history.loss.last == .infinity)
        #expect(back.models[0].lastMetrics["mrr"] == .infinity)
        #expect(back.models[1].embeddings == nil)
    }

    @Test func everySplitKindRoundTrips() throws {
        let dir = ScratchDirectory()
        defer { dir.cleanup() }
        for (i, kind) in [Split.Kind.warm, .cold, .official("ub"), .files].enumerated() {
            var snapshot = smallSnapshot()
            snapshot.split?.kind = kind
            snapshot.split?.ratios = [70, 15, 15]
            snapshot.split?.seed = UInt64.max - 1
            try snapshot.save(name: "s\(i)", directory: dir.path)
            #expect(try SessionSnapshot.load(name: "s\(i)", directory: dir.path) == snapshot)
        }
        var noSplit = smallSnapshot()
        noSplit.split = nil
        noSplit.models = []
        try noSplit.save(name: "bare", directory: dir.path)
        #expect(try SessionSnapshot.load(name: "bare", directory: dir.path) == noSplit)
        let json = try String(contentsOfFile: dir.file("bare/manifest.json"), encoding: .utf8)
        #expect(json.contains("\"split\" : null"))
    }

    @Test func manifestIsSnakeCaseJSON() throws {
        let dir = ScratchDirectory()
        defer { dir.cleanup() }
        try smallSnapshot().save(name: "keys", directory: dir.path)
        let data = try Data(contentsOf: URL(fileURLWithPath: dir.file("keys/manifest.json")))
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(Set(json.keys) == ["format_version", "recsh_version", "created_at", "dataset", "split", "settings",
                                  "models", "presets", "tensors_sha256"])
        let preset = try #require((json["presets"] as? [[String: Any]])?.first)
        #expect(Set(preset.keys) == ["name", "kind", "options", "validation_ndcg"])
        #expect(json["format_version"] as? Int == 1)
        #expect(json["created_at"] as? String == "2026-09-21T14:13:20Z")
        let dataset = try #require(json["dataset"] as? [String: Any])
        #expect(Set(dataset.keys) == ["name", "layout", "path", "sha256", "min_rating"])
        let split = try #require(json["split"] as? [String: Any])
        #expect(Set(split.keys) == ["kind", "name", "ratios", "seed", "checksum", "tensors"])
        let model = try #require((json["models"] as? [[String: Any]])?.first)
        #expect(Set(model.keys) == ["name", "kind", "options", "history", "last_metrics", "last_metrics_on",
                                   "parameters", "embeddings"])
        let history = try #require(model["history"] as? [String: Any])
        #expect(Set(history.keys) == ["loss", "validation_ndcg", "epoch_seconds", "best_epoch", "stopped_early", "interrupted"])
        #expect((history["loss"] as? [Any])?.last as? String == "inf")
        #expect((model["parameters"] as? [String: String])?["W0"] == "model/gcn/W0")
        #expect(json["tensors_sha256"] as? String == sha256Hex(try Data(contentsOf: URL(fileURLWithPath: dir.file("keys/tensors.safetensors")))))
    }

    /// The manifest's snake_case mirror of `TrainingHistory` must not silently drop a field someone adds.
    @Test func historyCodingCoversEveryStoredProperty() throws {
        let stored = Set(Mirror(reflecting: TrainingHistory()).children.compactMap(\.label))
        let coded = Set(["loss", "validationNDCG", "epochSeconds", "bestEpoch", "stoppedEarly", "interrupted"])
        #expect(stored == coded, "TrainingHistory changed: update Manifest.HistoryCoding")
        var h = TrainingHistory()
        h.loss = [1, .nan]
        h.bestEpoch = 4
        h.interrupted = true
        let encoder = JSONEncoder()
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let back = try decoder.decode(Manifest.HistoryCoding.self, from: encoder.encode(Manifest.HistoryCoding(h))).history
        #expect(back.loss[0] == 1 && back.loss[1].isNaN && back.bestEpoch == 4 && back.interrupted)
    }

    @Test func tensorsFileHoldsNamedTensors() throws {
        let dir = ScratchDirectory()
        defer { dir.cleanup() }
        let snapshot = smallSnapshot()
        try snapshot.save(name: "t", directory: dir.path)
        let file = try SafeTensors.read(path: dir.file("t/tensors.safetensors"))
        #expect(file.names == ["split/train", "split/val", "split/test", "model/gcn/B0", "model/gcn/W0", "model/gcn/bias",
                               "embedding/gcn/users", "embedding/gcn/items", "model/pop/counts"])
        #expect(file["split/test"]?.edges == [Edge(0, 2), Edge(2, 1)])
        #expect(file["split/val"]?.shape == [0, 2])
        #expect(file["model/gcn/W0"]?.matrix == snapshot.models[0].parameters["W0"])
        #expect(file.metadata["format"] == "pt")
    }

    @Test func collidingTensorNamesAreRefused() {
        var snapshot = smallSnapshot()
        snapshot.models[1] = ModelRecord(name: "gcn/W0", kind: "pop", options: [:], history: TrainingHistory(),
                                         parameters: [:], embeddings: nil)
        snapshot.models.append(ModelRecord(name: "gcn", kind: "x", options: [:], history: TrainingHistory(), parameters: [:], embeddings: nil))
        let message = recErrorMessage { _ = try snapshot.manifestAndTensors() }
        #expect(message?.contains("two models are named 'gcn'") == true)
        var collide = smallSnapshot()
        collide.models[1] = ModelRecord(name: "gcn/W0", kind: "pop", options: [:], history: TrainingHistory(),
                                        parameters: ["x": Matrix([[1]])], embeddings: nil)
        collide.models[0].parameters["W0/x"] = Matrix([[2]])
        #expect(recErrorMessage { _ = try collide.manifestAndTensors() }?.contains("'model/gcn/W0/x'") == true)
    }

    @Test func replacingKeepsOnlyTheNewBundle() throws {
        let dir = ScratchDirectory()
        defer { dir.cleanup() }
        try smallSnapshot(transcript: "old").save(name: "s", directory: dir.path)
        try smallSnapshot(transcript: "new").save(name: "s", directory: dir.path)
        #expect(try SessionSnapshot.load(name: "s", directory: dir.path).transcript == "new")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["s"])
    }

    @Test func savingCreatesTheSessionsDirectory() throws {
        let dir = ScratchDirectory()
        defer { dir.cleanup() }
        try smallSnapshot().save(name: "x", directory: dir.file("a/b/Sessions"))
        #expect(try SessionSnapshot.load(name: "x", directory: dir.file("a/b/Sessions")).models.count == 2)
    }

    @Test func checksAgainstTheLoadedDataset() throws {
        let snapshot = smallSnapshot()
        func dataset(checksum: String, users: Int = 3, movies: Int = 3, minRating: Float = 3) -> Dataset {
            Dataset(name: "ml-100k", layout: .ml100k, directory: "/data/ml-100k", users: (0..<users).map { User(id: $0 + 1) },
                    movies: (0..<movies).map { Movie(id: $0 + 1, title: "m\($0)") }, ratings: [], minRating: minRating,
                    userFeatures: nil, movieFeatures: nil, userFeatureNames: [], movieFeatureNames: [], checksum: checksum)
        }
        let good = String(repeating: "ab", count: 32)
        try snapshot.check(against: dataset(checksum: good))
        #expect(recErrorMessage { try snapshot.check(against: dataset(checksum: "ff" + good.dropFirst(2))) }?
            .contains("differs from the one the session was saved with") == true)
        #expect(recErrorMessage { try snapshot.check(against: dataset(checksum: good, minRating: 4)) }?.contains("min-rating") == true)
        #expect(recErrorMessage { try snapshot.check(against: dataset(checksum: good, movies: 2)) }?.contains("outside the data set") == true)
        #expect(Manifest.DatasetRecord(dataset(checksum: good)) == snapshot.dataset)
    }

    // MARK: Names

    @Test func bundleNamesArePlain() throws {
        let dir = ScratchDirectory()
        defer { dir.cleanup() }
        let bad: [(String, String)] = [
            ("", "empty"), ("a/b", "path separator"), ("a\\b", "path separator"), ("..", "'..'"), ("a..b", "'..'"),
            (".hidden", "starts with '.'"), ("tab\there", "control character U+9"), ("nul\u{0}", "control character U+0"),
            ("del\u{7F}", "control character"), (String(repeating: "x", count: 101), "longer than 100"),
            (" padded", "space"), ("../../etc", "path separator"),
        ]
        for (name, fragment) in bad {
            let message = recErrorMessage { try SessionBundle.validateName(name) }
            #expect(message?.contains(fragment) == true, "\(name.debugDescription): \(message ?? "accepted")")
            #expect(recErrorMessage { try smallSnapshot().save(name: name, directory: dir.path) } != nil)
            #expect(recErrorMessage { _ = try SessionBundle.read(name: name, directory: dir.path) } != nil)
        }
        for good in ["tour", "gcn-vs-gat_2026.11.29", "séance", String(repeating: "x", count: 100), "a.b"] {
            try SessionBundle.validateName(good)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
    }

    // MARK: List

    @Test func listShowsBundlesAndReportsBrokenOnes() throws {
        let dir = ScratchDirectory()
        defer { dir.cleanup() }
        #expect(try SessionBundle.list(directory: dir.file("absent")).isEmpty)
        try smallSnapshot().save(name: "b", directory: dir.path)
        var other = smallSnapshot()
        other.models = [other.models[1]]
        try other.save(name: "a", directory: dir.path)
        try FileManager.default.createDirectory(atPath: dir.file("broken"), withIntermediateDirectories: false)
        try "{".write(toFile: dir.file("broken/manifest.json"), atomically: true, encoding: .utf8)
        try "# notebook".write(toFile: dir.file("tour.recsh"), atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: dir.file(".b.tmp-1-00000000000000000001"), withIntermediateDirectories: false)

        let rows = try SessionBundle.list(directory: dir.path)
        #expect(rows.map(\.name) == ["a", "b", "broken"])
        #expect(rows[0].models.map(\.name) == ["pop"])
        #expect(rows[1].models.map(\.kind) == ["gcn", "pop"])
        #expect(rows[1].models[0].headline?.name == "ndcg" && rows[1].models[0].headline?.value == 0.31)
        #expect(rows[1].models[1].headline == nil)
        #expect(rows[1].createdAt == Date(timeIntervalSince1970: 1_790_000_000))
        #expect(rows[1].datasetName == "ml-100k")
        #expect(rows[1].bytes > 0 && rows[1].problem == nil)
        #expect(rows[2].problem?.contains("broken/manifest.json: not valid JSON") == true)
    }
}
