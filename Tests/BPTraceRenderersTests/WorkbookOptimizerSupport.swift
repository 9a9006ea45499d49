import Foundation
import Testing
import BPTrace
@testable import BPTraceRenderers

extension WorkbookTestSupport {
    static let optimizerNames = ["momentum-k2-l2", "nesterov-immediate-fixed", "rmsprop-ce-l2", "adam-full",
                                 "adamw-decay-biases", "adamw-sample-l2", "adam-nobias-deep"]

    /// A spec of every optimizer: together trained and fixed biases, no bias, l2 > 0, batch
    /// modes full, sample and k, the immediate update order, AdamW with and without decayed
    /// biases, and a deeper net.
    static func optimizerSpecs() throws -> [NetworkSpec] {
        let xor = #""data": {"inputs": [[0, 0], [0, 1], [1, 0], [1, 1]], "targets": [[0], [1], [1], [0]]}"#
        return [
            try spec("""
            {"name": "momentum-k2-l2", "layers": [3, 4, 2], "activations": ["sigmoid", "linear"], "loss": "mse",
             "learning_rate": 0.2, "batch": 2, "l2": 0.01, "optimizer": {"name": "momentum", "momentum": 0.8},
             "init": {"distribution": "uniform", "low": -1, "high": 1, "seed": 3},
             "data": {"inputs": \(rows(5, 3, wave)), "targets": \(rows(5, 2) { wave($0 + 9, $1) })}}
            """),
            try spec("""
            {"name": "nesterov-immediate-fixed", "layers": [2, 3, 1], "activations": ["tanh", "sigmoid"], "loss": "half_sse",
             "learning_rate": 0.3, "batch": "sample", "update": "immediate", "update_biases": false, "optimizer": "nesterov",
             "init": {"distribution": "normal", "mean": 0, "std": 0.8, "seed": 11}, \(xor)}
            """),
            try spec("""
            {"name": "rmsprop-ce-l2", "layers": [3, 4, 3], "activations": ["relu", "softmax"], "loss": "cross_entropy",
             "learning_rate": 0.01, "batch": 2, "l2": 0.02, "optimizer": {"name": "rmsprop", "rho": 0.8, "eps": 1e-6},
             "init": {"distribution": "uniform", "low": -1, "high": 1, "seed": 6},
             "data": {"inputs": \(rows(5, 3, wave)), "targets": \(rows(5, 3) { i, j in (i % 3) == j ? 1 : 0 })}}
            """),
            try spec("""
            {"name": "adam-full", "layers": [2, 2, 2], "activations": ["sigmoid", "sigmoid"], "loss": "half_sse",
             "learning_rate": 0.1, "update_biases": true, "optimizer": "adam",
             "init": {"distribution": "uniform", "seed": 5},
             "data": {"inputs": [[0.05, 0.1], [0.9, -0.3], [0.2, 0.7]], "targets": [[0.01, 0.99], [0.5, 0.2], [0.8, 0.1]]}}
            """),
            try spec("""
            {"name": "adamw-decay-biases", "layers": [2, 3, 1], "activations": ["tanh", "sigmoid"], "loss": "cross_entropy",
             "learning_rate": 0.05, "update": "immediate", "update_biases": true,
             "optimizer": {"name": "adamw", "beta1": 0.8, "beta2": 0.95, "weight_decay": 0.1, "decay_biases": true},
             "init": {"distribution": "xavier_uniform", "seed": 4}, \(xor)}
            """),
            try spec("""
            {"name": "adamw-sample-l2", "layers": [2, 3, 2], "activations": ["relu", "linear"], "loss": "mse",
             "learning_rate": 0.02, "batch": "sample", "l2": 0.05, "update_biases": true,
             "optimizer": {"name": "adamw", "weight_decay": 0.2, "decay_biases": false},
             "init": {"distribution": "he_normal", "seed": 2},
             "data": {"inputs": \(rows(3, 2, wave)), "targets": \(rows(3, 2) { wave($0 + 4, $1) })}}
            """),
            try spec("""
            {"name": "adam-nobias-deep", "layers": [3, 4, 3, 2], "activations": ["sigmoid", "tanh", "sigmoid"], "loss": "mse",
             "learning_rate": 0.05, "bias": false, "batch": 2, "optimizer": {"name": "adam", "beta1": 0.7},
             "init": {"distribution": "uniform", "seed": 9},
             "data": {"inputs": \(rows(4, 3, wave)), "targets": \(rows(4, 2) { (wave($0 + 2, $1) + 1) / 2 })}}
            """),
        ]
    }
}
