namespace GnnSim.Torch.Modules;

/// <summary>Layers applied one after another; children are named "0", "1", ... as in PyTorch.</summary>
public sealed class Sequential : Module<Tensor, Tensor>
{
    private readonly List<Module<Tensor, Tensor>> layers = [];

    public Sequential(params Module<Tensor, Tensor>[] modules)
    {
        foreach (var module in modules) Add(module);
    }

    public int Count => layers.Count;

    public Module<Tensor, Tensor> this[int index] => layers[index];

    public void Add(Module<Tensor, Tensor> module) => layers.Add(RegisterModule(layers.Count.ToString(), module));

    /// <summary>Runs the layers, freeing each intermediate result as soon as the next layer has consumed it.</summary>
    public override Tensor forward(Tensor input)
    {
        var x = input;
        foreach (var layer in layers)
        {
            var next = layer.call(x);
            if (!ReferenceEquals(x, input)) x.Dispose();
            x = next;
        }
        return ReferenceEquals(x, input) ? x.alias() : x;
    }
}
