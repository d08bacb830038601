import Testing
@testable import Engine

@Suite("Data errors and the entry point")
struct DataErrorTests {
    @Test("every message names its file and what is wrong")
    func messages() {
        let cases: [(DataError, [String])] = [
            (.missingFile(path: "/d/a.gz", hint: "install it"), ["/d/a.gz", "no such file", "install it"]),
            (.missingFolder(dataset: "fashion_mnist", path: "/d", hint: "apt-get install dataset-fashion-mnist"), ["/d", "fashion_mnist", "apt-get install dataset-fashion-mnist"]),
            (.unreadable(path: "/d/x", reason: "Permission denied"), ["/d/x", "Permission denied"]),
            (.corruptGzip(path: "/d/x.gz", reason: "truncated"), ["/d/x.gz", "gzip", "truncated"]),
            (.badIDX(path: "/d/i", reason: "wrong magic number"), ["/d/i", "IDX", "wrong magic"]),
            (.countMismatch(images: "/d/i", imageCount: 5, labels: "/d/l", labelCount: 4), ["/d/i", "/d/l", "5 images", "4 labels"]),
            (.badCSV(path: "/d/h.csv", line: 7, column: "'b' (2)", reason: "missing value"), ["/d/h.csv:7: missing value in column 'b' (2)"]),
            (.badNPY(path: "/d/x.npy", reason: "Fortran order"), ["/d/x.npy", "Fortran order"]),
            (.sampleCountMismatch(x: "/d/x.npy", xCount: 3, y: "/d/y.npy", yCount: 2), ["/d/x.npy", "/d/y.npy", "3", "2"]),
        ]
        for (error, fragments) in cases {
            for f in fragments { #expect(error.description.contains(f), "\(error.description) lacks \(f)") }
        }
    }

    @Test("an IDX pair with a test pair; class count from the larger label set")
    func idxSource() throws {
        let t = TempFolder()
        let i = t.write("i", idx([2, 2, 2], [1, 2, 3, 4, 5, 6, 7, 8]))
        let l = t.write("l", idx([2], [0, 1]))
        let ti = t.write("ti.gz", gzip(idx([1, 2, 2], [9, 9, 9, 9])))
        let tl = t.write("tl.gz", gzip(idx([1], [4])))
        let data = try loadData(.idx(images: i, labels: l, testImages: ti, testLabels: tl))
        #expect(data.train.task == .classification(classes: 5, names: nil))
        #expect(data.test?.task == data.train.task)
        #expect(data.test?.x == [9, 9, 9, 9])
        #expect(dataError { () throws(DataError) in try loadData(.idx(images: i, labels: l, testImages: ti)) } != nil)
        let wide = t.write("w", idx([1, 4, 1], [1, 2, 3, 4]))
        guard case .badIDX? = dataError({ () throws(DataError) in try loadData(.idx(images: i, labels: l, testImages: wide, testLabels: tl)) }) else {
            Issue.record("test images of another shape"); return
        }
    }

    @Test("source names as the experiment file spells them")
    func names() {
        #expect(DataSource.fashionMNIST().name == "fashion_mnist")
        #expect(DataSource.synthetic(.xor).name == "logic")
        #expect(DataSource.synthetic(.function2d(.ripple, low: -0.5, high: 0.5, samples: 10, noise: 0)).name == "function2d")
        #expect(Preprocessing(rawValue: "standardize") == .standardize)
    }
}
