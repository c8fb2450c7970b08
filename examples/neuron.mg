# A single neuron, o = tanh(x1*w1 + x2*w2 + b), the worked neuron of the micrograd lecture.
#
#     microcalc examples/neuron.mg

x1 = 2           # inputs
x2 = 0
w1 = -3          # weights
w2 = 1
b = 6.8813735870195432   # the bias that makes n = 0.88137..., so that o = 1/sqrt(2)

n = x1*w1 + x2*w2 + b
o = tanh(n)

# do/dn = 1 - tanh(n)**2 = 1 - 0.7071**2 = 0.5
grad(o, n)

# Every input's gradient, exactly as the floats come out...
grad(o)

# ...and to the lecture's four decimals: -1.5, 1, 0.5, 0, 0.5.
round(grad(o, x1, w1, x2, w2, b), 4)

# w2's gradient is 0 because x2 is 0: a weight on a zero input cannot change the output.
grad(o, w2)
