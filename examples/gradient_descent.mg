# Gradient descent by hand: change the inputs in place and every graph follows.
#
#     microcalc examples/gradient_descent.mg

a = 2; b = -3; c = 10; f = -2
L = (a*b + c) * f

# One step, as in the micrograd lecture: take every gradient first, then nudge every input by
# 0.01 times its gradient. value(...) keeps the numbers as they are now, so that moving
# a does not change the gradients used for b, c and f.
g = value(grad(L, a, b, c, f))
a += 0.01 * g[0]
b += 0.01 * g[1]
c += 0.01 * g[2]
f += 0.01 * g[3]

# L was recomputed after each change; it went up, from -8 to -7.286496.
L
round(L, 6)

# Many steps in a loop. Going downhill (-=) makes a loss smaller: here
# loss = (x - 1)**2 + 2 is smallest at x = 1, where it is 2.
x = 3
loss = (x - 1)**2 + 2
repeat 100 {
    x -= 0.1 * grad(loss, x)
}
round(x, 6)
round(loss, 6)

# One update at a time, right after the gradient is taken, also works:
# a := sets an input, and every graph that uses it is recomputed.
x := 3
loss
