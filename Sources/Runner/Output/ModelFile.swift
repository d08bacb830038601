import Engine
import Spec

/// best.safetensors: the Engine's weights and architecture (layer kinds and names, input
/// shape), and beside them, as metadata `model`, the layers' arguments as data: the trial's
/// resolved `model` section. Reading one rebuilds the layers the way a run builds them (Spec
/// validates the section against the catalog, `Binding.layers` makes the Engine layers), so
/// there is one layer factory and the catalog is the only place a default or a range is written.
enum ModelFile {
    /// Writes `model`, trained from `config`, with `metadata` and `extra` tensors.
    static func write(_ model: Sequential, config: ModelConfig, to path: String,
                      metadata: [String: String], extra: [SafeTensors.Entry]) throws(ModelFileError) {
        var m = metadata
        m["model"] = config.text
        try model.save(to: path, metadata: m, extra: extra)
    }

    /// The model a file holds, rebuilt, with the file's tensors and metadata.
    static func read(_ path: String) throws(ModelFileError) -> (model: Sequential, tensors: [SafeTensors.Entry], metadata: [String: String]) {
        let (tensors, metadata) = try SafeTensors.read(path)
        _ = try Sequential.architecture(metadata)
        guard let text = metadata["model"] else {
            throw ModelFileError(Say.noModelSection)
        }
        let layers: [Layer]
        do {
            layers = try Binding.layers(try ModelConfig(text: text, file: "\(path) (model)"))
        } catch let e as ResolutionError {
            throw ModelFileError(Say.modelSectionInvalid(e))
        } catch {
            throw ModelFileError(Say.modelSectionBuild(error))
        }
        return (try Sequential.load(tensors: tensors, metadata: metadata, layers: layers), tensors, metadata)
    }
}
