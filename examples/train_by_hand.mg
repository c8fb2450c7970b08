# The micrograd lecture's training loop, written out by hand: a small tanh network learns
# four examples, and every step is the textbook's four lines: forward, loss, gradients,
# update.
#
#     microcalc examples/train_by_hand.mg

xs = [[2, 3, -1], [3, -1, 0.5], [0.5, 1, 1], [1, 1, -1]]
ys = [1, -1, -1, 1]                         # the label of each example
data = dataset(xs, ys)
net = mlp(3, [4, 4, 1], activation="tanh", output="tanh", seed=1)
ps = parameters(net)

for k in range(20) {
    # forward: the network's output for each example, and how far it is from the label
    errors = []
    for x, y in data {
        errors = errors + [(net(x) - y)^2]
    }
    # the loss: the sum of the squared errors
    loss = sum(errors)
    print(k, loss)
    # the gradients, taken all at once: value(...) keeps them as numbers, so that moving
    # the first parameter does not change the gradients used for the others
    g = value(grad(loss, ps))
    # the update: every parameter a small step downhill
    for i in range(len(ps)) {
        ps[i] -= 0.1 * g[i]
    }
}

# After 20 steps the network's outputs are close to the labels.
predict(net, data)
