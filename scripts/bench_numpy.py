# The article's training loop in plain NumPy (2-2-1, sigmoid, BCE with clipping, lr 0.1, `seed` update order),
# timed by `npm run bench`. Prints one JSON line: {"ms_per_training": ..., "trainings": ..., "mean_total_loss": ...}.
import json
import sys
import time

import numpy as np


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def binary_cross_entropy(y_true, y_pred):
    epsilon = 1e-15
    y_pred = np.clip(y_pred, epsilon, 1 - epsilon)
    return -(y_true * np.log(y_pred) + (1 - y_true) * np.log(1 - y_pred))


inputs = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
expected_output = np.array([[0], [1], [1], [0]])
learning_rate = 0.1


def train(rng, epochs, hidden_std_dev, output_std_dev):
    hidden_weights = rng.standard_normal((2, 2)) * hidden_std_dev
    hidden_bias = rng.standard_normal((1, 2)) * hidden_std_dev
    output_weights = rng.standard_normal((2, 1)) * output_std_dev
    output_bias = rng.standard_normal((1, 1)) * output_std_dev
    total_loss = 0.0
    for _ in range(epochs):
        hidden_output = sigmoid(np.dot(inputs, hidden_weights) + hidden_bias)
        predicted_output = sigmoid(np.dot(hidden_output, output_weights) + output_bias)
        loss = binary_cross_entropy(expected_output, predicted_output)
        d_predicted_output = predicted_output - expected_output
        output_weights -= hidden_output.T.dot(d_predicted_output) * learning_rate
        output_bias -= np.sum(d_predicted_output, axis=0, keepdims=True) * learning_rate
        d_hidden = d_predicted_output.dot(output_weights.T) * (hidden_output * (1 - hidden_output))
        hidden_weights -= inputs.T.dot(d_hidden) * learning_rate
        hidden_bias -= np.sum(d_hidden, axis=0, keepdims=True) * learning_rate
        total_loss += np.mean(loss)
    return total_loss


def main():
    trainings = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    epochs = int(sys.argv[2]) if len(sys.argv) > 2 else 10000
    rng = np.random.default_rng(1)
    train(rng, 100, 0.7071, 0.8165)  # warm-up
    start = time.perf_counter()
    losses = [train(rng, epochs, 0.7071, 0.8165) for _ in range(trainings)]
    elapsed = time.perf_counter() - start
    print(json.dumps({"ms_per_training": elapsed * 1000 / trainings * (10000 / epochs), "trainings": trainings,
                      "epochs": epochs, "mean_total_loss": float(np.mean(losses)), "numpy": np.__version__}))


if __name__ == "__main__":
    main()
