import Engine
import Foundation

/// A halving unit's training state after a rung, so the next rung continues it (in this
/// process or another shard's): `OUT/state/trial-003-fold-1-iter-0.safetensors`, the float
/// arrays (weights, optimizer slots, EarlyStopping's best weights) as tensors, the rest of
/// `TrainingState` as JSON in the header's `__metadata__`. Written atomically before the
/// unit's journal record, so a journaled rung always has its state.
enum UnitState {
    static func folder(_ out: String) -> String { out + "/state" }

    static func path(_ out: String, trial: Int, fold: Int, iter: Int) -> String {
        folder(out) + String(format: "/trial-%03d-fold-%d-iter-%d.safetensors", trial, fold, iter)
    }

    static func write(_ state: TrainingState, to path: String) throws {
        var bare = state
        var tensors: [SafeTensors.Entry] = []
        func take(_ values: inout [Float], _ name: String) {
            if !values.isEmpty { tensors.append(SafeTensors.Entry(name: name, shape: [values.count], values: values)) }
            values = []
        }
        for i in bare.weights.indices { take(&bare.weights[i], "weights/\(i)") }
        for i in bare.optimizer.slots.indices {
            for j in bare.optimizer.slots[i].indices { take(&bare.optimizer.slots[i][j], "slots/\(i)/\(j)") }
        }
        for c in bare.callbacks.indices {
            guard var ws = bare.callbacks[c].weights else { continue }
            for i in ws.indices { take(&ws[i], "callbacks/\(c)/\(i)") }
            bare.callbacks[c].weights = ws
        }
        let json = String(decoding: try encoder.encode(bare), as: UTF8.self)
        let bytes = try SafeTensors.encode(tensors, metadata: ["runner_state": json])
        try AtomicFile.write(bytes, to: path)
    }

    static func read(_ path: String) throws -> TrainingState {
        let (tensors, metadata) = try SafeTensors.read(path)
        guard let json = metadata["runner_state"] else { throw ModelFileError(Say.notUnitState(path)) }
        var state = try decoder.decode(TrainingState.self, from: Data(json.utf8))
        var byName: [String: [Float]] = [:]
        for t in tensors { byName[t.name] = t.values }
        for i in state.weights.indices { state.weights[i] = byName["weights/\(i)"] ?? [] }
        for i in state.optimizer.slots.indices {
            for j in state.optimizer.slots[i].indices { state.optimizer.slots[i][j] = byName["slots/\(i)/\(j)"] ?? [] }
        }
        for c in state.callbacks.indices {
            guard var ws = state.callbacks[c].weights else { continue }
            for i in ws.indices { ws[i] = byName["callbacks/\(c)/\(i)"] ?? [] }
            state.callbacks[c].weights = ws
        }
        return state
    }

    private static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return e
    }()

    private static let decoder: JSONDecoder = {
        let d = JSONDecoder()
        d.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return d
    }()
}
