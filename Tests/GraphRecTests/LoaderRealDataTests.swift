import Foundation
import Testing
@testable import GraphRec

/// The loader against the real MovieLens-100K (`RECSH_TEST_DATA`, default
/// ../shared/data/ml-100k): the figures in shared/data/README.md exactly,
/// feature shapes and hand-checked feature rows.
@Suite struct LoaderRealDataTests {
    @Test func countsMatchTheDataReadme() throws {
        let d = try DataFixtures.realDataset()
        #expect(d.layout == .ml100k)
        #expect(d.name == "ml-100k")
        #expect(d.userCount == 943)
        #expect(d.movieCount == 1682)
        #expect(d.ratings.count == 100_000)
        #expect(d.positives.count == 82_520)
        #expect(d.users.first?.id == 1 && d.users.last?.id == 943)
        #expect(d.movies.first?.id == 1 && d.movies.last?.id == 1682)
    }

    @Test func checksumIsSHA256OfUData() throws {
        let d = try DataFixtures.realDataset()
        #expect(d.checksum.count == 64)
        #expect(d.checksum == (try MovieLensLoader.checksum(ofFile: DataFixtures.realDirectory + "/u.data")))
        // sha256sum of GroupLens' u.data; the README's md5 is 6e47046882bad158b0efbb84cd5cb987.
        #expect(d.checksum == "06416e597f82b7342361e41163890c81036900f418ad91315590814211dca490")
        #expect(MovieLensLoader.sha256Hex(Array("abc".utf8))
                == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad") // FIPS 180-2 vector
    }

    @Test func featureShapesAreTwentyFourAndEighteen() throws {
        let d = try DataFixtures.realDataset()
        #expect(d.userFeatures?.rows == 943 && d.userFeatures?.cols == 24)
        #expect(d.movieFeatures?.rows == 1682 && d.movieFeatures?.cols == 18)
        #expect(d.userFeatureNames.count == 24 && d.movieFeatureNames.count == 18)
        // PyG's get_dummies order: gender F, M; occupations sorted.
        #expect(Array(d.userFeatureNames.prefix(4)) == ["age", "gender:F", "gender:M", "occupation:administrator"])
        #expect(d.userFeatureNames.last == "occupation:writer")
        let occupations = d.userFeatureNames.dropFirst(3).map { String($0.dropFirst("occupation:".count)) }
        #expect(occupations == occupations.sorted())
        #expect(occupations.count == 21)
        #expect(d.movieFeatureNames.first == "Action" && d.movieFeatureNames.last == "Western")
        #expect(!d.movieFeatureNames.contains("unknown"))
    }

    @Test func userOneIs24MaleTechnician() throws {
        let d = try DataFixtures.realDataset()
        let u = try #require(d.userIndex(id: 1))
        #expect(d.users[u] == User(id: 1, age: 24, gender: "M", occupation: "technician", zip: "85711"))
        let row = try #require(d.userFeatures).row(u)
        #expect(row[0] == Float(24.0 / 73.0)) // the oldest user is 73
        #expect(row[1] == 0 && row[2] == 1)
        let technician = try #require(d.userFeatureNames.firstIndex(of: "occupation:technician"))
        #expect(technician == 22)
        #expect(row[technician] == 1)
        #expect(row.reduce(0, +) == row[0] + 2)
        // User 2: 53, F, other.
        let row2 = try #require(d.userFeatures).row(try #require(d.userIndex(id: 2)))
        #expect(row2[1] == 1 && row2[2] == 0)
        #expect(row2[try #require(d.userFeatureNames.firstIndex(of: "occupation:other"))] == 1)
    }

    @Test func toyStoryIsAnimationChildrensComedy() throws {
        let d = try DataFixtures.realDataset()
        let m = try #require(d.movieIndex(id: 1))
        #expect(d.movies[m].title == "Toy Story (1995)")
        #expect(d.movies[m].genres == ["Animation", "Children's", "Comedy"])
        let row = try #require(d.movieFeatures).row(m)
        let set = row.indices.filter { row[$0] == 1 }.map { d.movieFeatureNames[$0] }
        #expect(set == ["Animation", "Children's", "Comedy"])
        #expect(row.reduce(0, +) == 3)
        // Movie 267 has only the "unknown" flag: an all-zero feature row.
        let unknown = try #require(d.movieIndex(id: 267))
        #expect(d.movies[unknown].genres == ["unknown"])
        #expect(try #require(d.movieFeatures).row(unknown).allSatisfy { $0 == 0 })
    }

    @Test func latin1TitlesDecode() throws {
        let d = try DataFixtures.realDataset()
        #expect(d.movies[try #require(d.movieIndex(id: 543))].title == "Misérables, Les (1995)")
        #expect(d.movies[try #require(d.movieIndex(id: 1633))].title == "Á köldum klaka (Cold Fever) (1994)")
    }

    @Test func officialSplitU1Counts() throws {
        let d = try DataFixtures.realDataset()
        let s = try Split.official("u1", dataset: d)
        #expect(s.kind == .official("u1"))
        #expect(s.train.count == 66_103)
        #expect(s.test.count == 16_417)
        #expect(s.validation.isEmpty)
        #expect(Set(s.train).isDisjoint(with: s.test))
        let all = try Split.official("u1", dataset: d, minRating: 1)
        #expect(all.train.count == 80_000 && all.test.count == 20_000)
    }

    @Test func everyOfficialSplitCoversThePositives() throws {
        let d = try DataFixtures.realDataset()
        let positives = Set(d.positives)
        for name in Split.officialNames {
            let s = try Split.official(name, dataset: d)
            #expect(Set(s.train).union(s.test) == positives, "\(name)")
            #expect(Set(s.train).isDisjoint(with: s.test), "\(name)")
        }
    }

    @Test func minRatingChangesThePositives() throws {
        let d = try MovieLensLoader.load(directory: DataFixtures.realDirectory, minRating: 4)
        #expect(d.positives.count == d.ratings.filter { $0.value >= 4 }.count)
        #expect(d.positives.count < 82_520)
        #expect(d.ratings.count == 100_000)
    }

    @Test func loadsFromTheParentFolderToo() throws {
        let parent = URL(fileURLWithPath: DataFixtures.realDirectory).deletingLastPathComponent().path
        #expect(MovieLensLoader.dataDirectory(in: parent).map { URL(fileURLWithPath: $0).lastPathComponent } == "ml-100k")
    }
}
