import Foundation
import Testing

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
        let options = try #require(train["options"] as? [String: String])
        // From the preset (TrainPreset.best for gcn; JSON keys are snake_case) ...
        #expect(options["preset"] == "best" && options["ids"] == "on" && options["features"] == "on")
        #expect(options["loss"] == "softmax" && options["negatives"] == "200" && options["weight_decay"] == "0.0003")
        #expect(options["holdout"] == "on" && options["dropout"] == "0.3" && options["edge_dropout"] == "0.0")
        #expect(options["ema"] == "0.99")
        #expect(options["lr"] == "0.001" && options["patience"] == "5" && options["reg"] == "0.0")
        // ... and the explicit options on top of it.
        #expect(options["epochs"] == "1" && options["hidden"] == "16" && options["dim"] == "8")
        let models = try #require(objects[3]["models"] as? [[String: Any]])
        #expect((models.first?["options"] as? [String: String]) == options)
        #expect(objects[4]["ok"] as? Bool == true)
    }

    @Test func presetIsForGCNOnly() throws {
        let r = try Recsh.run(["--format", "json", "-c",
                               "load ml-100k path=\"\(ModelE2E.data)\"; split warm; train mf preset=best epochs=1"])
        #expect(r.status == 1)
        let error = try #require(r.objects.last?["error"] as? String)
        #expect(error.contains("train mf: unknown option 'preset'"), "\(error)")
    }
}
