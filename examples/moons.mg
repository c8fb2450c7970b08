# micrograd's demo: a 2-16-16-1 ReLU network learns to separate two half moons.
# The same 100 points, the same initial weights (seed 1337), the same max-margin loss
# with 1e-4 L2 regularisation, and the same learning rate, falling from 1 to 0.1 over
# 100 full-batch steps: the losses are micrograd's, step by step, ending at 100% accuracy.

data = load_csv("data/moons100.csv")   # beside this script
net = mlp(2, [16, 16, 1], seed=1337)
run = train(net, data, loss="hinge", l2=1e-4, lr=[1, 0.1], steps=100)
accuracy(net, data)

plot run, log=1
boundary run
