import Foundation
import Testing

/// Every file in `experiments/` still runs, so none rots as the format and engine change: each
/// is run as a student would, cut down to one epoch (and two trials when it searches). Files on
/// Fashion-MNIST read a tiny folder of IDX files made here instead of the 70,000 images, so
/// this checks the file (its model, compile and fit sections against 28×28 images), not the
/// data set; `diabetes` reads the files of the Debian package python3-sklearn (scripts/setup
/// installs it).
@Suite struct ExperimentFilesTests {
    static let folder = RunnerProcess.root.appendingPathComponent("experiments").path
    static let names: [String] = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [])
        .filter { $0.hasSuffix(".yaml") }.map { String($0.dropLast(5)) }.sorted()

    /// A Fashion-MNIST-shaped folder: 90 training images (9 per class) and 20 test images.
    static let tinyFashion: String = {
        let dir = freshFolder("tiny-fashion")
        func idx(_ dims: [Int], _ values: [UInt8]) -> Data {
            var d = Data([0, 0, 8, UInt8(dims.count)])
            for n in dims { d += [UInt8(n >> 24 & 255), UInt8(n >> 16 & 255), UInt8(n >> 8 & 255), UInt8(n & 255)] }
            return d + values
        }
        func images(_ labels: [UInt8]) -> [UInt8] {
            labels.enumerated().flatMap { i, l in (0..<784).map { p in UInt8((p * 7 + Int(l) * 31 + i * 13) % 256) } }
        }
        let train = (0..<90).map { UInt8($0 % 10) }, test = (0..<20).map { UInt8($0 % 10) }
        _ = FileManager.default.createFile(atPath: dir + "/train-images-idx3-ubyte", contents: idx([90, 28, 28], images(train)))
        _ = FileManager.default.createFile(atPath: dir + "/train-labels-idx1-ubyte", contents: idx([90], train))
        _ = FileManager.default.createFile(atPath: dir + "/t10k-images-idx3-ubyte", contents: idx([20, 28, 28], images(test)))
        _ = FileManager.default.createFile(atPath: dir + "/t10k-labels-idx1-ubyte", contents: idx([20], test))
        return dir
    }()

    @Test func thereAreExperimentFiles() {
        #expect(Self.names.count >= 12, "\(Self.names)")
    }

    @Test(arguments: names)
    func runsForOneEpoch(name: String) throws {
        let path = Self.folder + "/" + name + ".yaml"
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var args = [path, "--out", freshFolder("experiment-" + name), "--set", "fit.epochs=1"]
        if text.contains("\nsearch:") { args += ["--trials", "2"] }   // halving: --trials is its candidates
        if text.contains("source: fashion_mnist") { args += ["--set", "data.path=" + Self.tinyFashion] }
        let r = try RunnerProcess.run(args, in: RunnerProcess.root.path)
        #expect(r.status == 0, "\(name): \(r.err)")
        #expect(r.out.contains("wrote "), "\(name): \(r.out)")
    }

    /// The README's table of experiments names every file, and no file that is not there.
    @Test func theReadmeTableListsEveryFile() throws {
        let readme = try String(contentsOf: RunnerProcess.root.appendingPathComponent("README.md"), encoding: .utf8)
        for name in Self.names {
            #expect(readme.contains("`experiments/\(name).yaml`"), "README.md has no row for experiments/\(name).yaml")
        }
        let listed = readme.split(separator: "`").filter { $0.hasPrefix("experiments/") && $0.hasSuffix(".yaml") }
        for file in listed {
            #expect(Self.names.contains(String(file.dropFirst("experiments/".count).dropLast(5))), "README.md names \(file), which does not exist")
        }
    }
}
