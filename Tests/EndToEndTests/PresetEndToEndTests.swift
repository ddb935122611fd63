import Foundation
import Testing
import TestSupport
import GraphRec

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
        #expect(options["lr"] as? Double == 0.003 && options["patience"] as? Int == 5 && options["reg"] as? Double == 0)
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

    /// `preset=cold` on a cold split: the model records every setting the preset
    /// declares and ranks the validation users (all without edges) from their
    /// features. A floor on seed 0: 3 epochs of a small GCN give 0.76 of
    /// popularity's NDCG@10 there; a GCN that never trained as new users stays
    /// near 0.6 of it even fully trained.
    @Test func presetColdTrainsOnAColdSplitAndRecordsItsSettings() throws {
        let r = try Recsh.run(["--format", "json", "-c",
                               "load ml-100k path=\"\(ModelE2E.data)\"; split cold seed=0; train pop; "
                                   + "train gcn as cold preset=cold epochs=3 hidden=32 dim=8; eval pop cold on=val; "
                                   + "train gat preset=cold epochs=1 hidden=8 dim=4"])
        #expect(r.status == 0, "\(r.stdout)\n\(r.stderr)")
        let objects = r.objects
        #expect(objects.count == 6 && objects.allSatisfy { $0["ok"] as? Bool == true }, "\(r.stdout)")
        guard objects.count == 6 else { return }
        #expect((objects[5]["options"] as? [String: Any])?["preset"] as? String == "cold")
        let options = try #require(objects[3]["options"] as? [String: Any])
        let declared = try #require(TrainPreset.cold.options(for: "gcn"))
        #expect(options["preset"] as? String == "cold")
        for (key, value) in declared where !["epochs", "dim"].contains(key) {
            let recorded = options[key.replacingOccurrences(of: "-", with: "_")]
            let same = switch value {
            case "on", "off": (recorded as? Bool) == (value == "on")
            default: Double(value).map { (recorded as? NSNumber)?.doubleValue == $0 } ?? ((recorded as? String) == value)
            }
            #expect(same, "\(key): recorded \(String(describing: recorded)), preset \(value)")
        }
        // Explicit options win over the preset's.
        #expect(options["epochs"] as? Int == 3 && options["hidden"] as? Int == 32 && options["dim"] as? Int == 8)
        let results = try #require(objects[4]["results"] as? [[String: Any]])
        let byModel = Dictionary(uniqueKeysWithValues: results.compactMap { o in (o["model"] as? String).map { ($0, o) } })
        let pop = try #require(byModel["pop"]?["ndcg"] as? Double), cold = try #require(byModel["cold"]?["ndcg"] as? Double)
        #expect((byModel["cold"]?["method"] as? [String: Any])?["features"] as? Int == byModel["cold"]?["users"] as? Int)
        #expect(cold > 0.65 * pop, "preset=cold val NDCG@10 \(cold), pop \(pop)")
    }

    @Test func presetIsForGCNOnly() throws {
        let r = try Recsh.run(["--format", "json", "-c",
                               "load ml-100k path=\"\(ModelE2E.data)\"; split warm; train mf preset=best epochs=1"])
        #expect(r.status == 1)
        let error = try #require(r.objects.last?["error"] as? String)
        #expect(error.contains("train mf: unknown option 'preset'"), "\(error)")
    }
}
