import Testing
@testable import GraphRec

@Suite struct TrainOptionsTests {
    @Test func defaultsAreTheSeedHyperparameters() throws {
        let o = try TrainOptions(OptionValues())
        #expect(o == TrainOptions())
        #expect(o.loss == .bpr && o.layers == 2 && o.hidden == 128 && o.dim == 64 && o.heads == 1)
        #expect(o.negatives == 10 && o.margin == 0.01 && o.learningRate == 0.001 && o.epochs == 15)
        #expect(o.batchSize == 1024 && o.seed == 0 && o.features && !o.ids && o.patience == nil && o.weightDecay == 0)
        #expect(o.dropout == 0 && !o.holdout && o.edgeDropout == 0)     // the seed trains on the whole graph
    }

    @Test func parsesEveryKey() throws {
        let o = try TrainOptions(OptionValues([
            "loss": "margin", "layers": "3", "hidden": "32", "dim": "16", "heads": "4", "negatives": "5",
            "margin": "0.5", "lr": "0.01", "weight-decay": "0.0001", "epochs": "7", "batch": "256", "seed": "9",
            "features": "off", "ids": "on", "patience": "2", "dropout": "0.25", "holdout": "on", "edge-dropout": "0.1"]))
        #expect(o.loss == .margin && o.layers == 3 && o.hidden == 32 && o.dim == 16 && o.heads == 4)
        #expect(o.negatives == 5 && o.margin == 0.5 && o.learningRate == 0.01 && o.weightDecay == 0.0001)
        #expect(o.epochs == 7 && o.batchSize == 256 && o.seed == 9 && !o.features && o.ids && o.patience == 2)
        #expect(o.dropout == 0.25 && o.holdout && o.edgeDropout == 0.1)
        #expect(try TrainOptions(OptionValues(o.asDictionary)) == o)
    }

    @Test func errorsNameTheOption() {
        func message(_ values: [String: String]) -> String {
            do { _ = try TrainOptions(OptionValues(values)); return "" } catch { return "\(error)" }
        }
        #expect(message(["lr": "fast"]).hasPrefix("lr:"))
        #expect(message(["loss": "hinge"]).contains("loss: expected one of bpr|margin"))
        #expect(message(["epochs": "0"]).hasPrefix("epochs:"))
        #expect(message(["ids": "maybe"]).hasPrefix("ids:"))
        #expect(message(["patience": "-1"]).hasPrefix("patience:"))
        #expect(message(["epoch": "3"]).contains("unknown option 'epoch'"))
        #expect(message(["dropout": "1"]).hasPrefix("dropout:"))
        #expect(message(["edge-dropout": "-0.1"]).hasPrefix("edge-dropout:"))
        #expect(message(["holdout": "yes please"]).hasPrefix("holdout:"))
    }
}
