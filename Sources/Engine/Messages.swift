/// Every sentence the Engine says to its user, in one place (Runner's are in
/// Runner/Messages.swift, Spec's in Spec/Messages.swift): why a model does not build
/// (`ShapeError`), why a model file cannot be written, read or matched (`ModelFileError`),
/// why training cannot run (`TrainingError`), and what is wrong with data (`DataError`).
/// Runner prints them as they are and the journal keeps a trial's reason, so they are data
/// too: change one and old journals say the old words.
/// Lowercase (a Keras class name aside), naming what was expected and what was found, and
/// what to do about it.
///
/// Not here: precondition texts (a broken invariant of the program, not the user's doing),
/// the words of documents the Engine writes (`summary()`'s table), and names (layer kinds,
/// activations, losses, Keras's parameter names).
enum EngineSay {
    // MARK: Building a model (ShapeError)

    /// `kind` is the layer's Keras class name: "Dense", "Flatten", "Dropout", ...
    static func needsPositiveShape(_ kind: String, _ inputShape: [Int]) -> String {
        "\(kind) needs an input shape of positive sizes, got \(inputShape)"
    }
    static func denseNeedsAxis(_ inputShape: [Int]) -> String {
        "Dense needs an input with at least one axis of positive size, got \(inputShape)"
    }
    /// Conv2D, the pooling layers and GlobalAveragePooling2D; `afterFlat` says what a flat
    /// input means for this kind, e.g. " (a flat vector: ... )", or "" for none.
    static func needsImage(_ kind: String, _ inputShape: [Int], afterFlat: String = "") -> String {
        "\(kind) needs a per-sample input of shape (height, width, channels), got \(inputShape)"
            + (inputShape.count == 1 ? afterFlat : "")
    }
    static let convAfterFlat = " (a flat vector: Conv2D cannot follow Flatten or Dense; use Reshape)"
    static let poolingAfterFlat = " (a flat vector: pooling cannot follow Flatten or Dense)"
    static func kernelTooLarge(_ kernelSize: (Int, Int), height: Int, width: Int) -> String {
        "Conv2D kernel_size \(kernelSize) is larger than its input \(height)x\(width) "
            + "with padding \"valid\"; use a smaller kernel or padding \"same\""
    }
    static func poolTooLarge(_ kind: String, _ pool: (Int, Int), height: Int, width: Int) -> String {
        "\(kind) pool_size \(pool) is larger than its input \(height)x\(width) "
            + "with padding \"valid\"; use a smaller pool or padding \"same\""
    }
    static func badTargetShape(_ targetShape: [Int]) -> String {
        "Reshape target_shape \(targetShape) must be positive sizes with at most one -1"
    }
    static func targetShapeTooLarge(_ targetShape: [Int]) -> String { "Reshape target_shape \(targetShape) holds too many values" }
    static func reshapeCannotFit(_ count: Int, _ inputShape: [Int], _ targetShape: [Int]) -> String {
        "Reshape cannot fit \(count) values per sample (input \(inputShape)) into \(targetShape)"
    }
    static func reshapeCountDiffers(_ targetShape: [Int], known: Int, _ inputShape: [Int], count: Int) -> String {
        "Reshape target_shape \(targetShape) holds \(known) values per sample, but the input \(inputShape) has \(count)"
    }
    static func duplicateLayerName(_ name: String) -> String { "two layers are named \"\(name)\"; layer names must be unique" }
    /// A layer's ShapeError, prefixed with the layer it is about.
    static func inLayer(_ name: String, _ kind: String, _ message: String) -> String { "\(name) (\(kind)): \(message)" }

    // MARK: Model files (ModelFileError, and the ShapeErrors of a stored architecture)

    static func duplicateTensorName(_ name: String) -> String { "safetensors: duplicate or reserved tensor name \"\(name)\"" }
    static func tensorCountMismatch(_ name: String, count: Int, shape: [Int]) -> String {
        "safetensors: \(name) has \(count) values for shape \(shape)"
    }
    static func cannotEncodeHeader(_ error: Error) -> String { "safetensors: cannot encode the header: \(error)" }
    static func safetensorsTooShort(_ count: Int) -> String { "safetensors: file too short (\(count) bytes)" }
    static func headerExceedsFile(_ length: UInt64, fileSize: Int) -> String {
        "safetensors: header length \(length) exceeds the file (\(fileSize) bytes)"
    }
    static let headerNotJSON = "safetensors: the header is not valid JSON"
    static let headerNotObject = "safetensors: the header is not a JSON object"
    static let badMetadata = "safetensors: __metadata__ must map strings to strings"
    static func tensorLacksFields(_ name: String) -> String {
        "safetensors: tensor \"\(name)\" lacks dtype, shape or data_offsets (non-negative integers)"
    }
    static func unsupportedDtype(_ name: String, _ dtype: String) -> String {
        "safetensors: tensor \"\(name)\" is \(dtype); only F32 is supported"
    }
    static func offsetsDoNotFit(_ name: String, offsets: [Int], shape: [Int]) -> String {
        "safetensors: tensor \"\(name)\" has data_offsets \(offsets) that do not fit shape \(shape) and the file"
    }
    static func cannotWriteModel(_ path: String, _ reason: String) -> String { "cannot write \(path): \(reason)" }
    static func cannotReadModel(_ path: String, _ error: Error) -> String { "cannot read \(path): \(error)" }
    static func badArchitecture(_ error: Error) -> String { "the model file's architecture is not valid: \(error)" }
    static let saveUnbuilt = "cannot save a model that is not built"
    static let loadIntoUnbuilt = "cannot load weights into a model that is not built"
    static func noTensor(_ name: String) -> String { "the model file has no tensor \"\(name)\"" }
    static func tensorShapeDiffers(_ name: String, file: [Int], model: [Int]) -> String {
        "tensor \"\(name)\" has shape \(file) in the file, \(model) in the model"
    }
    static func nonFiniteWeight(_ name: String, _ value: Float, at index: Int) -> String {
        "tensor \"\(name)\" holds \(value) at index \(index); a model's weights must be finite"
    }
    static func storedLayersDiffer(stored: [String], given: [String]) -> String {
        "the stored architecture lists the layers \(stored), its arguments \(given)"
    }
    static func storedInputTooLarge(_ layer: String, _ shape: [Int]) -> String {
        "layer \(layer) gets an input of shape \(shape), too large"
    }
    static func storedTooManyWeights(_ layer: String, _ shape: [Int]) -> String {
        "layer \(layer) would have too many weights for input \(shape)"
    }
    static func storedWeightsMissing(_ layer: String, _ kind: String, needed: Int, _ shape: [Int], held: Int) -> String {
        "layer \(layer) (\(kind)) needs \(needed) weights for input \(shape), the file holds \(held) under that name"
    }
    static func storedOutputTooLarge(_ shape: [Int]) -> String { "the model's output \(shape) is too large" }
    static func storedDoesNotBuild(_ message: String) -> String { "the stored architecture does not build: \(message)" }
    static let noArchitecture = "no architecture in its metadata; load its weights into a built model instead"
    static func badStoredInputShape(_ shape: [Int], maxSize: Int) -> String {
        "the stored architecture's input_shape \(shape) is not 1 to 8 sizes from 1 to \(maxSize)"
    }

    // MARK: Training (TrainingError)

    static let notBuilt = "the model is not built"
    /// `what` is "the training data", "the validation data" or "the evaluation data".
    static func noSamples(_ what: String) -> String { "\(what) has no samples" }
    static let trainingData = "the training data"
    static let validationData = "the validation data"
    static let evaluationData = "the evaluation data"
    static func nonDifferentiable(layer: String, activation: String) -> String {
        "layer \(layer) uses the activation \"\(activation)\", which has no gradient: it can be used for inference but not trained"
    }
    static func needsClassLabels(_ loss: String) -> String { "\(loss) needs class labels, but the target is a regression target" }
    static func tooFewOutputs(_ loss: String, classes: Int, outputs: Int) -> String {
        "\(loss): the data has \(classes) classes but the model outputs \(outputs) values"
    }
    static func targetWidthDiffers(_ loss: String, target: Int, output: Int) -> String {
        "\(loss): targets of width \(target) for an output of width \(output)"
    }
    static func featuresDiffer(_ features: Int, sampleShape: [Int], inputShape: [Int]) -> String {
        "the data has \(features) features per sample (shape \(sampleShape)), the model takes shape \(inputShape)"
    }
    static let stateDoesNotFit = "the saved training state does not fit this model"
    static func unknownDirection(_ monitor: String) -> String {
        "EarlyStopping: cannot tell whether \"\(monitor)\" should be minimized or maximized; set mode to min or max"
    }
    static let plateauNeedsConstantRate = "ReduceLROnPlateau needs a constant learning rate, not a schedule"

    // MARK: Data files (DataError)

    static func noSuchFile(_ path: String, hint: String?) -> String { "\(path): no such file" + (hint.map { "; \($0)" } ?? "") }
    static func noSuchDataFolder(_ path: String, dataset: String, hint: String?) -> String {
        "\(path): no such folder for data set \(dataset)" + (hint.map { "; \($0)" } ?? "")
    }
    static func cannotRead(_ path: String, _ reason: String) -> String { "\(path): cannot read: \(reason)" }
    static func corruptGzip(_ path: String, _ reason: String) -> String { "\(path): corrupt gzip data: \(reason)" }
    static func badIDX(_ path: String, _ reason: String) -> String { "\(path): not a usable IDX file: \(reason)" }
    static func imageLabelCounts(_ images: String, _ imageCount: Int, _ labels: String, _ labelCount: Int) -> String {
        "\(images) holds \(imageCount) images but \(labels) holds \(labelCount) labels"
    }
    /// `path:line: reason`, with ` in column C` when a column is at fault.
    static func badCSV(_ path: String, line: Int, column: String?, _ reason: String) -> String {
        "\(path):\(line): \(reason)" + (column.map { " in column \($0)" } ?? "")
    }
    static func badNPY(_ path: String, _ reason: String) -> String { "\(path): not a usable .npy file: \(reason)" }
    static func sampleCounts(_ x: String, _ xCount: Int, _ y: String, _ yCount: Int) -> String {
        "\(x) holds \(xCount) samples but \(y) holds \(yCount) (first axes must match)"
    }

    // Where to get a named data set (the hint of a missing file or folder).
    static let installFashionMNIST =
        "install the Debian package dataset-fashion-mnist (apt-get install dataset-fashion-mnist), or give the folder holding the IDX files"
    static func placeMNIST(_ folder: String) -> String {
        "no Debian package provides MNIST: put train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz in \(folder), or give their folder"
    }
    static func idxFileWanted(_ dataset: String, folder: String, alternative: String, hint: String?) -> String {
        "\(dataset) needs it in \(folder) (also looked for \(alternative))" + (hint.map { "; \($0)" } ?? "")
    }
    static let installDiabetes =
        "install the Debian package python3-sklearn (apt-get install python3-sklearn; scripts/setup does), or give scikit-learn's datasets/data folder as path"
    static let diabetesFiles = "diabetes needs scikit-learn's diabetes_data_raw.csv.gz and diabetes_target.csv.gz in this folder"

    // Reasons a file cannot be read (after `path: cannot read: `).
    static let isFolder = "is a folder, expected a file"
    static func shortRead(_ got: Int, of size: Int) -> String { "read \(got) of \(size) bytes" }

    // Reasons a gzip stream is corrupt.
    static let inflateCannotStart = "zlib could not start inflating"
    static let inflateCannotRestart = "zlib could not restart after a member"
    static func inflatesTooLarge(_ bytes: Int) -> String { "it inflates to more than \(bytes) bytes, more than this machine can hold" }
    static let gzipTruncated = "truncated: the stream ends before its last block"
    static func zlibError(_ code: Int32) -> String { "zlib error \(code)" }

    // Reasons an IDX file is not usable.
    static func idxTooShort(_ count: Int) -> String { "only \(count) bytes, shorter than the 4-byte magic number" }
    static func idxMagic(_ magic: String) -> String { "wrong magic number \(magic); an IDX file starts with 00 00" }
    static func idxDataType(_ code: String, _ name: String) -> String {
        "data type \(code) (\(name)); only unsigned bytes (08) are supported"
    }
    static func idxRank(_ rank: Int, expected: String) -> String { "\(rank) dimensions, expected \(expected)" }
    static func idxHeaderTruncated(_ count: Int, rank: Int, needs: Int) -> String {
        "truncated header: \(count) bytes, the \(rank) dimensions need \(needs)"
    }
    static let idxTooLarge = "dimensions too large"
    /// `what` is "truncated" or "too long".
    static func idxLength(_ what: String, shape: String, needs: Int, holds: Int) -> String {
        "\(what): a \(shape) array needs \(needs) bytes, the file holds \(holds)"
    }
    static func noPixels(_ sampleShape: [Int]) -> String { "images of shape \(sampleShape) hold no pixels" }
    static func labelBeyondClasses(_ label: Int, classes: Int) -> String {
        "label \(label) found, but the data set has \(classes) classes"
    }
    static func trainTestShapes(train: [Int], test: [Int]) -> String { "train images are \(train), test images \(test)" }
    static func testTrainShapes(test: [Int], train: [Int]) -> String { "test images are \(test), training images \(train)" }
    static let idxTestPair = "idx: give both test images and test labels, or neither"

    // Reasons a .npy file is not usable.
    static let npyMagic = "no \\x93NUMPY magic string at the start"
    static let npyTruncatedHeader = "truncated header"
    static func npyVersion(_ major: UInt8, _ minor: UInt8) -> String {
        "format version \(major).\(minor); versions 1.0, 2.0 and 3.0 are supported"
    }
    static func npyHeaderLength(_ claimed: Int, holds: Int) -> String {
        "truncated header: it claims \(claimed) bytes, the file holds \(holds)"
    }
    static func npyBadHeader(_ text: String) -> String { "bad header: \(text)" }
    static let npyStructured = "structured dtype; only plain numeric arrays are supported"
    static let npyNoDescr = "bad header: no 'descr' string"
    static let npyNoFortranOrder = "bad header: no 'fortran_order' True/False"
    static let npyNoShape = "bad header: no 'shape' tuple"
    static func npyBigEndian(_ descr: String) -> String {
        "big-endian dtype '\(descr)'; save it little-endian (e.g. a.astype('<\(descr.dropFirst())'))"
    }
    static func npyDtype(_ descr: String) -> String { "unsupported dtype '\(descr)'; supported: <f4, <f8, |u1, <i4, <i8" }
    static let npyFortran = "Fortran order; save it in C order (np.ascontiguousarray)"
    static func npyShapeOverflows(_ shape: [Int]) -> String { "shape \(shape) is too large (its size overflows)" }
    /// `arrayName` is "it", "x" or "y".
    static func npyNoSampleAxis(_ arrayName: String) -> String {
        "a 0-dimensional array; \(arrayName) needs a first axis of samples"
    }
    static func npyNotFinite(nan: Bool, row: Int, column: Int?) -> String {
        (nan ? "NaN" : "an infinite value (or one beyond float32's range)")
            + " at row \(row)" + (column.map { ", column \($0)" } ?? "") + " (0-based); the data must be finite"
    }
    static func npyTargetShape(_ shape: [Int]) -> String { "shape \(shape); y must be (n,) or (n, k)" }
    static func npyNoFeatures(_ shape: [Int]) -> String { "shape \(shape): samples with no features" }
    static func npyLabelShape(_ shape: [Int]) -> String {
        "shape \(shape); classification labels must be (n,) or (n, 1) class indices"
    }
    static func npyNotClassIndex(_ label: Double, at index: Int) -> String {
        "label \(label) at index \(index) is not a class index (0, 1, 2, …)"
    }
    static func npyLabelTooLarge(_ label: Double, at index: Int, maxIndex: Int) -> String {
        "label \(label) at index \(index) is too large; class indices go up to \(maxIndex)"
    }
    /// `what` is "truncated" or "too long".
    static func npyLength(_ what: String, shape: [Int], descr: String, needs: Int, holds: Int) -> String {
        "\(what): shape \(shape) of \(descr) needs \(needs) data bytes, the file holds \(holds)"
    }

    // Reasons a CSV row or file is not usable (after `path:line: `).
    static let quoteAfterQuote = "a quote right after a closing quote (write \"\" inside quotes for one \")"
    static let textAfterQuote = "text after the closing quote of a quoted field"
    static let unclosedQuote = "a quoted field is never closed (the file ends inside it)"
    static let missingValue = "missing value"
    static func notANumber(_ text: String) -> String { "'\(text)' is not a number" }
    static func notFinite(_ text: String) -> String { "'\(text)' is not a finite number" }
    static func beyondFloat32(_ text: String) -> String { "'\(text)' is beyond float32's range (±3.4e38)" }
    static let regressionTarget = " (the task is regression)"
    static let missingTarget = "missing target value"
    static let emptyCSV = "the file is empty; expected a header row"
    /// `role` is "feature" or "target".
    static func noSuchColumn(_ role: String, _ name: String, columns: [String]) -> String {
        "\(role) column '\(name)' is not in the header (columns: \(columns.joined(separator: ", ")))"
    }
    static func noTargetColumn(_ path: String) -> String { "\(path): no target column given" }
    static func featureIsTarget(_ path: String, _ name: String) -> String { "\(path): column '\(name)' is both a feature and the target" }
    static func noFeatureColumns(_ path: String) -> String { "\(path): no feature columns (every column is a target)" }
    static func fieldCount(_ count: Int, header: Int) -> String { "\(count) fields, but the header has \(header)" }
    static func columnName(_ name: String, number: Int) -> String { "'\(name)' (\(number))" }
    static func oneTargetColumn(_ path: String, got: [String]) -> String {
        "\(path): classification takes one target column, got \(got.count) (\(got.joined(separator: ", ")))"
    }
    static func everyRowDropped(_ dropped: Int) -> String { "every one of the \(dropped) rows was dropped as invalid" }
    static let noDataRows = "no data rows after the header"
    static func droppedRows(_ path: String, _ dropped: Int, firstLine: Int) -> String {
        "\(path): dropped \(dropped) row\(dropped == 1 ? "" : "s") with missing or non-numeric values (the first at line \(firstLine))"
    }
    static func numbersPerRow(expected: Int, found: Int) -> String { "expected \(expected) numbers, found \(found)" }

    // MARK: Synthetic data (DataError.invalidParameter); `source` is the generator's name

    /// `classes must be ≥ 2, got 1`; `value` an Int or a floating-point number.
    static func atLeast(_ source: String, _ parameter: String, _ bound: Int, got value: some CustomStringConvertible) -> String {
        "\(source): \(parameter) must be ≥ \(bound), got \(value)"
    }
    static let noWeights = "linear: weights must not be empty"
    static let emptyTable = "logic: the table has no rows"
    static let narrowTable = "logic: each row needs at least one input and the output"
    static func ragged(row: Int, count: Int, width: Int) -> String {
        "logic: row \(row) has \(count) values, the first row has \(width)"
    }
    static func badRange(low: Double, high: Double) -> String {
        "function2d: range must be [low, high] with low < high, got [\(low), \(high)]"
    }
    static func massOutside(_ low: Double, _ high: Double) -> String {
        "stellar: mass_range must lie within [0.1, 100] solar masses, where the fits hold; got [\(low), \(high)]"
    }
    static func metallicityOutside(_ low: Double, _ high: Double) -> String {
        "stellar: metallicity_range must lie within [0.0001, 0.03], where the fits hold; got [\(low), \(high)]"
    }

    // MARK: Splitting data (DataError.invalidParameter)

    static func limitBelowOne(_ count: Int) -> String { "limit must be ≥ 1, got \(count)" }
    /// `name` is "test_fraction", "validation_split" or "validation fraction".
    static func fractionOutside(_ name: String, _ fraction: Double) -> String {
        "\(name) must be between 0 and 1 (exclusive), got \(fraction)"
    }
    /// `part` is "test" or "validation".
    static func fractionLeavesEmpty(_ name: String, _ fraction: Double, of n: Int, train: Int, _ part: String, held: Int) -> String {
        "\(name) \(fraction) of \(n) samples leaves \(train) for training and \(held) for \(part); both need at least one"
    }
    static func foldsBelowTwo(_ k: Int) -> String { "cross-validation needs k ≥ 2 folds, got \(k)" }
    static func tooManyFolds(_ k: Int, samples n: Int) -> String {
        "cannot make \(k) folds of \(n) samples (k must be ≤ the number of samples)"
    }
    static func noClassFillsFolds(_ k: Int, largest: Int) -> String {
        "stratified \(k)-fold: no class has \(k) members (the largest has \(largest))"
    }
    static func smallClass(_ k: Int, _ name: Int, members: Int) -> String {
        "stratified \(k)-fold: class \(name) has only \(members) members, fewer than the \(k) folds"
    }
}
