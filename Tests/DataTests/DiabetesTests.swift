import Foundation
import Testing
@testable import Engine

@Suite("diabetes (scikit-learn's files)")
struct DiabetesTests {
    @Test("reads the gzipped space-separated files as scikit-learn's load_diabetes(scaled=False)")
    func readsFolder() throws {
        let folder = TempFolder()
        // The first two rows of scikit-learn's diabetes_data_raw.csv.gz and its targets' format.
        folder.write("diabetes_data_raw.csv.gz", gzip(Array("59 2 32.1 101.0 157 93.2 38.0 4.0 4.8598 87\n48 1 21.6 87.0 183 103.2 70.0 3.0 3.8918 69\n".utf8)))
        folder.write("diabetes_target.csv.gz", gzip(Array("1.510000000000000000e+02\n7.500000000000000000e+01\n".utf8)))
        let d = try Diabetes.load(folder: folder.path)
        #expect(d.sampleShape == [10] && d.count == 2 && d.task == .regression(outputs: 1))
        #expect(d.x[0] == 59 && d.x[2] == 32.1 && d.x[19] == 69 && d.y == [151, 75])
    }

    @Test("a missing file names itself and how to get it; a short row names its line")
    func errors() {
        let empty = TempFolder()
        guard case .missingFile(let path, let hint)? = dataError({ () throws(DataError) in try Diabetes.load(folder: empty.path) }) else {
            Issue.record("expected missingFile"); return
        }
        #expect(path.hasSuffix("diabetes_data_raw.csv.gz") && hint != nil)
        let byDefault = dataError({ () throws(DataError) in try Diabetes.load(folder: nil, defaultFolder: empty.path) })
        guard case .missingFile(_, let packageHint)? = byDefault else { Issue.record("expected missingFile"); return }
        #expect(packageHint?.contains("python3-sklearn") == true)
        let bad = TempFolder()
        bad.write("diabetes_data_raw.csv.gz", gzip(Array("1 2 3\n".utf8)))
        bad.write("diabetes_target.csv.gz", gzip(Array("1\n".utf8)))
        guard case .badCSV(_, let line, _, _)? = dataError({ () throws(DataError) in try Diabetes.load(folder: bad.path) }) else {
            Issue.record("expected badCSV"); return
        }
        #expect(line == 1)
    }

    @Test("the installed data set, when python3-sklearn is there: 442 patients, 10 features")
    func installed() throws {
        guard FileManager.default.fileExists(atPath: Diabetes.defaultFolder + "/diabetes_target.csv.gz") else { return }
        let d = try Diabetes.load(folder: nil)
        #expect(d.count == 442 && d.featuresPerSample == 10)
        #expect(d.y.min() == 25 && d.y.max() == 346)
    }
}
