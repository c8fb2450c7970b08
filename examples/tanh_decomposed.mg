# The same neuron, with tanh written out as (exp(2n) - 1) / (exp(2n) + 1): the
# gradients flow through exp, -, + and / and come out the same as through tanh.
#
#     microcalc examples/tanh_decomposed.mg

x1 = 2; x2 = 0
w1 = -3; w2 = 1
b = 6.8813735870195432

n = x1*w1 + x2*w2 + b
t = exp(2*n)
o = (t - 1) / (t + 1)

grad(o)

# tanh itself, for comparison: the same up to the last bits of the floats...
o_tanh = tanh(n)
grad(o_tanh)

# ...and the same to twelve decimals.
round(grad(o, x1, w1, x2, w2, b), 12)
round(grad(o_tanh, x1, w1, x2, w2, b), 12)
