"""A program using microcalc's public Python API as its users do (micrograd's lecture, the
textbook training loop, the pictures): mypy must find nothing wrong with it."""

from microcalc import Value, grad, gradcheck
from microcalc.compiled import compile_graph
from microcalc.nn import MLP, SGD, Module, load, moons, mse, save, train
from microcalc.render import check, dot, explain, line_chart, tree

a, b, c, f = Value(2.0), Value(-3.0), Value(10.0), Value(-2.0)
L = (a * b + c) * f
L = L + 1 - 1.5 ** a / (2 * b) - a ** 2 + abs(b)
n = (a * 3).tanh() + b.exp().log() + c.relu() + f.sigmoid() + a.sqrt() + b.sin().cos()
L.backward()
slope: float = a.grad
value: float = L.data
inputs: list[Value] = [x for x in (a, b) if x.is_input]
dL_da = grad(L, a)
checks = gradcheck(L, [a, b])
worst: float = max(check.error for check in checks)

model: Module = MLP(2, [16, 16, 1], seed=1)
data = moons(20, seed=1)
optimizer = SGD(model.parameters(), lr=0.1)
for step in range(2):
    outputs = [model(row) for row in data.inputs]
    loss = mse(outputs, data.labels)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
run = train(model, data, steps=2)
losses: list[float] = run.losses
path: str = save(model, "model.json")
same: Module = load(MLP(2, [16, 16, 1]), path)

program = compile_graph(L)
program.forward()
program.backward()
gradients: list[float] = program.gradients()

pictures: list[str] = [tree(L), dot(L), explain(L, a), check(L), line_chart(losses)]
