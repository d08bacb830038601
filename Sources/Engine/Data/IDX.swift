import Dispatch

/// IDX files, the format of MNIST and Fashion-MNIST (LeCun et al., "THE MNIST DATABASE").
///
/// An IDX file is a 4-byte magic number — two zero bytes, a data-type byte (0x08 for
/// unsigned bytes, the only type these data sets use and the only one read here) and the
/// number of dimensions — then each dimension as a big-endian 32-bit integer, then the
/// values in C order. Files may be gzip-compressed or raw; the gzip magic number decides,
/// not the name.
///
/// An image file has 3 dimensions (count, rows, columns) and becomes samples of shape
/// [rows, columns, 1], or 4 (count, rows, columns, channels) for [rows, columns, channels].
/// Pixels stay 0…255, stored as the file's bytes (`FeatureStorage.bytes`, read as floats when
/// batches are formed): scaling is a preprocessing choice. A label file has one dimension;
/// labels are class indices.
public enum IDX {
    /// The folder the Debian package `dataset-fashion-mnist` installs.
    public static let fashionMNISTFolder = "/usr/share/datasets/fashion-mnist"
    /// Where MNIST is looked for when no folder is given (no Debian package provides it;
    /// put the four files there or give a folder).
    public static let mnistFolder = "/usr/share/datasets/mnist"

    /// Fashion-MNIST's ten class names, in label order (Xiao, Rasul and Vollgraf, 2017).
    public static let fashionMNISTClassNames = [
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
        "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
    ]
    /// MNIST's class names: the digits.
    public static let mnistClassNames = (0..<10).map(String.init)

    /// A decoded IDX array of unsigned bytes.
    struct Array8 {
        var dimensions: [Int]
        var bytes: [UInt8]
        /// Where the values start in `bytes` (after the header).
        var offset: Int
        var count: Int { dimensions.first ?? 0 }
    }

    /// Reads and checks one IDX file of unsigned bytes with `expectedDimensions` (one of them).
    static func read(_ path: String, expectedDimensions: Set<Int>) throws(DataError) -> Array8 {
        let bytes = try Gzip.readMaybeCompressed(path)
        guard bytes.count >= 4 else {
            throw .badIDX(path: path, reason: EngineSay.idxTooShort(bytes.count))
        }
        guard bytes[0] == 0, bytes[1] == 0 else {
            let magic = bytes[0..<4].map { hex($0) }.joined(separator: " ")
            throw .badIDX(path: path, reason: EngineSay.idxMagic(magic))
        }
        guard bytes[2] == 0x08 else {
            throw .badIDX(path: path, reason: EngineSay.idxDataType(hex(bytes[2]), typeName(bytes[2])))
        }
        let rank = Int(bytes[3])
        guard expectedDimensions.contains(rank) else {
            let expected = expectedDimensions.sorted().map(String.init).joined(separator: " or ")
            throw .badIDX(path: path, reason: EngineSay.idxRank(rank, expected: expected))
        }
        let headerSize = 4 + 4 * rank
        guard bytes.count >= headerSize else {
            throw .badIDX(path: path, reason: EngineSay.idxHeaderTruncated(bytes.count, rank: rank, needs: headerSize))
        }
        var dimensions = [Int]()
        var total = 1
        for d in 0..<rank {
            let p = 4 + 4 * d
            let size = Int(bytes[p]) << 24 | Int(bytes[p + 1]) << 16 | Int(bytes[p + 2]) << 8 | Int(bytes[p + 3])
            dimensions.append(size)
            let (product, overflow) = total.multipliedReportingOverflow(by: size)
            guard !overflow else { throw .badIDX(path: path, reason: EngineSay.idxTooLarge) }
            total = product
        }
        let (expectedLength, tooLong) = headerSize.addingReportingOverflow(total)
        guard !tooLong else { throw .badIDX(path: path, reason: EngineSay.idxTooLarge) }
        guard bytes.count == expectedLength else {
            let what = bytes.count < expectedLength ? "truncated" : "too long"
            let shape = dimensions.map(String.init).joined(separator: "×")
            throw .badIDX(path: path, reason: EngineSay.idxLength(what, shape: shape, needs: expectedLength, holds: bytes.count))
        }
        return Array8(dimensions: dimensions, bytes: bytes, offset: headerSize)
    }

    /// Reads an images file alone (inputs to predict): the shape of one image, channels last,
    /// and every image's values 0…255.
    public static func loadImages(_ path: String) throws(DataError) -> (sampleShape: [Int], values: [Float]) {
        let a = try read(path, expectedDimensions: [3, 4])
        var sampleShape = Array(a.dimensions.dropFirst())
        if sampleShape.count == 2 { sampleShape.append(1) }
        guard !sampleShape.contains(0) else { throw .badIDX(path: path, reason: EngineSay.noPixels(sampleShape)) }
        return (sampleShape, floats(a.bytes, from: a.offset))
    }

    /// Reads an images file and its labels file into a classification data set.
    ///
    /// - Parameters:
    ///   - classNames: the names of the classes, which also fixes their number; when nil the
    ///     number of classes is the largest label + 1 and the classes have no names.
    public static func load(images: String, labels: String, classNames: [String]? = nil) throws(DataError) -> Dataset {
        var imageArray = try read(images, expectedDimensions: [3, 4])
        let labelArray = try read(labels, expectedDimensions: [1])
        guard imageArray.count == labelArray.count else {
            throw .countMismatch(images: images, imageCount: imageArray.count, labels: labels, labelCount: labelArray.count)
        }
        var sampleShape = Array(imageArray.dimensions.dropFirst())
        if sampleShape.count == 2 { sampleShape.append(1) }
        guard !sampleShape.contains(0) else { throw .badIDX(path: images, reason: EngineSay.noPixels(sampleShape)) }

        let n = labelArray.count
        let labelBytes = labelArray.bytes[labelArray.offset...]
        let largest = Int(labelBytes.max() ?? 0)
        let classes: Int
        if let classNames {
            guard largest < classNames.count else {
                throw .badIDX(path: labels, reason: EngineSay.labelBeyondClasses(largest, classes: classNames.count))
            }
            classes = classNames.count
        } else {
            classes = largest + 1
        }
        let y = labelBytes.map { Float($0) }
        precondition(y.count == n)
        // The decoded file becomes the storage: its header is moved out in place, so the
        // pixels are never held twice.
        var pixels = imageArray.bytes
        imageArray.bytes = []
        pixels.removeSubrange(0..<imageArray.offset)
        return Dataset(sampleShape: sampleShape, storage: .bytes(pixels), y: y, task: .classification(classes: classes, names: classNames))
    }

    /// Loads the train and test splits from a folder holding the four standard files
    /// (`train-images-idx3-ubyte`, `train-labels-idx1-ubyte`, `t10k-images-idx3-ubyte`,
    /// `t10k-labels-idx1-ubyte`, each optionally `.gz`; the `train-images.idx3-ubyte`
    /// spelling of some MNIST copies is accepted too).
    static func loadFolder(_ folder: String, dataset: String, classNames: [String], folderHint: String?) throws(DataError) -> (train: Dataset, test: Dataset) {
        guard FileBytes.isFolder(folder) else {
            throw .missingFolder(dataset: dataset, path: folder, hint: folderHint)
        }
        @Sendable func find(_ stem: String, _ kind: String) throws(DataError) -> String {
            let candidates = ["\(stem)-\(kind)-ubyte.gz", "\(stem)-\(kind)-ubyte", "\(stem).\(kind)-ubyte.gz", "\(stem).\(kind)-ubyte"]
                .map { folder.hasSuffix("/") ? folder + $0 : folder + "/" + $0 }
            if let found = candidates.first(where: FileBytes.isFile) { return found }
            throw .missingFile(path: candidates[0], hint: EngineSay.idxFileWanted(dataset, folder: folder, alternative: candidates[1], hint: folderHint))
        }
        // The two splits load at once, one core each (inflating is most of a load: about 0.3 s
        // for Fashion-MNIST's training images, 0.05 s for its test images). A failure is
        // reported as if they loaded in turn: the training split's first.
        let stems = [("train-images", "train-labels"), ("t10k-images", "t10k-labels")]
        let loaded = Loaded(count: stems.count)
        DispatchQueue.concurrentPerform(iterations: stems.count) { i in
            loaded[i] = Result { () throws(DataError) in
                try load(images: find(stems[i].0, "idx3"), labels: find(stems[i].1, "idx1"), classNames: classNames)
            }
        }
        let train = try loaded[0].get()
        let test = try loaded[1].get()
        guard train.sampleShape == test.sampleShape else {
            throw .badIDX(path: folder, reason: EngineSay.trainTestShapes(train: train.sampleShape, test: test.sampleShape))
        }
        return (train, test)
    }

    /// The splits' results, each slot written by one thread, read after all are done.
    private final class Loaded: @unchecked Sendable {
        private let slots: UnsafeMutablePointer<Result<Dataset, DataError>?>
        private let count: Int
        init(count: Int) {
            self.count = count
            slots = .allocate(capacity: count)
            slots.initialize(repeating: nil, count: count)
        }
        deinit {
            slots.deinitialize(count: count)
            slots.deallocate()
        }
        subscript(i: Int) -> Result<Dataset, DataError> {
            get { slots[i]! }
            set { slots[i] = newValue }
        }
    }

    /// Fashion-MNIST from `folder`, or from `defaultFolder` when nil — then a missing folder's
    /// error names the Debian package that installs it.
    static func loadFashionMNIST(folder: String?, defaultFolder: String = fashionMNISTFolder) throws(DataError) -> (train: Dataset, test: Dataset) {
        let hint = folder == nil
            ? EngineSay.installFashionMNIST
            : nil
        return try loadFolder(folder ?? defaultFolder, dataset: "fashion_mnist", classNames: fashionMNISTClassNames, folderHint: hint)
    }

    /// MNIST from `folder`, or from `defaultFolder` when nil.
    static func loadMNIST(folder: String?, defaultFolder: String = mnistFolder) throws(DataError) -> (train: Dataset, test: Dataset) {
        let hint = folder == nil
            ? EngineSay.placeMNIST(defaultFolder)
            : nil
        return try loadFolder(folder ?? defaultFolder, dataset: "mnist", classNames: mnistClassNames, folderHint: hint)
    }

    /// Bytes from `offset` on, as floats 0…255 (a tight loop the compiler vectorizes).
    static func floats(_ bytes: [UInt8], from offset: Int) -> [Float] {
        let n = bytes.count - offset
        return [Float](unsafeUninitializedCapacity: n) { out, initialized in
            bytes.withUnsafeBufferPointer { src in
                let base = src.baseAddress! + offset
                for i in 0..<n { out[i] = Float(base[i]) }
            }
            initialized = n
        }
    }

    private static func hex(_ b: UInt8) -> String {
        let digits = Swift.Array("0123456789abcdef")
        return String([digits[Int(b >> 4)], digits[Int(b & 15)]])
    }

    private static func typeName(_ t: UInt8) -> String {
        switch t {
        case 0x08: "unsigned byte"
        case 0x09: "signed byte"
        case 0x0B: "short"
        case 0x0C: "int"
        case 0x0D: "float"
        case 0x0E: "double"
        default: "unknown"
        }
    }
}
