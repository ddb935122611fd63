import Foundation
import Testing
@testable import GraphRec

/// Split properties on the real positives: disjoint parts whose union is
/// every positive, ratios within rounding, determinism per seed, cold
/// users never in train; and the file-based splits' errors.
@Suite struct SplitTests {
    func byUser(_ edges: [Edge]) -> [Int32: Int] {
        edges.reduce(into: [:]) { $0[$1.user, default: 0] += 1 }
    }

    @Test func warmPartsAreDisjointAndCoverThePositives() throws {
        let d = try DataFixtures.realDataset()
        let s = try Split.warm(positives: d.positives, seed: 0)
        let (tr, va, te) = (Set(s.train), Set(s.validation), Set(s.test))
        #expect(tr.count == s.train.count && va.count == s.validation.count && te.count == s.test.count)
        #expect(tr.isDisjoint(with: va) && tr.isDisjoint(with: te) && va.isDisjoint(with: te))
        #expect(tr.union(va).union(te) == Set(d.positives))
        #expect(s.train == s.train.sorted() && s.test == s.test.sorted())
        #expect(s.kind == .warm && s.ratios == [80, 10, 10] && s.seed == 0)
    }

    @Test func warmRatiosHoldPerUserWithinRounding() throws {
        let d = try DataFixtures.realDataset()
        let s = try Split.warm(positives: d.positives, ratios: [70, 10, 20], seed: 3)
        let all = byUser(d.positives), va = byUser(s.validation), te = byUser(s.test), tr = byUser(s.train)
        for (user, n) in all {
            let nv = va[user] ?? 0, nt = te[user] ?? 0
            #expect(tr[user, default: 0] >= 1)
            if n < 3 {
                #expect(nv == 0 && nt == 0)
            } else {
                #expect(nt == max(1, (n * 20 * 2 + 100) / 200), "user \(user) n \(n)")
                #expect(nv == max(1, (n * 10 * 2 + 100) / 200), "user \(user) n \(n)")
                if n >= 10 {
                    #expect(abs(Double(nt) - Double(n) * 0.2) <= 0.5)
                    #expect(abs(Double(nv) - Double(n) * 0.1) <= 0.5)
                }
            }
        }
        let total = Double(d.positives.count)
        #expect(abs(Double(s.test.count) / total - 0.2) < 0.01)
        #expect(abs(Double(s.validation.count) / total - 0.1) < 0.01)
    }

    @Test func holdOutRoundingOnSmallCounts() {
        #expect(Split.holdOut(count: 1, val: 10, test: 10, train: 80) == (0, 0))
        #expect(Split.holdOut(count: 2, val: 10, test: 10, train: 80) == (0, 0))
        #expect(Split.holdOut(count: 3, val: 10, test: 10, train: 80) == (1, 1))
        #expect(Split.holdOut(count: 15, val: 10, test: 10, train: 80) == (2, 2)) // 1.5 rounds up
        #expect(Split.holdOut(count: 14, val: 10, test: 10, train: 80) == (1, 1))
        #expect(Split.holdOut(count: 3, val: 45, test: 50, train: 5) == (1, 1))
        #expect(Split.holdOut(count: 10, val: 0, test: 20, train: 80) == (0, 2))
    }

    @Test func sameSeedSameSplitDifferentSeedDifferentSplit() throws {
        let d = try DataFixtures.realDataset()
        let a = try Split.warm(positives: d.positives, seed: 42)
        let b = try Split.warm(positives: d.positives.reversed(), seed: 42)
        let c = try Split.warm(positives: d.positives, seed: 43)
        #expect(a == b)
        #expect(a.test != c.test)
        #expect(a.test.count == c.test.count)
        let x = try Split.cold(positives: d.positives, seed: 7)
        #expect(x == (try Split.cold(positives: d.positives.shuffled(), seed: 7)))
        #expect(x.test != (try Split.cold(positives: d.positives, seed: 8)).test)
    }

    @Test func coldUsersNeverInTrain() throws {
        let d = try DataFixtures.realDataset()
        let s = try Split.cold(positives: d.positives, seed: 1)
        let trainUsers = Set(s.train.map(\.user)), valUsers = Set(s.validation.map(\.user))
        let testUsers = Set(s.test.map(\.user))
        #expect(trainUsers.isDisjoint(with: valUsers) && trainUsers.isDisjoint(with: testUsers))
        #expect(valUsers.isDisjoint(with: testUsers))
        #expect(Set(s.train).union(s.validation).union(s.test) == Set(d.positives))
        let users = Set(d.positives.map(\.user)).count
        #expect(testUsers.count == (users * 10 * 2 + 100) / 200)
        #expect(valUsers.count == (users * 10 * 2 + 100) / 200)
        // A cold user brings every one of their positives to their part.
        let all = byUser(d.positives), te = byUser(s.test)
        for u in testUsers { #expect(te[u] == all[u]) }
        let summary = s.summary
        #expect(summary.usersInTest == testUsers.count && summary.usersInTrain == trainUsers.count)
        #expect(summary.usersWithoutTest == summary.users - testUsers.count)
    }

    @Test func summaryCountsPartsAndUsers() {
        let s = Split(kind: .files, ratios: [], seed: 0,
                      train: [Edge(0, 0), Edge(0, 1), Edge(1, 0), Edge(2, 2)],
                      validation: [Edge(1, 1)], test: [Edge(0, 2), Edge(3, 0)])
        let sum = s.summary
        #expect(sum == SplitSummary(s))
        #expect(sum.users == 4 && sum.trainEdges == 4 && sum.validationEdges == 1 && sum.testEdges == 2)
        #expect(sum.usersInTrain == 3 && sum.usersInValidation == 1 && sum.usersInTest == 2)
        #expect(sum.usersWithoutTest == 2)
    }

    @Test func ratiosAreValidated() throws {
        #expect(try Split.parseRatios("80/10/10") == [80, 10, 10])
        #expect(try Split.parseRatios("90,10") == [90, 10])
        for bad in ["80/10", "a/b/c", "50/50/50", "0/50/50", "", "100/-10/10"] {
            #expect(throws: RecError.self, "\(bad)") { try Split.parseRatios(bad) }
        }
        let twoWay = try Split.warm(positives: (0..<20).map { Edge(0, $0) }, ratios: [75, 25], seed: 0)
        #expect(twoWay.validation.isEmpty && twoWay.test.count == 5 && twoWay.train.count == 15)
    }

    @Test func filesSplitReadsTSVAndNamesBadLines() throws {
        let d = try DataFixtures.realDataset()
        let dir = try DataFixtures.makeTempDirectory()
        func write(_ name: String, _ text: String) throws -> String {
            let path = dir + "/" + name
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }
        let train = try write("train.tsv", "# user movie\n1\t1\n1\t2\t5\n2\t1\n")
        let val = try write("val.tsv", "3\t1\n")
        let test = try write("test.tsv", "1\t3\n\n943\t1682\n")
        let s = try Split.files(train: train, validation: val, test: test, dataset: d)
        #expect(s.kind == .files)
        #expect(s.train.count == 3 && s.validation.count == 1 && s.test.count == 2)
        #expect(s.test.contains(Edge(try #require(d.userIndex(id: 943)), try #require(d.movieIndex(id: 1682)))))

        let cases: [(String, String)] = [
            ("1\t1\n5\n", "bad.tsv line 2: expected user<TAB>movie, got 1 field"),
            ("1\t1\n1\tx\n", "bad.tsv line 2: movie id 'x' is not a whole number"),
            ("1\t1\n944\t1\n", "bad.tsv line 2: unknown user id 944 in ml-100k"),
            ("\n1\t1683\n", "bad.tsv line 2: unknown movie id 1683 in ml-100k"),
        ]
        for (text, expected) in cases {
            let bad = try write("bad.tsv", text)
            do {
                _ = try Split.files(train: train, test: bad, dataset: d)
                Issue.record("expected an error for \(text)")
            } catch let error as RecError {
                #expect(error.message.contains(expected), "\(error.message)")
            }
        }
        let overlap = try write("overlap.tsv", "2\t2\n2\t1\n")
        #expect(throws: RecError(overlap + " line 2: user 2 movie 1 is also in " + train)) {
            try Split.files(train: train, test: overlap, dataset: d)
        }
    }

    @Test func officialSplitRejectsUnknownNames() throws {
        let d = try DataFixtures.realDataset()
        #expect(throws: RecError.self) { try Split.official("u9", dataset: d) }
        let fixture = try MovieLensLoader.load(directory: try DataFixtures.directory(DataFixtures.ml100kFiles()))
        do {
            _ = try Split.official("u1", dataset: fixture)
            Issue.record("expected a missing-file error")
        } catch let error as RecError {
            #expect(error.message.contains("u1.base not found"))
        }
    }
}

@Suite struct DataGraphTests {
    @Test func graphHoldsTrainPositivesOnlyWithFeatures() throws {
        let d = try DataFixtures.realDataset()
        let full = d.graph(edges: d.positives)
        #expect(full.nodeCount == 943 + 1682 && full.edgeCount == 82_520)
        #expect(full.userFeatures?.cols == 24 && full.movieFeatures?.cols == 18)
        let s = try Split.warm(positives: d.positives, seed: 0)
        let g = d.graph(for: s)
        #expect(g.edgeCount == s.train.count)
        let someTest = try #require(s.test.first)
        #expect(!g.movies(ofUser: Int(someTest.user)).contains(someTest.movie))
    }
}
