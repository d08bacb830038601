import Foundation
import Testing
@testable import Engine

@Suite("IDX and gzip")
struct IDXTests {
    /// 5 images of 3×2 pixels whose values are their index pattern, and labels 0…4 mod 3.
    let images: [UInt8] = (0..<30).map { UInt8($0 * 7 % 256) }
    let labels: [UInt8] = [0, 1, 2, 0, 1]

    @Test("raw and gzip-compressed pairs read the same")
    func rawAndGzip() throws {
        let t = TempFolder()
        let raw = try IDX.load(images: t.write("i", idx([5, 3, 2], images)), labels: t.write("l", idx([5], labels)))
        let gz = try IDX.load(images: t.write("i.gz", gzip(idx([5, 3, 2], images))), labels: t.write("l.gz", gzip(idx([5], labels))))
        for d in [raw, gz] {
            #expect(d.sampleShape == [3, 2, 1])
            #expect(d.x == images.map(Float.init))
            // Kept as the file's bytes (a quarter of the floats' memory), read as floats.
            #expect(d.storage == .bytes(images) && d.map == nil)
            #expect(d.y == [0, 1, 2, 0, 1])
            #expect(d.count == 5)
            #expect(d.task == .classification(classes: 3, names: nil))
        }
    }

    @Test("concatenated gzip members inflate as one stream, as gunzip does")
    func multiMember() throws {
        let t = TempFolder()
        let file = idx([5, 3, 2], images)
        let p = t.write("i.gz", gzip(Array(file[0..<10])) + gzip(Array(file[10...])))
        #expect(try Gzip.inflateFile(p) == file)
    }

    @Test("a stream larger than its size hint grows the output buffer")
    func largeStream() throws {
        let t = TempFolder()
        // Two members: the trailer's size hint is the small second member's, so the 1.5 MB
        // of the first must grow the output past its first allocation.
        let n = 1_500_000
        let file = idx([n + 7], (0..<n).map { UInt8(truncatingIfNeeded: $0 >> 3) } + [1, 2, 3, 4, 5, 6, 7])
        let p = t.write("big.gz", gzip(Array(file[0..<(file.count - 7)])) + gzip(Array(file.suffix(7))))
        #expect(try Gzip.inflateFile(p) == file)
    }

    @Test("folder layout: train and t10k pairs, Fashion-MNIST class names")
    func folder() throws {
        let t = TempFolder()
        t.write("train-images-idx3-ubyte.gz", gzip(idx([5, 3, 2], images)))
        t.write("train-labels-idx1-ubyte.gz", gzip(idx([5], labels)))
        t.write("t10k-images-idx3-ubyte", idx([2, 3, 2], Array(images[0..<12])))
        t.write("t10k-labels-idx1-ubyte", idx([2], [9, 3]))
        let data = try loadData(.fashionMNIST(folder: t.path))
        #expect(data.train.count == 5)
        #expect(data.test?.count == 2)
        #expect(data.test?.y == [9, 3])
        #expect(data.train.task == .classification(classes: 10, names: IDX.fashionMNISTClassNames))
        #expect(IDX.fashionMNISTClassNames.count == 10 && IDX.fashionMNISTClassNames[9] == "Ankle boot")
        let mnist = try loadData(.mnist(folder: t.path))
        #expect(mnist.train.task == .classification(classes: 10, names: (0..<10).map(String.init)))
    }

    @Test("missing default Fashion-MNIST folder names the Debian package")
    func missingDefaultFolder() {
        let error = dataError { () throws(DataError) in try IDX.loadFashionMNIST(folder: nil, defaultFolder: "/nonexistent/fashion-mnist") }
        guard case .missingFolder(_, let path, let hint?)? = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(path == "/nonexistent/fashion-mnist")
        #expect(hint.contains("dataset-fashion-mnist"))
        #expect(error!.description.contains("apt-get install dataset-fashion-mnist"))
        let mnist = dataError { () throws(DataError) in try IDX.loadMNIST(folder: nil, defaultFolder: "/nonexistent/mnist") }
        #expect(mnist?.description.contains("/nonexistent/mnist") == true)
    }

    @Test("missing file in an existing folder names the path")
    func missingFile() {
        let t = TempFolder()
        t.write("train-images-idx3-ubyte.gz", gzip(idx([5, 3, 2], images)))
        let error = dataError { () throws(DataError) in try loadData(.fashionMNIST(folder: t.path)) }
        guard case .missingFile(let path, _)? = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(path == t.path + "/train-labels-idx1-ubyte.gz")
        let pair = dataError { () throws(DataError) in try IDX.load(images: t.path + "/nope", labels: t.path + "/nope2") }
        #expect(pair == .missingFile(path: t.path + "/nope", hint: nil))
    }

    @Test("truncated gzip is an error naming the file")
    func truncatedGzip() {
        let t = TempFolder()
        let gz = gzip(idx([5, 3, 2], images))
        let p = t.write("i.gz", Array(gz[0..<(gz.count / 2)]))
        let error = dataError { () throws(DataError) in try Gzip.inflateFile(p) }
        guard case .corruptGzip(let path, let reason)? = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(path == p)
        #expect(reason.contains("truncated"))
    }

    @Test("corrupt gzip data is an error naming the file")
    func corruptGzip() {
        let t = TempFolder()
        var gz = gzip(idx([5, 3, 2], images))
        for i in 10..<(gz.count - 8) { gz[i] ^= 0xA5 }
        let p = t.write("i.gz", gz)
        let error = dataError { () throws(DataError) in try IDX.load(images: p, labels: p) }
        guard case .corruptGzip(let path, _)? = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(path == p)
        // A damaged trailer checksum is caught too.
        var badCRC = gzip(idx([5], labels))
        badCRC[badCRC.count - 6] ^= 1
        let q = t.write("l.gz", badCRC)
        #expect({ if case .corruptGzip? = dataError({ () throws(DataError) in try Gzip.inflateFile(q) }) { true } else { false } }())
    }

    @Test("wrong IDX magic, data type, dimension count and length")
    func badIDX() {
        let t = TempFolder()
        let l = t.write("l", idx([5], labels))
        let cases: [(String, [UInt8], String)] = [
            ("magic", [1, 2] + Array(idx([5, 3, 2], images).dropFirst(2)), "magic"),
            ("type", idx([5, 3, 2], images, type: 0x0D), "data type"),
            ("dims", idx([30], images), "1 dimensions, expected 3 or 4"),
            ("short", Array(idx([5, 3, 2], images).dropLast()), "truncated"),
            ("tiny", [0, 0], "shorter than"),
        ]
        for (name, bytes, fragment) in cases {
            let p = t.write(name, bytes)
            let error = dataError { () throws(DataError) in try IDX.load(images: p, labels: l) }
            guard case .badIDX(let path, let reason)? = error else { Issue.record("\(name): got \(String(describing: error))"); continue }
            #expect(path == p)
            #expect(reason.contains(fragment), "\(name): \(reason)")
        }
        // Labels must be one-dimensional.
        let i = t.write("i", idx([5, 3, 2], images))
        let l2 = t.write("l2", idx([5, 1], labels))
        #expect(dataError { () throws(DataError) in try IDX.load(images: i, labels: l2) } == .badIDX(path: l2, reason: "2 dimensions, expected 1"))
    }

    @Test("image and label counts that disagree")
    func countMismatch() {
        let t = TempFolder()
        let i = t.write("i", idx([5, 3, 2], images))
        let l = t.write("l.gz", gzip(idx([4], Array(labels[0..<4]))))
        let error = dataError { () throws(DataError) in try IDX.load(images: i, labels: l) }
        #expect(error == .countMismatch(images: i, imageCount: 5, labels: l, labelCount: 4))
        #expect(error?.description.contains("5 images") == true)
    }

    @Test("a label beyond the named classes")
    func labelOutOfRange() {
        let t = TempFolder()
        let i = t.write("i", idx([5, 3, 2], images))
        let l = t.write("l", idx([5], [0, 1, 2, 3, 12]))
        let error = dataError { () throws(DataError) in try IDX.load(images: i, labels: l, classNames: IDX.mnistClassNames) }
        guard case .badIDX(let path, _)? = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(path == l)
    }
}

/// The real Fashion-MNIST from the Debian package `dataset-fashion-mnist`.
/// Skipped (with this reason shown) when the package is not installed.
@Suite("Fashion-MNIST (Debian package)",
       .enabled(if: FileManager.default.fileExists(atPath: IDX.fashionMNISTFolder + "/train-images-idx3-ubyte.gz"),
                "needs /usr/share/datasets/fashion-mnist: apt-get install dataset-fashion-mnist"))
struct FashionMNISTTests {
    @Test("60,000 + 10,000 images, 6,000 and 1,000 per class")
    func counts() throws {
        let start = ContinuousClock.now
        let data = try loadData(.fashionMNIST())
        print("Fashion-MNIST train + test loaded in \(ContinuousClock.now - start) (debug build)")
        let test = try #require(data.test)
        #expect(data.train.count == 60_000)
        #expect(test.count == 10_000)
        #expect(data.train.sampleShape == [28, 28, 1])
        #expect(data.train.x.count == 60_000 * 784)
        var trainCounts = [Int](repeating: 0, count: 10), testCounts = trainCounts
        for l in data.train.labels { trainCounts[l] += 1 }
        for l in test.labels { testCounts[l] += 1 }
        #expect(trainCounts == [Int](repeating: 6_000, count: 10))
        #expect(testCounts == [Int](repeating: 1_000, count: 10))
        #expect(data.train.x[0..<784].allSatisfy { $0 >= 0 && $0 <= 255 })
    }
}
