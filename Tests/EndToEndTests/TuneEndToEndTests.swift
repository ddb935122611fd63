import Foundation
import Testing
import TestSupport

/// `tune` through the built binary: the trial table, the winner kept as a
/// model and as a preset `train` takes, the preset saved with the session.
@Suite(.serialized, .enabled(if: ModelE2E.available, "needs ML-100K (RECSH_TEST_DATA)"))
struct TuneEndToEndTests {
    @Test func theWinnerIsAModelAndAPresetThatOutlivesTheSession() throws {
        let dir = try SessionBinary.temporaryDirectory()
        let tune = "tune lightgcn as lt trials=3 epochs=2 batch=4096 dim=16"
        let r = try Recsh.run(["--sessions", dir, "--format", "json", "-c",
                               "load ml-100k path=\"\(ModelE2E.data)\"; split warm; \(tune); "
                                   + "train lightgcn as again preset=lt; save tuned; restore tuned; "
                                   + "train lightgcn as third preset=lt epochs=1; train gcn preset=lt"])
        let objects = r.objects
        #expect(objects.count == 8, "\(r.stdout)\n\(r.stderr)")
        guard objects.count == 8 else { return }
        let result = objects[2]
        #expect(result["ok"] as? Bool == true && result["model"] as? String == "lt" && result["preset"] as? String == "lt")
        let trials = try #require(result["trials"] as? [[String: Any]])
        #expect(trials.count == 3 && trials.map { $0["trial"] as? Int } == [1, 2, 3])
        let best = try #require(result["best_trial"] as? Int)
        let winner = trials[best - 1]
        #expect(winner["ndcg"] as? Double == result["ndcg"] as? Double)
        #expect(trials.compactMap { $0["ndcg"] as? Double }.max() == result["ndcg"] as? Double)
        // The kept model's options are the best trial's, searched and fixed alike.
        let options = try #require(result["options"] as? [String: Any])
        let searched = try #require(winner["options"] as? [String: Any])
        for (key, value) in searched {
            #expect((options[key] as? NSObject) == (value as? NSObject), "\(key)")
        }
        #expect(options["epochs"] as? Int == 2 && options["dim"] as? Int == 16)
        // train preset=lt retrains the same settings: same options, same validation figure (same seed).
        let again = objects[3]
        #expect(again["ok"] as? Bool == true)
        let againOptions = try #require(again["options"] as? [String: Any])
        // `preset` itself differs: a trial started from preset=best records it, preset=lt expands to plain values.
        #expect(NSDictionary(dictionary: againOptions.filter { $0.key != "preset" })
                    == NSDictionary(dictionary: options.filter { $0.key != "preset" }))
        let againNDCG = try #require((again["val"] as? [String: Any])?["ndcg"] as? Double)
        #expect(abs(againNDCG - (result["ndcg"] as? Double ?? -1)) < 1e-6)
        // Saved and restored, the preset is still there; explicit options win; another kind is refused.
        #expect(objects[4]["ok"] as? Bool == true && objects[5]["ok"] as? Bool == true)
        #expect((objects[6]["options"] as? [String: Any])?["epochs"] as? Int == 1)
        #expect(objects[7]["ok"] as? Bool == false)
        #expect((objects[7]["error"] as? String)?.contains("'lt' holds lightgcn settings, not gcn") == true,
                "\(objects[7])")
        #expect(r.status == 1)
        // The trial table grows on stderr as trials finish (the header and one row per trial).
        #expect(r.stderr.contains("val ndcg@10"))
    }

    @Test func badRequestsAreErrorsNamingTheirArgument() throws {
        let r = try Recsh.run(["--format", "json", "-c",
                               "load ml-100k path=\"\(ModelE2E.data)\"; split warm; tune nope; tune gcn trials=0; "
                                   + "tune gcn minutes=-1; tune gcn as best; tune gcn lr=fast; tune gcn preset=missing"])
        #expect(r.status == 1)
        let errors = r.objects.dropFirst(2).map { $0["error"] as? String ?? "" }
        #expect(errors.count == 6)
        guard errors.count == 6 else { return }
        #expect(errors[0].contains("unknown model 'nope'"))
        #expect(errors[1].contains("trials"))
        #expect(errors[2].contains("minutes"))
        #expect(errors[3].contains("built-in preset name"))
        #expect(errors[4].contains("lr: expected a number, got 'fast'"), "\(errors[4])")
        #expect(errors[5].contains("no preset named 'missing'"), "\(errors[5])")
    }
}
