namespace GnnSim.Torch.Modules;

// Parameter-free activations, as modules so they can stand in a Sequential.

public sealed class ReLU : Module<Tensor, Tensor>
{
    public override Tensor forward(Tensor input) => input.relu();
}

public sealed class GELU : Module<Tensor, Tensor>
{
    public override Tensor forward(Tensor input) => input.gelu();
}

public sealed class SiLU : Module<Tensor, Tensor>
{
    public override Tensor forward(Tensor input) => input.silu();
}

public sealed class Tanh : Module<Tensor, Tensor>
{
    public override Tensor forward(Tensor input) => input.tanh();
}

public sealed class Sigmoid : Module<Tensor, Tensor>
{
    public override Tensor forward(Tensor input) => input.sigmoid();
}
