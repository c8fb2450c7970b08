# L = (a*b + c) * f: the first worked example of Karpathy's micrograd lecture, with every
# gradient it works out by hand using the chain rule.
#
#     microcalc examples/backprop_by_hand.mg

# Inputs: a name bound to a plain number is an input (nothing is printed).
a = 2
b = -3
c = 10
f = -2

# Each line below builds part of the graph and prints its value.
e = a*b          # -6
d = e + c        # 4
L = d * f        # -8

# The lecture's table, from the output back to the inputs (dL/dL = 1):
grad(L, f)       # dL/df = d = 4
grad(L, d)       # dL/dd = f = -2
grad(L, c)       # dL/dd * dd/dc = -2 * 1 = -2
grad(L, e)       # dL/dd * dd/de = -2 * 1 = -2
grad(L, b)       # dL/de * de/db = -2 * a = -4
grad(L, a)       # dL/de * de/da = -2 * b = 6

# Several at once give a list; grad(L) lists every input of L with its gradient.
grad(L, a, b, c, f)
grad(L)
