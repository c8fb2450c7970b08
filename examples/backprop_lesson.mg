# Walking through backprop: the micrograd lecture's first example worked out node by node,
# then a neuron, then the same neuron with tanh written through exp. Run it, or make it a
# page to hand out:
#
#     microcalc examples/backprop_lesson.mg
#     microcalc --html examples/backprop_lesson.mg > lesson.html

# L = (a*b + c) * f, built one operation at a time so that every node has a name.
a = 2; b = -3; c = 10; f = -2
e = a*b
d = e + c
L = d * f

# Each node's value, and the gradient of L with respect to it.
tree L

# The backward pass, one node at a time: start with dL/dL = 1, and let each node pass its
# gradient to its operands, multiplied by the local derivative of its operation.
backward L

# The same numbers as the lecture's table.
table L

# Where dL/da comes from: every path from L down to a, drawn in red (where Graphviz is
# installed; without it, the tree).
dot L, highlight=a

# A neuron: o = tanh(x1*w1 + x2*w2 + b). The bias is chosen so that o = 1/sqrt(2).
x1 = 2; x2 = 0
w1 = -3; w2 = 1
bias = 6.8813735870195432
n = x1*w1 + x2*w2 + bias
o = tanh(n)
table o

# tanh written through exp: t = exp(2n) is used twice, and the walk shows its two
# contributions adding up.
t = exp(2*n)
o2 = (t - 1) / (t + 1)
backward o2
