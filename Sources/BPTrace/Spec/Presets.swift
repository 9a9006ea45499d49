/// Built-in specs. Each is JSON text parsed by `SpecParser`, so a preset is also an example
/// of the spec format (`bptrace presets --show NAME` prints it).
public enum Presets {
    public struct Preset: Sendable {
        public let name: String
        public let summary: String
        public let json: String
    }

    /// The preset `bptrace run` uses when given neither `--preset` nor `--spec`.
    public static let defaultName = "mazur-2015"

    public static let all: [Preset] = [
        Preset(name: "mazur-2015",
               summary: "2-2-2 sigmoid net of Matt Mazur's \"A Step by Step Backpropagation Example\" (2015); biases fixed, textbook (simultaneous) update",
               json: """
               {
                 "name": "mazur-2015",
                 "layers": [2, 2, 2],
                 "activations": ["sigmoid", "sigmoid"],
                 "loss": "half_sse",
                 "learning_rate": 0.5,
                 "batch": "full",
                 "bias": true,
                 "update_biases": false,
                 "update": "simultaneous",
                 "l2": 0,
                 "weights": [[[0.15, 0.25], [0.20, 0.30]], [[0.40, 0.50], [0.45, 0.55]]],
                 "biases": [[0.35, 0.35], [0.60, 0.60]],
                 "data": {"inputs": [[0.05, 0.10]], "targets": [[0.01, 0.99]]}
               }
               """),
        Preset(name: "mazur-2015-immediate",
               summary: "the same net with the immediate update order, which reproduces the post's numbers after the first update (0.291027924) and after 10,000",
               json: """
               {
                 "name": "mazur-2015-immediate",
                 "layers": [2, 2, 2],
                 "activations": ["sigmoid", "sigmoid"],
                 "loss": "half_sse",
                 "learning_rate": 0.5,
                 "update_biases": false,
                 "update": "immediate",
                 "weights": [[[0.15, 0.25], [0.20, 0.30]], [[0.40, 0.50], [0.45, 0.55]]],
                 "biases": [[0.35, 0.35], [0.60, 0.60]],
                 "data": {"inputs": [[0.05, 0.10]], "targets": [[0.01, 0.99]]}
               }
               """),
        Preset(name: "analytics-vidhya",
               summary: "4-3-1 sigmoid net of Sunil Ray's \"neural network in Excel\" tutorial (Analytics Vidhya, 2017), with the starting values of its screenshots",
               json: """
               {
                 "name": "analytics-vidhya",
                 "layers": [4, 3, 1],
                 "activations": ["sigmoid", "sigmoid"],
                 "loss": "half_sse",
                 "learning_rate": 0.1,
                 "batch": "full",
                 "update": "simultaneous",
                 "weights": [[[0.42, 0.88, 0.55], [0.10, 0.73, 0.68], [0.60, 0.18, 0.47], [0.92, 0.11, 0.52]],
                             [[0.30], [0.25], [0.23]]],
                 "biases": [[0.46, 0.72, 0.08], [0.69]],
                 "data": {"inputs": [[1, 0, 1, 0], [1, 0, 1, 1], [0, 1, 0, 1]], "targets": [[1], [1], [0]]}
               }
               """),
        Preset(name: "tanh-relu-softmax",
               summary: "a deeper 4-5-4-3 classifier (tanh, relu, softmax with cross-entropy), xavier init from numpy seed 7, mini-batches of 2, l2 0.001",
               json: """
               {
                 "name": "tanh-relu-softmax",
                 "layers": [4, 5, 4, 3],
                 "activations": ["tanh", "relu", "softmax"],
                 "loss": "cross_entropy",
                 "learning_rate": 0.1,
                 "batch": 2,
                 "l2": 0.001,
                 "init": {"distribution": "xavier_uniform", "seed": 7, "rng": "numpy"},
                 "data": {"inputs": [[5.1, 3.5, 1.4, 0.2], [7.0, 3.2, 4.7, 1.4], [6.3, 3.3, 6.0, 2.5],
                                     [4.9, 3.0, 1.4, 0.2], [6.4, 3.2, 4.5, 1.5], [5.8, 2.7, 5.1, 1.9]],
                          "targets": [[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 0, 0], [0, 1, 0], [0, 0, 1]]}
               }
               """),
        Preset(name: "xor",
               summary: "2-2-1 sigmoid net learning XOR from numpy-seeded uniform(0,1) weights (seed 2), full batch",
               json: """
               {
                 "name": "xor",
                 "layers": [2, 2, 1],
                 "loss": "half_sse",
                 "learning_rate": 0.5,
                 "init": {"distribution": "uniform", "low": 0, "high": 1, "seed": 2, "rng": "numpy"},
                 "data": {"inputs": [[0, 0], [0, 1], [1, 0], [1, 1]], "targets": [[0], [1], [1], [0]]}
               }
               """),
        Preset(name: "nndl-nonconvex",
               summary: "y = σ(w2·σ(w1·x)), no biases: the textbook's non-convex loss; its landscape over (w1, w2) has two basins (bptrace landscape)",
               json: """
               {
                 "name": "nndl-nonconvex",
                 "layers": [1, 1, 1],
                 "activations": ["sigmoid", "sigmoid"],
                 "loss": "half_sse",
                 "learning_rate": 2,
                 "batch": "full",
                 "bias": false,
                 "weights": [[[-1.0]], [[0.5]]],
                 "data": {"inputs": [[2.1], [-2.8], [1.4]], "targets": [[0.21], [0.83], [0.54]]}
               }
               """),
        Preset(name: "deep-sigmoid",
               summary: "2-8-8-8-8-8-1 net on XOR with five sigmoid hidden layers, xavier_uniform init from numpy seed 9: its error terms shrink layer by layer toward the input (vanishing gradients); compare deep-relu",
               json: """
               {
                 "name": "deep-sigmoid",
                 "layers": [2, 8, 8, 8, 8, 8, 1],
                 "activations": ["sigmoid", "sigmoid", "sigmoid", "sigmoid", "sigmoid", "sigmoid"],
                 "loss": "half_sse",
                 "learning_rate": 0.5,
                 "batch": "full",
                 "init": {"distribution": "xavier_uniform", "seed": 9, "rng": "numpy"},
                 "data": {"inputs": [[0, 0], [0, 1], [1, 0], [1, 1]], "targets": [[0], [1], [1], [0]]}
               }
               """),
        Preset(name: "deep-relu",
               summary: "the same 2-8-8-8-8-8-1 net, data and seed as deep-sigmoid with relu hidden layers and he_normal init (the init suited to relu): its error terms keep their size from layer to layer",
               json: """
               {
                 "name": "deep-relu",
                 "layers": [2, 8, 8, 8, 8, 8, 1],
                 "activations": ["relu", "relu", "relu", "relu", "relu", "sigmoid"],
                 "loss": "half_sse",
                 "learning_rate": 0.5,
                 "batch": "full",
                 "init": {"distribution": "he_normal", "seed": 9, "rng": "numpy"},
                 "data": {"inputs": [[0, 0], [0, 1], [1, 0], [1, 1]], "targets": [[0], [1], [1], [0]]}
               }
               """),
        Preset(name: "xor-adam",
               summary: "the xor net and data trained with Adam (η = 0.03, β1 0.9, β2 0.999, ε 1e-8): it learns XOR in 300 steps, where xor's plain SGD still sits on the plateau at loss 0.5",
               json: """
               {
                 "name": "xor-adam",
                 "description": "The xor preset's network, starting weights and data with the Adam optimizer instead of SGD. With SGD the loss stays near 0.5 for hundreds of steps (every output near 0.5); Adam divides each step by the gradient's running size, so it leaves the plateau and learns XOR in about 300 steps. With a learning rate from 0.04 to 0.5 it ends in a local minimum instead (two outputs stuck near 0.5, or three near 2/3).",
                 "layers": [2, 2, 1],
                 "loss": "half_sse",
                 "learning_rate": 0.03,
                 "optimizer": {"name": "adam", "beta1": 0.9, "beta2": 0.999, "eps": 1e-8},
                 "init": {"distribution": "uniform", "low": 0, "high": 1, "seed": 2, "rng": "numpy"},
                 "data": {"inputs": [[0, 0], [0, 1], [1, 0], [1, 1]], "targets": [[0], [1], [1], [0]]}
               }
               """),
        Preset(name: "xor-momentum",
               summary: "the xor net, data and η = 0.5 trained with momentum 0.9 (PyTorch's form): it learns XOR in 300 steps, where plain SGD with the same η has not left the plateau",
               json: """
               {
                 "name": "xor-momentum",
                 "description": "The xor preset with momentum 0.9 instead of plain SGD, at the same learning rate 0.5. The velocity adds up the small, steady gradients of the plateau around loss 0.5, so the weights move about ten times as fast there and the net learns XOR in about 300 steps; plain SGD needs well over 1,000.",
                 "layers": [2, 2, 1],
                 "loss": "half_sse",
                 "learning_rate": 0.5,
                 "optimizer": {"name": "momentum", "momentum": 0.9},
                 "init": {"distribution": "uniform", "low": 0, "high": 1, "seed": 2, "rng": "numpy"},
                 "data": {"inputs": [[0, 0], [0, 1], [1, 0], [1, 1]], "targets": [[0], [1], [1], [0]]}
               }
               """),
    ]

    public static var names: [String] { all.map(\.name) }

    public static func preset(named name: String) -> Preset? { all.first { $0.name == name } }

    /// The validated spec of a preset.
    public static func spec(named name: String) throws -> NetworkSpec {
        guard let p = preset(named: name) else {
            throw SpecError("--preset", "unknown preset \"\(name)\"\(suggestion(for: name, among: names)); the presets are \(names.joined(separator: ", "))")
        }
        return try SpecParser.parse(text: p.json)
    }
}
