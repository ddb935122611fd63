import Foundation
import Testing
import TestSupport

/// `train gcn preset=best` through the built binary: the preset's options are
/// recorded, explicit ones override them, and the history still plots.
@Suite(.serialized, .enabled(if: ModelE2E.available, "needs ML-100K (RECSH_TEST_DATA)"))
struct PresetEndToEndTests {
    @Test func presetBestRecordsItsOptionsAndExplicitOnesWin() throws {
        let r = try Recsh.run(["--format", "json", "-c",
                               "load ml-100k path=\"\(ModelE2E.data)\"; split warm; "
                                   + "train gcn as best preset=best epochs=1 hidden=16 dim=8; models; plot loss model=best"])
        #expect(r.status == 0, "\(r.stdout)\n\(r.stderr)")
        let objects = r.objects
        #expect(objects.count == 5)
        let train = objects[2]
        #expect(train["ok"] as? Bool == true && train["epochs"] as? Int == 1 && train["val"] is [String: Any])
        let options = try #require(train["options"] as? [String: Any])
        // From the preset (TrainPreset.best for gcn; JSON keys are snake_case), typed ...
        #expect(options["preset"] as? String == "best" && options["ids"] as? Bool == true && options["features"] as? Bool == true)
        #expect(options["loss"] as? String == "softmax" && options["negatives"] as? Int == 200)
        #expect(options["weight_decay"] as? Double == 0.0003)
        #expect(options["holdout"] as? Bool == true && options["dropout"] as? Double == 0.3 && options["edge_dropout"] as? Double == 0)
        #expect(options["ema"] as? Double == 0.99)
        #expect(options["lr"] as? Double == 0.001 && options["patience"] as? Int == 5 && options["reg"] as? Double == 0)
        // ... and the explicit options on top of it.
        #expect(options["epochs"] as? Int == 1 && options["hidden"] as? Int == 16 && options["dim"] as? Int == 8)
        let models = try #require(objects[3]["models"] as? [[String: Any]])
        #expect((models.first?["options"] as? [String: Any]).map { NSDictionary(dictionary: $0) } == NSDictionary(dictionary: options))
        #expect(objects[4]["ok"] as? Bool == true)
    }

    /// The official u1 split has no validation edges: early stopping validates on a seeded share of train, and says so.
    @Test func presetRunsOnASplitWithoutValidation() throws {
        let r = try Recsh.run(["--format", "json", "-c",
                               "load ml-100k path=\"\(ModelE2E.data)\"; split official u1; "
                                   + "train gcn preset=best epochs=2 hidden=16 dim=8; train mf epochs=1 patience=off; eval"])
        #expect(r.status == 0, "\(r.stdout)\n\(r.stderr)")
        let objects = r.objects
        #expect(objects.count == 5 && objects.allSatisfy { $0["ok"] as? Bool == true }, "\(r.stdout)")
        guard objects.count == 5 else { return }
        let validation = try #require(objects[2]["validation"] as? String)
        #expect(validation.contains("10% of each user's train positives (seed 0)"), "\(validation)")
        #expect(objects[2]["val"] is NSNull)
        #expect(objects[3]["validation"] as? String == "none (the split has no validation edges)")
    }

    @Test func presetIsForGCNOnly() throws {
        let r = try Recsh.run(["--format", "json", "-c",
                               "load ml-100k path=\"\(ModelE2E.data)\"; split warm; train mf preset=best epochs=1"])
        #expect(r.status == 1)
        let error = try #require(r.objects.last?["error"] as? String)
        #expect(error.contains("train mf: unknown option 'preset'"), "\(error)")
    }
}
