import ArgumentParser
import Engine
import Foundation

/// `runner predict MODEL INPUT`: a saved model's predictions for new inputs.
struct PredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Predict with a saved model (best.safetensors, or the output folder holding it).",
        discussion: """
        INPUT is a NumPy .npy array of samples (n, ...) or an IDX images file (.gz or raw). It gets \
        the preprocessing fitted when the model was trained. Output: CSV with one row per sample \
        (the class and each class's probability, or the predicted values).
        """
    )

    @Argument(help: "best.safetensors, or the output folder of a run.")
    var model: String

    @Argument(help: "Samples to predict: a .npy file or an IDX images file.")
    var input: String

    @Option(help: "Write the CSV here (atomically) instead of standard output.")
    var out: String?

    @Option(help: KernelMode.help)
    var kernels: KernelMode?

    func run() throws {
        try Provenance.enter(kernels ?? .standard)
        var path = model
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue { path += "/best.safetensors" }
        let net: Sequential
        let tensors: [SafeTensors.Entry], metadata: [String: String]
        do {
            (net, tensors, metadata) = try ModelFile.read(path)
        } catch {
            throw RunnerError.badInput(Say.at(path, "\(error)"))
        }
        var (shape, x): ([Int], [Float])
        do {
            if input.hasSuffix(".npy") {
                let a = try NPY.loadArray(input)
                (shape, x) = (Array(a.shape.dropFirst()), a.values)
            } else {
                (shape, x) = try IDX.loadImages(input)
            }
        } catch {
            throw RunnerError("\(error)", status: ExitStatus.badInput)
        }
        let width = net.inputShape.reduce(1, *)
        guard shape.reduce(1, *) == width else {
            throw RunnerError.badInput(Say.samplesDoNotFit(input, shape: shape, model: net.inputShape))
        }
        if let method = metadata["preprocess"].flatMap(Preprocessing.init(rawValue:)),
           let shift = tensors.first(where: { $0.name == "preprocess/shift" })?.values,
           let divisor = tensors.first(where: { $0.name == "preprocess/divisor" })?.values {
            guard shift.count == width, divisor.count == width, divisor.allSatisfy({ $0 != 0 }) else {
                throw RunnerError.badInput(Say.badPreprocess(path, width: width))
            }
            Preprocessor(method: method, shift: shift, divisor: divisor).apply(to: &x)
        }
        let y = Engine.predict(net, x: x, batchSize: 256)
        let k = net.outputShape.reduce(1, *), n = x.count / max(width, 1)
        let classification = metadata["task"] == "classification"
        let names = metadata["class_names"].flatMap { try? JSONDecoder().decode([String].self, from: Data($0.utf8)) }
        var header = ["sample"]
        if classification {
            header += ["class"] + (names != nil ? ["class_name"] : [])
            header += k == 1 ? ["p_1"] : (0..<k).map { "p_\($0)" }
        } else {
            header += k == 1 ? ["prediction"] : (0..<k).map { "prediction_\($0)" }
        }
        var table = CSVTable(header: header)
        for i in 0..<n {
            let row = Array(y[(i * k)..<((i + 1) * k)])
            var cells = [String(i)]
            if classification {
                let c = k == 1 ? (row[0] >= 0.5 ? 1 : 0) : row.indices.max { row[$0] < row[$1] }!
                cells.append(String(c))
                if let names { cells.append(c < names.count ? names[c] : "") }
            }
            cells += row.map { NumberText.exact(Double($0)) }
            table.append(cells)
        }
        if let out {
            do { try AtomicFile.write(table.text, to: out) } catch { throw RunnerError("\(error)", status: ExitStatus.failure) }
        } else {
            print(table.text, terminator: "")
        }
    }
}
